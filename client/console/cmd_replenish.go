package console

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/stockmesh/stockmesh/client/remote"
)

// setupReplenish: replenish [--warehouse W] [--request].
func setupReplenish(fs *flag.FlagSet) runFunc {
	warehouse := fs.String("warehouse", "", "only the products short in this warehouse (default: every one the node holds)")
	request := fs.Bool("request", false, "request the suggested transfers to the node's own warehouse from their sources")
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args); err != nil {
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
		plan, err := c.ReplenishmentPlan(ctx, wh)
		if err != nil {
			return err
		}
		if err := a.show(plan, func(out io.Writer) { writePlan(out, a.p, a.env.Terminal, plan) }); err != nil || !*request {
			return err
		}
		local, err := c.LocalWarehouse(ctx)
		if err != nil {
			return err
		}
		return a.requestPlan(ctx, c, local, plan)
	}
}

// nodeAndLocal returns the node's client and the node's own warehouse.
func (a *app) nodeAndLocal(ctx context.Context) (*remote.Client, *remote.Warehouse, error) {
	c, err := a.node()
	if err != nil {
		return nil, nil, err
	}
	local, err := c.LocalWarehouse(ctx)
	return c, local, err
}

// requestPlan requests from their sources the suggestions of plan whose
// destination is local, the node's own warehouse (only it may ask for
// itself).
func (a *app) requestPlan(ctx context.Context, c *remote.Client, local *remote.Warehouse, plan []remote.Suggestion) error {
	asked := 0
	for _, s := range plan {
		if s.To.ID != local.ID {
			continue
		}
		r, err := c.RequestTransfer(ctx, s.SKU, s.From.ID, s.Quantity)
		if err != nil {
			return err
		}
		asked++
		a.say(msgRequested, r.ID, FormatInt(a.p.Lang(), r.Quantity), r.SKU, r.From.Name)
	}
	if asked == 0 {
		a.say(msgNothingToRequest, local.Name)
	}
	return nil
}

// writePlan prints a plan as a table, one suggestion per row.
func writePlan(out io.Writer, p Printer, ansi bool, plan []remote.Suggestion) {
	if len(plan) == 0 {
		fmt.Fprintln(out, p.T(msgNoSuggestions))
		return
	}
	l := p.Lang()
	t := newTable(p.T(msgColSKU), p.T(msgColFrom), p.T(msgColTo), p.T(msgColQuantity), p.T(msgColFromCover), p.T(msgColToCover),
		p.T(msgColWhy)).alignRight(3, 4, 5)
	for _, s := range plan {
		t.add(s.SKU, s.From.Name, s.To.Name, FormatInt(l, s.Quantity), cover(p, s.FromDaysOfCover), cover(p, s.ToDaysOfCover),
			reasonWords(p, s.Reason))
	}
	t.write(out, ansi)
}

// cover formats days of cover with one decimal in p's language, "—"
// when nothing sold.
func cover(p Printer, d *float64) string {
	if d == nil {
		return "—"
	}
	s := fmt.Sprintf("%.1f", *d)
	if p.Lang() == Spanish {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// setupRequests: requests [--incoming].
func setupRequests(fs *flag.FlagSet) runFunc {
	incoming := fs.Bool("incoming", false, "only the requests the node's own warehouse is asked to decide")
	first := fs.String("first", "50", "how many, newest first")
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args); err != nil {
			return err
		}
		n, err := intArg("--first", *first, 1)
		if err != nil {
			return err
		}
		c, local, err := a.nodeAndLocal(ctx)
		if err != nil {
			return err
		}
		rs, err := c.TransferRequests(ctx, local.ID, n)
		if err != nil {
			return err
		}
		if *incoming {
			rs = incomingRequests(rs, local.ID, "")
		}
		return a.show(rs, func(out io.Writer) { writeRequests(out, a.p, a.env.Terminal, rs) })
	}
}

// incomingRequests returns the requests of rs that warehouse local is
// asked to decide, of status (any when "").
func incomingRequests(rs []remote.TransferRequest, local, status string) []remote.TransferRequest {
	var kept []remote.TransferRequest
	for _, r := range rs {
		if r.From.ID == local && (status == "" || r.Status == status) {
			kept = append(kept, r)
		}
	}
	return kept
}

// writeRequests prints transfer requests as a table.
func writeRequests(out io.Writer, p Printer, ansi bool, rs []remote.TransferRequest) {
	if len(rs) == 0 {
		fmt.Fprintln(out, p.T(msgNoRequests))
		return
	}
	l := p.Lang()
	t := newTable("ID", p.T(msgColSKU), p.T(msgColQuantity), p.T(msgColFrom), p.T(msgColTo), p.T(msgColStatus)).alignRight(2)
	for _, r := range rs {
		t.add(r.ID, r.SKU, FormatInt(l, r.Quantity), r.From.Name, r.To.Name, requestStatusName(p, r.Status))
	}
	t.write(out, ansi)
}

// requestStatusName returns a request's status in p's language.
func requestStatusName(p Printer, status string) string {
	switch status {
	case remote.RequestOpen:
		return p.T(msgRequestOpen)
	case remote.RequestAccepted:
		return p.T(msgRequestAccepted)
	case remote.RequestDeclined:
		return p.T(msgRequestDeclined)
	case remote.RequestCancelled:
		return p.T(msgRequestCancelled)
	}
	return status
}

// setupAccept: accept ID [--qty N].
func setupAccept(fs *flag.FlagSet) runFunc {
	qty := fs.String("qty", "", "send only this many (default: all it asks for)")
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args, "ID"); err != nil {
			return err
		}
		n, err := optInt("qty", *qty, 1)
		if err != nil {
			return err
		}
		c, err := a.node()
		if err != nil {
			return err
		}
		r, err := a.acceptRequest(ctx, c, args[0], n)
		if err != nil {
			return err
		}
		return a.show(r, func(out io.Writer) { writeRequests(out, a.p, a.env.Terminal, []remote.TransferRequest{*r}) })
	}
}

// setupDecline: decline ID [--reason R].
func setupDecline(fs *flag.FlagSet) runFunc {
	reason := fs.String("reason", "", "why, for the requester")
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args, "ID"); err != nil {
			return err
		}
		c, err := a.node()
		if err != nil {
			return err
		}
		r, err := a.declineRequest(ctx, c, args[0], *reason)
		if err != nil {
			return err
		}
		return a.show(r, func(out io.Writer) { writeRequests(out, a.p, a.env.Terminal, []remote.TransferRequest{*r}) })
	}
}

// acceptRequest accepts request id, sending quantity units (nil: all it
// asks), and says where the transfer goes.
func (a *app) acceptRequest(ctx context.Context, c *remote.Client, id string, quantity *int) (*remote.TransferRequest, error) {
	r, err := c.AcceptTransferRequest(ctx, id, quantity)
	if err == nil && r.Transfer != nil {
		a.say(msgRequestAcceptedSent, r.ID, r.Transfer.ID, r.To.Name)
	}
	return r, err
}

// declineRequest declines request id with reason and says so.
func (a *app) declineRequest(ctx context.Context, c *remote.Client, id, reason string) (*remote.TransferRequest, error) {
	r, err := c.DeclineTransferRequest(ctx, id, reason)
	if err == nil {
		a.say(msgRequestDeclinedSaid, r.ID)
	}
	return r, err
}
