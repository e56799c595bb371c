package stock

import (
	"context"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/replenish"
)

// A replenishment plan (issue 30) is computed where the levels are: the
// store gathers, in one read, every level of the skus short somewhere
// (on hand, reserved, in transit to it, reorder point, maximum, SALE
// units over the window) and hands them to replenish.Plan, which holds
// every rule of a plan; the reply carries only the suggestions.

// OpReplenishPlan computes a replenishment plan. It is a long read: one
// statement per table over the whole catalogue of every warehouse held,
// on readers of its own so that it never delays product lookups.
var OpReplenishPlan = Op[ReplenishQuery, ReplenishPlan]{"replenish.plan", ClassLongRead, auth.RoleViewer}

func init() { Ops = append(Ops, info(OpReplenishPlan)) }

// ReplenishQuery asks for the transfers that would bring back every
// product at or below its reorder point in the warehouses this node
// holds, or in Warehouse only, or of SKU only. WindowDays is the window
// of the average daily sales (0: replenish.DefaultWindowDays).
type ReplenishQuery struct {
	Warehouse  string `json:"warehouse,omitempty"`
	SKU        string `json:"sku,omitempty"`
	WindowDays int    `json:"windowDays,omitempty"`
}

// MaxWindowDays bounds the window of the average daily sales.
const MaxWindowDays = 366

// Normalize validates the query in place.
func (q *ReplenishQuery) Normalize() (err error) {
	if q.SKU != "" {
		if q.SKU, err = NormalizeSKU(q.SKU); err != nil {
			return err
		}
	}
	if err = normalizeWarehouse(&q.Warehouse); err != nil {
		return err
	}
	return normalizeWindow(&q.WindowDays)
}

// normalizeWindow checks a sales window in days, 0 becoming
// replenish.DefaultWindowDays.
func normalizeWindow(days *int) error {
	if *days < 0 || *days > MaxWindowDays {
		return invalid("windowDays", "%d is not between 0 and %d", *days, MaxWindowDays)
	}
	if *days == 0 {
		*days = replenish.DefaultWindowDays
	}
	return nil
}

// ReplenishPlan is the reply of OpReplenishPlan: the suggestions, most
// urgent destination first, by sku.
type ReplenishPlan struct {
	Suggestions []replenish.Suggestion `json:"suggestions"`
}

// TransferSuggestion is a suggestion of a plan with the warehouses it
// names, as the APIs show it.
type TransferSuggestion struct {
	replenish.Suggestion
	// FromWarehouse and ToWarehouse are the warehouses From and To name.
	FromWarehouse, ToWarehouse *Warehouse
}

// ReplenishmentPlan returns the transfers that would bring back every
// product at or below its reorder point in the warehouses this node holds
// (or in warehouse only, or of sku only; "" for any), as replenish.Plan
// computes them over the node's sales window (SalesWindowDays), each with
// its warehouses (looked up once per plan: a plan of the whole network
// names 24 warehouses tens of thousands of times).
func (s *Service) ReplenishmentPlan(ctx context.Context, warehouse, sku string) ([]*TransferSuggestion, error) {
	p, err := call(ctx, s, OpReplenishPlan, &ReplenishQuery{Warehouse: warehouse, SKU: sku, WindowDays: s.SalesWindowDays})
	if err != nil {
		return nil, err
	}
	known := map[string]*Warehouse{}
	lookup := func(id string) (*Warehouse, error) {
		if w, ok := known[id]; ok {
			return w, nil
		}
		w, err := s.Warehouse(ctx, id)
		known[id] = w
		return w, err
	}
	all := make([]TransferSuggestion, len(p.Suggestions))
	for i, sg := range p.Suggestions {
		all[i].Suggestion = sg
		if all[i].FromWarehouse, err = lookup(sg.From); err == nil {
			all[i].ToWarehouse, err = lookup(sg.To)
		}
		if err != nil {
			return nil, err
		}
	}
	return Pointers(all), nil
}
