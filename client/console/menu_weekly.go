package console

import (
	"context"
	"fmt"

	"github.com/stockmesh/stockmesh/client/remote"
)

// The menu's screens of the weekly work: a product's lots, the
// replenishment plan of the node's warehouse (and requesting it), and the
// transfer requests the node's warehouse is asked to decide. Each shows
// what its command (lots, replenish, requests, accept, decline) shows.

// actLots asks for a product and shows its lots in the node's warehouse.
func (a *app) actLots(ctx context.Context) error {
	c, err := a.node()
	if err != nil {
		return err
	}
	p, err := a.askExistingSKU(ctx, c)
	if err != nil {
		return err
	}
	lots, err := c.Lots(ctx, p.SKU, "")
	if err != nil {
		return err
	}
	writeLots(a.env.Stdout, a.p, a.env.Terminal, lots)
	return nil
}

// actReplenish shows the plan for the node's warehouse and, when it has
// suggestions, offers to request them from their sources.
func (a *app) actReplenish(ctx context.Context) error {
	c, err := a.node()
	if err != nil {
		return err
	}
	local, err := c.LocalWarehouse(ctx)
	if err != nil {
		return err
	}
	plan, err := c.ReplenishmentPlan(ctx, local.ID)
	if err != nil {
		return err
	}
	writePlan(a.env.Stdout, a.p, a.env.Terminal, plan)
	if len(plan) == 0 {
		return nil
	}
	ok, err := a.prompts().Confirm(ctx, a.p.T(msgAskRequestPlan, local.Name))
	if err != nil || !ok {
		return err
	}
	return a.requestPlan(ctx, c, plan)
}

// actRequests lists the open requests the node's warehouse is asked to
// decide and lets the user accept (send), decline or leave each.
func (a *app) actRequests(ctx context.Context) error {
	c, err := a.node()
	if err != nil {
		return err
	}
	local, err := c.LocalWarehouse(ctx)
	if err != nil {
		return err
	}
	all, err := c.TransferRequests(ctx, local.ID, 100)
	if err != nil {
		return err
	}
	var open []remote.TransferRequest
	for _, r := range all {
		if r.From.ID == local.ID && r.Status == remote.RequestOpen {
			open = append(open, r)
		}
	}
	if len(open) == 0 {
		fmt.Fprintln(a.env.Stdout, a.p.T(msgNoRequestsToDecide, local.Name))
		return nil
	}
	writeRequests(a.env.Stdout, a.p, a.env.Terminal, open)
	pr := a.prompts()
	names := make([]string, len(open))
	for i, r := range open {
		names[i] = fmt.Sprintf("%s  %s × %s → %s", r.ID, FormatInt(a.p.Lang(), r.Quantity), r.SKU, r.To.Name)
	}
	i, err := pr.Choice(ctx, a.p.T(msgFieldRequest), names, 0)
	if err != nil {
		return err
	}
	r := open[i]
	d, err := pr.Choice(ctx, a.p.T(msgFieldDecision), []string{a.p.T(msgDecideAccept), a.p.T(msgDecideDecline), a.p.T(msgDecideLater)}, 2)
	if err != nil {
		return err
	}
	switch d {
	case 0:
		n, err := pr.Int(ctx, a.p.T(msgFieldAmount), fmt.Sprint(r.Quantity), 1)
		if err != nil {
			return err
		}
		got, err := c.AcceptTransferRequest(ctx, r.ID, n)
		if err != nil {
			return err
		}
		if got.Transfer != nil {
			a.say(msgRequestAcceptedSent, got.ID, got.Transfer.ID, got.To.Name)
		}
	case 1:
		reason, err := pr.Text(ctx, a.p.T(msgFieldReason), "")
		if err != nil {
			return err
		}
		got, err := c.DeclineTransferRequest(ctx, r.ID, reason)
		if err != nil {
			return err
		}
		a.say(msgRequestDeclinedSaid, got.ID)
	}
	return nil
}
