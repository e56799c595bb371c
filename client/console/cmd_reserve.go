package console

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/client/remote"
)

// setupReserve: reserve SKU QUANTITY [--ref R] [--expires 2h] [--key K].
func setupReserve(fs *flag.FlagSet) runFunc {
	ref := fs.String("ref", "", "reference such as an order number")
	expires := fs.String("expires", "", "how long it holds, such as 90m, 2h or 1d (default: until released or fulfilled)")
	key := fs.String("key", "", "idempotency key (random when empty)")
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args, "SKU", "QUANTITY"); err != nil {
			return err
		}
		qty, err := intArg("QUANTITY", args[1], 1)
		if err != nil {
			return err
		}
		in := remote.NewReservation{SKU: args[0], Quantity: qty, Reference: optString(*ref), IdempotencyKey: *key}
		if *expires != "" {
			d, ok := parseExpiry(*expires)
			if !ok {
				return usagef("%s", a.p.T(msgBadExpires, *expires))
			}
			secs := int64(d / time.Second)
			in.ExpiresIn = &secs
		}
		return a.reserve(ctx, in)
	}
}

// parseExpiry reads a duration of whole seconds, at least one: Go's
// durations (90m, 2h30m) and days (1d, 3d).
func parseExpiry(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		return time.Duration(n) * 24 * time.Hour, err == nil && n > 0
	}
	d, err := time.ParseDuration(s)
	return d, err == nil && d >= time.Second && d%time.Second == 0
}

// reserve reserves stock and shows the reservation.
func (a *app) reserve(ctx context.Context, in remote.NewReservation) error {
	c, err := a.node()
	if err != nil {
		return err
	}
	r, err := c.ReserveStock(ctx, in)
	if err != nil {
		return a.hintSKU(ctx, c, in.SKU, err)
	}
	qty := FormatInt(a.p.Lang(), r.Quantity)
	if r.ExpiresAt != nil {
		a.say(msgReservedUntil, qty, r.SKU, r.ID, r.ExpiresAt.Local().Format("2006-01-02 15:04"))
	} else {
		a.say(msgReserved, qty, r.SKU, r.ID)
	}
	return a.showReservation(r)
}

// setupReservations: reservations [--status S] [--sku SKU] [--warehouse ID] [--first N].
func setupReservations(fs *flag.FlagSet) runFunc {
	status := fs.String("status", "", "only active, fulfilled, released or expired")
	sku := fs.String("sku", "", "only of this sku")
	warehouse := fs.String("warehouse", "", "only of this warehouse (default: every one this node holds)")
	first := fs.String("first", "50", "how many, newest first")
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args); err != nil {
			return err
		}
		st, ok := parseReservationStatus(*status)
		if !ok {
			return usagef("%s", a.p.T(msgReservationsStatusBad, *status))
		}
		n, err := intArg("--first", *first, 1)
		if err != nil {
			return err
		}
		c, err := a.node()
		if err != nil {
			return err
		}
		wh := ""
		if strings.TrimSpace(*warehouse) != "" {
			if wh, err = a.warehouseID(ctx, c, *warehouse); err != nil {
				return err
			}
		}
		rs, err := c.Reservations(ctx, st, strings.TrimSpace(*sku), wh, n)
		if err != nil {
			return err
		}
		return a.showReservations(rs)
	}
}

// parseReservationStatus reads a status in either language; "" is any.
func parseReservationStatus(s string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return "", true
	case "active", "activa":
		return remote.ReservationActive, true
	case "fulfilled", "servida":
		return remote.ReservationFulfilled, true
	case "released", "liberada":
		return remote.ReservationReleased, true
	case "expired", "caducada":
		return remote.ReservationExpired, true
	}
	return "", false
}

// setupRelease: release ID.
func setupRelease(*flag.FlagSet) runFunc {
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args, "ID"); err != nil {
			return err
		}
		c, err := a.node()
		if err != nil {
			return err
		}
		r, err := c.ReleaseReservation(ctx, args[0])
		if err != nil {
			return err
		}
		if r.Status == remote.ReservationReleased {
			a.say(msgReservationReleased, r.ID, FormatInt(a.p.Lang(), r.Quantity), r.SKU)
		} else {
			a.say(msgReservationEnded, r.ID, reservationStatusName(a.p, r.Status))
		}
		return a.showReservation(r)
	}
}

