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
	c, local, err := a.nodeAndLocal(ctx)
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
	return a.requestPlan(ctx, c, local, plan)
}

// actRequests lists the open requests the node's warehouse is asked to
// decide and lets the user accept (send), decline or leave each.
func (a *app) actRequests(ctx context.Context) error {
	c, local, err := a.nodeAndLocal(ctx)
	if err != nil {
		return err
	}
	all, err := c.TransferRequests(ctx, local.ID, 100)
	if err != nil {
		return err
	}
	open := incomingRequests(all, local.ID, remote.RequestOpen)
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
		_, err = a.acceptRequest(ctx, c, r.ID, &n)
		return err
	case 1:
		reason, err := pr.Text(ctx, a.p.T(msgFieldReason), "")
		if err != nil {
			return err
		}
		_, err = a.declineRequest(ctx, c, r.ID, reason)
		return err
	}
	return nil
}
