package console

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/client/remote"
	"github.com/stockmesh/stockmesh/internal/api"
)

// whereFlags are move's --lot, --expires, --location and --pack.
type whereFlags struct {
	lot, expires, location, pack *string
}

// addWhereFlags adds them to fs.
func addWhereFlags(fs *flag.FlagSet) whereFlags {
	return whereFlags{
		lot:      fs.String("lot", "", "the lot the units go into or come from (a sale without it: soonest-expiring first)"),
		expires:  fs.String("expires", "", "the lot's expiry, YYYY-MM-DD"),
		location: fs.String("location", "", "the location (bin) the units go to or come from"),
		pack:     fs.String("pack", "", "QUANTITY is in this pack of the product (3 --pack box: 36 units when a box holds 12)"),
	}
}

// apply sets the flags on in, refusing in p's language what it cannot read.
func (wf whereFlags) apply(p Printer, in *remote.NewMovement) error {
	if *wf.expires != "" {
		if *wf.lot == "" {
			return usagef("%s", p.T(msgExpiresNeedsLot))
		}
		if _, err := time.Parse("2006-01-02", *wf.expires); err != nil {
			return usagef("%s", p.T(msgExpiresBad, *wf.expires))
		}
	}
	if *wf.lot != "" {
		in.Lot = &remote.LotInput{Code: *wf.lot, ExpiresOn: optString(*wf.expires)}
	}
	in.Location, in.Pack = *wf.location, *wf.pack
	return nil
}

// setupLots: lots SKU [--warehouse ID].
func setupLots(fs *flag.FlagSet) runFunc {
	wh := fs.String("warehouse", "", "the warehouse (default: this node's own)")
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args, "SKU"); err != nil {
			return err
		}
		c, err := a.node()
		if err != nil {
			return err
		}
		lots, err := c.Lots(ctx, args[0], *wh)
		if err != nil {
			return a.hintSKU(ctx, c, args[0], err)
		}
		return a.show(lots, func(out io.Writer) { writeLots(out, a.p, a.env.Terminal, lots) })
	}
}

// writeLots prints a product's lots.
func writeLots(out io.Writer, p Printer, ansi bool, lots []remote.Lot) {
	if len(lots) == 0 {
		fmt.Fprintln(out, p.T(msgNoLots))
		return
	}
	t := newTable(p.T(msgColLot), p.T(msgColExpires), p.T(msgColQuantity)).alignRight(2)
	for _, l := range lots {
		code := l.Code
		if code == "" {
			code = p.T(msgNoLot)
		}
		t.add(code, deref(l.ExpiresOn), FormatInt(p.Lang(), l.Quantity))
	}
	t.write(out, ansi)
}

// setupBins: bins [--warehouse ID].
func setupBins(fs *flag.FlagSet) runFunc {
	wh := fs.String("warehouse", "", "the warehouse (default: this node's own)")
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args); err != nil {
			return err
		}
		c, err := a.node()
		if err != nil {
			return err
		}
		ls, err := c.Locations(ctx, *wh)
		if err != nil {
			return err
		}
		return a.show(ls, func(out io.Writer) { writeBins(out, a.p, a.env.Terminal, ls) })
	}
}

// writeBins prints a warehouse's locations by path.
func writeBins(out io.Writer, p Printer, ansi bool, ls []remote.Location) {
	if len(ls) == 0 {
		fmt.Fprintln(out, p.T(msgNoLocations))
		return
	}
	t := newTable(p.T(msgColLocation), p.T(msgColName), p.T(msgColQuantity)).alignRight(2)
	for _, l := range ls {
		t.add(l.Path, l.Name, FormatInt(p.Lang(), l.Quantity))
	}
	t.write(out, ansi)
}

// setupRelocate: relocate SKU QUANTITY --to BIN [--from BIN] [--lot CODE].
func setupRelocate(fs *flag.FlagSet) runFunc {
	to := fs.String("to", "", "the location the units go to")
	from := fs.String("from", "", "the location they leave (default: unplaced stock)")
	lot := fs.String("lot", "", "only units of this lot (default: soonest-expiring first)")
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args, "SKU", "QUANTITY"); err != nil {
			return err
		}
		if *to == "" {
			return usagef("missing --to")
		}
		q, err := intArg("QUANTITY", args[1], 1)
		if err != nil {
			return err
		}
		c, err := a.node()
		if err != nil {
			return err
		}
		m, err := c.Relocate(ctx, remote.Relocation{SKU: args[0], Quantity: q, From: optString(*from), To: *to, Lot: optString(*lot)})
		if err != nil {
			return a.hintSKU(ctx, c, args[0], err)
		}
		a.say(msgRelocated, FormatInt(a.p.Lang(), m.Quantity), m.SKU, *to, FormatInt(a.p.Lang(), m.Balance))
		return a.show(m, func(out io.Writer) { writeMovements(out, a.p, a.env.Terminal, []remote.Movement{*m}) })
	}
}

// movementQuantity formats a movement's quantity: "3 box (36)" (a sale
// "-3 box (-36)") when it was given in packs, else the signed units.
func movementQuantity(l Lang, m *remote.Movement) string {
	if m.Pack == nil || m.PackQuantity == nil {
		return FormatSigned(l, m.Quantity)
	}
	n := *m.PackQuantity
	if m.Quantity < 0 {
		n = -n
	}
	return FormatInt(l, n) + " " + *m.Pack + " (" + FormatInt(l, m.Quantity) + ")"
}

// anyLots reports whether a movement of ms has lots or a location other
// than the stock of no lot, unplaced.
func anyLots(ms []remote.Movement) bool {
	for _, m := range ms {
		for _, l := range m.Lots {
			if l.Code != "" || l.Location != nil {
				return true
			}
		}
	}
	return false
}

// lotsCell writes a movement's lots as "A 10, B@S1 5", a RELOCATION's
// ending "→ BIN".
func lotsCell(p Printer, m *remote.Movement) string {
	s := ""
	for i, l := range m.Lots {
		if i > 0 {
			s += ", "
		}
		code := l.Code
		if code == "" {
			code = p.T(msgNoLot)
		}
		if l.Location != nil {
			code += "@" + *l.Location
		}
		s += code + " " + FormatInt(p.Lang(), l.Quantity)
	}
	if m.Kind == api.KindRelocation && m.Location != nil {
		s += " → " + *m.Location
	}
	return s
}

// packsArg reads --packs box=12,tray=30 ("" none).
func packsArg(s string) ([]remote.Pack, error) {
	if s == "" {
		return nil, nil
	}
	var out []remote.Pack
	for _, part := range strings.Split(s, ",") {
		name, size, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, err := intArg("--packs "+name, size, 1)
		if !ok || name == "" || err != nil {
			return nil, usagef("--packs: %q is not NAME=SIZE, such as box=12", part)
		}
		out = append(out, remote.Pack{Name: name, Size: n})
	}
	return out, nil
}

// setupBinAdd: bins add CODE [--parent CODE] [--name NAME].
func setupBinAdd(fs *flag.FlagSet) runFunc {
	parent := fs.String("parent", "", "the location it goes under (default: at the top)")
	name := fs.String("name", "", "a name")
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args, "CODE"); err != nil {
			return err
		}
		c, err := a.node()
		if err != nil {
			return err
		}
		l, err := c.CreateLocation(ctx, args[0], *parent, *name)
		if err != nil {
			return err
		}
		a.say(msgBinAdded, l.Path)
		return a.show(l, func(out io.Writer) { writeBins(out, a.p, a.env.Terminal, []remote.Location{*l}) })
	}
}