// setupFulfil: fulfil ID [--quantity N].
func setupFulfil(fs *flag.FlagSet) runFunc {
	quantity := fs.String("quantity", "", "sell only this many and release the rest (default: all of it)")
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args, "ID"); err != nil {
			return err
		}
		n, err := optInt("quantity", *quantity, 1)
		if err != nil {
			return err
		}
		c, err := a.node()
		if err != nil {
			return err
		}
		r, err := c.FulfilReservation(ctx, args[0], n)
		if err != nil {
			return err
		}
		a.say(msgReservationFulfilled, r.ID, FormatInt(a.p.Lang(), r.Fulfilled), r.SKU, deref(r.Sale))
		return a.showReservation(r)
	}
}

// setupWhoHas: who-has SKU QUANTITY.
func setupWhoHas(*flag.FlagSet) runFunc {
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args, "SKU", "QUANTITY"); err != nil {
			return err
		}
		qty, err := intArg("QUANTITY", args[1], 1)
		if err != nil {
			return err
		}
		c, err := a.node()
		if err != nil {
			return err
		}
		ls, err := c.Availability(ctx, args[0], qty)
		if err != nil {
			return a.hintSKU(ctx, c, args[0], err)
		}
		if len(ls) == 0 && !a.json {
			a.say(msgWhoHasNone, FormatInt(a.p.Lang(), qty), args[0])
			return nil
		}
		return a.show(ls, func(out io.Writer) { writeLevels(out, a.p, a.env.Terminal, ls) })
	}
}

// showReservation prints one reservation, or its JSON.
func (a *app) showReservation(r *remote.Reservation) error {
	return a.show(r, func(out io.Writer) { writeReservations(out, a.p, a.env.Terminal, []remote.Reservation{*r}) })
}

// showReservations prints reservations, or their JSON.
func (a *app) showReservations(rs []remote.Reservation) error {
	return a.show(rs, func(out io.Writer) { writeReservations(out, a.p, a.env.Terminal, rs) })
}

// reservationStatusName names a reservation's status in p's language.
func reservationStatusName(p Printer, status string) string {
	switch status {
	case remote.ReservationActive:
		return p.T(msgReservationActive)
	case remote.ReservationFulfilled:
		return p.T(msgReservationFulfilledStatus)
	case remote.ReservationReleased:
		return p.T(msgReservationReleasedStatus)
	case remote.ReservationExpired:
		return p.T(msgReservationExpiredStatus)
	}
	return status
}

// writeReservations prints reservations, newest first as the node sends
// them; those the stock no longer covers are marked "!".
func writeReservations(out io.Writer, p Printer, ansi bool, rs []remote.Reservation) {
	if len(rs) == 0 {
		fmt.Fprintln(out, p.T(msgNoReservations))
		return
	}
	now := time.Now()
	t := newTable(p.T(msgColID), p.T(msgColStatus), p.T(msgColWarehouse), p.T(msgColSKU), p.T(msgColQuantity),
		p.T(msgColFulfilled), p.T(msgColTime), p.T(msgColExpires), p.T(msgColReference)).alignRight(4, 5)
	risk := false
	for _, r := range rs {
		status := reservationStatusName(p, r.Status)
		if r.AtRisk {
			status, risk = "! "+status, true
		}
		expires := ""
		if r.ExpiresAt != nil {
			expires = FormatTime(*r.ExpiresAt, now)
		}
		t.add(r.ID, status, r.Warehouse.ID, r.SKU, FormatInt(p.Lang(), r.Quantity), FormatInt(p.Lang(), r.Fulfilled),
			FormatTime(r.CreatedAt, now), expires, deref(r.Reference))
	}
	t.write(out, ansi)
	if risk {
		fmt.Fprintln(out, p.T(msgReservationAtRiskLegend))
	}
}

// writeLevels prints the warehouses that can supply, most available first.
func writeLevels(out io.Writer, p Printer, ansi bool, ls []remote.Level) {
	now := time.Now()
	t := newTable(p.T(msgColWarehouse), p.T(msgColAvailable), p.T(msgColQuantity), p.T(msgColReserved), p.T(msgColAsOf)).alignRight(1, 2, 3)
	for _, l := range ls {
		asOf := ""
		if l.AsOf != nil {
			asOf = FormatTime(*l.AsOf, now)
		}
		if !l.Warehouse.Local {
			switch {
			case l.Warehouse.Departed:
				asOf += " " + p.T(msgAsOfDeparted)
			case !l.Warehouse.Online:
				asOf += " " + p.T(msgAsOfOffline)
			}
		} else {
			asOf = p.T(msgAsOfNow)
		}
		name := l.Warehouse.ID
		if l.Warehouse.Name != "" && l.Warehouse.Name != l.Warehouse.ID {
			name += " (" + l.Warehouse.Name + ")"
		}
		t.add(name, FormatInt(p.Lang(), l.Available), FormatInt(p.Lang(), l.Quantity), FormatInt(p.Lang(), l.Reserved), asOf)
	}
	t.write(out, ansi)
}
