package console

import (
	"context"
	"time"

	"github.com/stockmesh/stockmesh/client/remote"
	"github.com/stockmesh/stockmesh/internal/api"
)

// The menu's history (7) and watch (9) offer what their commands do:
// kinds, days and another warehouse.

// actHistory is menu 7: the newest movements, of one product or all, of
// one kind or any, between two days, in one warehouse or every one the
// node holds.
func (a *app) actHistory(ctx context.Context) error {
	pr := a.prompts()
	c, err := a.node()
	if err != nil {
		return err
	}
	var f remote.MovementFilter
	if f.SKU, err = pr.Text(ctx, a.p.T(msgFieldSKU), ""); err != nil {
		return err
	}
	if f.Kinds, err = a.askKinds(ctx); err != nil {
		return err
	}
	if f.From, err = a.askDay(ctx, msgFieldFromDay, "--from", false); err != nil {
		return err
	}
	if f.To, err = a.askDay(ctx, msgFieldToDay, "--to", true); err != nil {
		return err
	}
	ws, err := c.Warehouses(ctx)
	if err != nil {
		return err
	}
	names := []string{a.p.T(msgEveryWarehouse)}
	for _, w := range ws {
		names = append(names, warehouseLabel(w))
	}
	k, err := pr.Choice(ctx, a.p.T(msgFieldWarehouse), names, 0)
	if err != nil {
		return err
	}
	if k > 0 {
		f.Warehouse = ws[k-1].ID
	}
	n, err := pr.Int(ctx, a.p.T(msgFieldHowMany), "20", 1)
	if err != nil {
		return err
	}
	return a.history(ctx, f, n)
}

// askKinds offers any kind (the default) or one of the seven.
func (a *app) askKinds(ctx context.Context) ([]string, error) {
	kinds := []string{api.KindPurchase, api.KindSale, api.KindReturn, api.KindAdjustment,
		api.KindTransferOut, api.KindTransferIn, api.KindRelocation}
	names := []string{a.p.T(msgAnyKind)}
	for _, k := range kinds {
		names = append(names, kindName(a.p, k))
	}
	k, err := a.prompts().Choice(ctx, a.p.T(msgFieldKind), names, 0)
	if err != nil || k == 0 {
		return nil, err
	}
	return []string{kinds[k-1]}, nil
}

// askDay asks for an optional day, as --from (its start) or, with
// endOfDay, as --to (its end) read it; empty is nil.
func (a *app) askDay(ctx context.Context, label msg, flag string, endOfDay bool) (*time.Time, error) {
	return ask(ctx, a.prompts(), a.p.T(label), "", func(s string) (*time.Time, string) {
		t, err := whenFlag(a.p, flag, s, endOfDay)
		if err != nil {
			return nil, a.p.T(msgBadDay, s)
		}
		return t, ""
	})
}

// actWatch is menu 9: the live stock of one product or all, in the node's
// own warehouse, every one it holds, or another, until Ctrl-C or q.
func (a *app) actWatch(ctx context.Context) error {
	pr := a.prompts()
	c, err := a.node()
	if err != nil {
		return err
	}
	sku, err := pr.Text(ctx, a.p.T(msgFieldSKU), "")
	if err != nil {
		return err
	}
	ws, err := c.Warehouses(ctx)
	if err != nil {
		return err
	}
	names := []string{a.p.T(msgOwnWarehouse), a.p.T(msgEveryWarehouse)}
	var others []string
	for _, w := range ws {
		if !w.Local {
			names, others = append(names, warehouseLabel(w)), append(others, w.ID)
		}
	}
	k, err := pr.Choice(ctx, a.p.T(msgFieldWarehouse), names, 0)
	if err != nil {
		return err
	}
	scope := remote.WatchScope{SKU: sku, All: k == 1}
	if k > 1 {
		scope.Warehouse = others[k-2]
	}
	err = a.watch(ctx, scope)
	if ctx.Err() != nil { // Ctrl-C is the normal way out of the screen
		return nil
	}
	return err
}
