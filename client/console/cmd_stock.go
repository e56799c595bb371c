package console

import (
	"context"
	"flag"
	"io"
	"strings"

	"github.com/stockmesh/stockmesh/client/remote"
	"github.com/stockmesh/stockmesh/internal/api"
)

// setupStockSet: stock set SKU QUANTITY [--note N].
func setupStockSet(fs *flag.FlagSet) runFunc {
	note := fs.String("note", "", "note for the adjustment")
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args, "SKU", "QUANTITY"); err != nil {
			return err
		}
		qty, err := intArg("QUANTITY", args[1], 0)
		if err != nil {
			return err
		}
		return a.setStock(ctx, args[0], qty, *note)
	}
}

// setStock sets the stock of sku and shows the adjustment.
func (a *app) setStock(ctx context.Context, sku string, qty int, note string) error {
	c, err := a.node()
	if err != nil {
		return err
	}
	m, err := c.SetStock(ctx, sku, qty, note)
	if err != nil {
		return a.hintSKU(ctx, c, sku, err)
	}
	a.say(msgStockSet, sku, FormatInt(a.p.Lang(), m.Balance))
	if a.json {
		return a.show(m, nil)
	}
	return nil
}

// kindAliases maps what people type to movement kinds.
func kindAliases() map[string]string {
	return map[string]string{
		"purchase": api.KindPurchase, "compra": api.KindPurchase,
		"sale": api.KindSale, "venta": api.KindSale,
		"return": api.KindReturn, "devolucion": api.KindReturn, "devolución": api.KindReturn,
		"adjustment": api.KindAdjustment, "ajuste": api.KindAdjustment,
	}
}

// ParseKind returns the movement kind s names, in English or Spanish
// ("sale", "venta", "SALE"), and reports whether it is one a person may
// record.
func ParseKind(s string) (string, bool) {
	k, ok := kindAliases()[strings.ToLower(strings.TrimSpace(s))]
	return k, ok
}

// ParseFilterKind returns the movement kind s names among every kind the
// node has, transfers' included, in either language and as history shows
// it ("transfer out", "transfer_out", "salida por transferencia",
// "salida", "relocation", "reubicación"), and reports whether it is one.
func ParseFilterKind(s string) (string, bool) {
	if k, ok := ParseKind(s); ok {
		return k, true
	}
	words := strings.Fields(strings.NewReplacer("_", " ", "-", " ").Replace(strings.ToLower(s)))
	switch strings.Join(words, " ") {
	case "transfer out", "salida por transferencia", "salida":
		return api.KindTransferOut, true
	case "transfer in", "entrada por transferencia", "entrada":
		return api.KindTransferIn, true
	case "relocation", "reubicacion", "reubicación":
		return api.KindRelocation, true
	}
	return "", false
}

// setupMove: move KIND SKU QUANTITY [--ref R] [--note N] [--key K]
// [--lot L [--expires DAY]] [--location BIN] [--pack NAME].
func setupMove(fs *flag.FlagSet) runFunc {
	ref := fs.String("ref", "", "reference such as an order number")
	note := fs.String("note", "", "note")
	key := fs.String("key", "", "idempotency key (random when empty; derived from the movement with --ref)")
	allowRepeat := fs.Bool("allow-repeat", false, "record a movement with --ref again even if the same one was recorded")
	where := addWhereFlags(fs)
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args, "KIND", "SKU", "QUANTITY"); err != nil {
			return err
		}
		kind, ok := ParseKind(args[0])
		if !ok {
			return usageT(msgUsageKind, args[0])
		}
		in := remote.NewMovement{Kind: kind, SKU: args[1], Reference: optString(*ref), Note: optString(*note), IdempotencyKey: *key}
		if err := where.apply(a.p, &in); err != nil {
			return err
		}
		min := 1
		if kind == api.KindAdjustment {
			min = -1 << 31
		}
		var err error
		if in.Quantity, err = intArg("QUANTITY", args[2], min); err != nil {
			return err
		}
		if in.Quantity == 0 {
			return usageT(msgUsageNotZero, "QUANTITY")
		}
		if *allowRepeat && in.IdempotencyKey == "" {
			in.IdempotencyKey = remote.NewIdempotencyKey()
		}
		return a.recordMovement(ctx, in)
	}
}

// recordMovement records a movement, once when it has a reference (see
// recordOnce), and shows it.
func (a *app) recordMovement(ctx context.Context, in remote.NewMovement) error {
	c, err := a.node()
	if err != nil {
		return err
	}
	m, err := a.recordOnce(ctx, c, in)
	if err != nil {
		return a.hintSKU(ctx, c, in.SKU, err)
	}
	return a.showMovement(m)
}

// showMovement says that m was recorded and shows it.
func (a *app) showMovement(m *remote.Movement) error {
	a.say(msgRecorded, m.SKU, FormatInt(a.p.Lang(), m.Balance))
	return a.show(m, func(out io.Writer) {
		writeMovements(out, a.p, a.env.Terminal, []remote.Movement{*m})
	})
}

// setupHistory: history [--sku SKU] [--kind KIND,…] [--warehouse ID] [--ref REF]
// [--from WHEN] [--to WHEN] [--first N] [--csv FILE]; with --csv every
// movement matching goes to FILE.
func setupHistory(fs *flag.FlagSet) runFunc {
	ff := addFilterFlags(fs)
	first := fs.String("first", "50", "how many, newest first")
	file := fs.String("csv", "", "write every movement matching to this CSV file")
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args); err != nil {
			return err
		}
		f, err := ff.filter(a.p)
		if err != nil {
			return err
		}
		if *file != "" {
			return a.download(ctx, "/api/v1/reports/movements.csv", filterQuery(f), *file)
		}
		n, err := intArg("--first", *first, 1)
		if err != nil {
			return err
		}
		return a.history(ctx, f, n)
	}
}

// history shows the newest movements matching f.
func (a *app) history(ctx context.Context, f remote.MovementFilter, n int) error {
	c, err := a.node()
	if err != nil {
		return err
	}
	ms, err := c.Movements(ctx, f, n)
	if err != nil {
		return err
	}
	return a.show(ms, func(out io.Writer) { writeMovements(out, a.p, a.env.Terminal, ms) })
}

// setupStockLevels: stock levels SKU.
func setupStockLevels(*flag.FlagSet) runFunc {
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args, "SKU"); err != nil {
			return err
		}
		c, err := a.node()
		if err != nil {
			return err
		}
		ls, err := c.StockLevels(ctx, args[0])
		if err != nil {
			return err
		}
		known := map[string]remote.Warehouse{}
		if ws, err := c.Warehouses(ctx); err == nil { // how fresh each is; best effort
			for _, w := range ws {
				known[w.ID] = w
			}
		}
		return a.show(ls, func(out io.Writer) { writeStockLevels(out, a.p, a.env.Terminal, args[0], ls, known) })
	}
}

// setupWarehouses: warehouses.
func setupWarehouses(*flag.FlagSet) runFunc {
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args); err != nil {
			return err
		}
		return a.warehouses(ctx)
	}
}

// warehouses shows the warehouses the node knows.
func (a *app) warehouses(ctx context.Context) error {
	c, err := a.node()
	if err != nil {
		return err
	}
	ws, err := c.Warehouses(ctx)
	if err != nil {
		return err
	}
	return a.show(ws, func(out io.Writer) { writeWarehouses(out, a.p, a.env.Terminal, ws) })
}
