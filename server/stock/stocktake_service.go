package stock

import (
	"context"

	"github.com/stockmesh/stockmesh/server/auth"
)

// StartStocktake starts a stocktake of the local warehouse: of in.SKUs, or
// of every live product when it names none, each line's snapshot taken at
// one seq of the warehouse's log. A sku already in another open stocktake
// is INVALID_INPUT naming it; an unknown one NOT_FOUND.
func (s *Service) StartStocktake(ctx context.Context, in StartStocktakeInput) (*Stocktake, error) {
	return call(ctx, s, OpStocktakeStart, &in)
}

// RecordCount records a count of a line of an open stocktake of the local
// warehouse, and returns the line with its expected quantity and
// variance. A later count replaces it; a sku not on the sheet is added.
func (s *Service) RecordCount(ctx context.Context, in RecordCountInput) (*StocktakeLine, error) {
	return call(ctx, s, OpStocktakeCount, &in)
}

// RecordCounts records many counts of one open stocktake in one write:
// all of them, or, when one is refused, none (the error names its line).
func (s *Service) RecordCounts(ctx context.Context, in CountsInput) ([]StocktakeLine, error) {
	c, err := call(ctx, s, OpStocktakeCounts, &in)
	if err != nil {
		return nil, err
	}
	return c.Lines, nil
}

// FinalizeStocktake posts the variances of an open stocktake of the local
// warehouse as ADJUSTMENTs, in one write, and returns it FINALIZED. It
// needs the admin role when the variance value, in absolute value, is
// above StocktakeAdminAbove; finalizing again returns it as it is, a
// cancelled one is INVALID_INPUT.
func (s *Service) FinalizeStocktake(ctx context.Context, id string) (*Stocktake, error) {
	p, _ := auth.FromContext(ctx)
	return call(ctx, s, OpStocktakeFinalize, &FinalizeInput{ID: id, AdminAbove: s.StocktakeAdminAbove, Admin: p.Role.AtLeast(auth.RoleAdmin)})
}

// CancelStocktake cancels an open stocktake of the local warehouse;
// cancelling again returns it as it is, a finalized one is INVALID_INPUT.
func (s *Service) CancelStocktake(ctx context.Context, id string) (*Stocktake, error) {
	return call(ctx, s, OpStocktakeCancel, &StocktakeRef{ID: id})
}

// Stocktake returns the stocktake with id and its lines, or NOT_FOUND.
func (s *Service) Stocktake(ctx context.Context, id string) (*Stocktake, error) {
	return call(ctx, s, OpStocktakeGet, &StocktakeRef{ID: id})
}

// Stocktakes returns a page of the stocktakes this node holds, newest
// first, with their lines.
func (s *Service) Stocktakes(ctx context.Context, q StocktakeQuery) (*StocktakePage, error) {
	return call(ctx, s, OpStocktakeList, &q)
}
