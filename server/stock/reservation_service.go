package stock

import (
	"cmp"
	"context"
	"slices"
)

// ReserveStock holds in.Quantity units of in.SKU of the local warehouse
// for an order and returns the reservation, ACTIVE. Units held by other
// reservations cannot be held again: beyond the available stock it is
// INSUFFICIENT_STOCK, with what is in stock, reserved and available. The
// same idempotency key sent again returns the same reservation, and with
// a different request is INVALID_INPUT.
func (s *Service) ReserveStock(ctx context.Context, in ReserveStockInput) (*Reservation, error) {
	r, err := call(ctx, s, OpReservationReserve, &in)
	if err == nil && r.ExpiresAt != nil {
		s.nudgeExpiry()
	}
	return r, err
}

// ReleaseReservation releases an active reservation of the local
// warehouse: its units are available again. Releasing one that ended
// returns it as it is; one of another warehouse is FORBIDDEN.
func (s *Service) ReleaseReservation(ctx context.Context, id string) (*Reservation, error) {
	return call(ctx, s, OpReservationRelease, &ReservationRef{ID: id})
}

// FulfilReservation records the SALE of an active reservation of the local
// warehouse, of quantity units (nil: all it holds; more is INVALID_INPUT),
// releasing the rest, in one write, and returns it FULFILLED. A sale the
// stock cannot cover is INSUFFICIENT_STOCK, changing nothing. Fulfilling
// a fulfilled reservation returns it as it is; a released or expired one
// is INVALID_INPUT.
func (s *Service) FulfilReservation(ctx context.Context, id string, quantity *int64) (*Reservation, error) {
	return call(ctx, s, OpReservationFulfil, &FulfilInput{ID: id, Quantity: quantity})
}

// ExpireReservations expires the local warehouse's active reservations
// whose time is up, at most limit of them (0: the default page), and
// returns them. The node calls it; the writer decides each in its
// transaction, so calling it any number of times expires each once.
func (s *Service) ExpireReservations(ctx context.Context, limit int) ([]Reservation, error) {
	r, err := call(ctx, s, OpReservationExpire, &ExpireRequest{Limit: limit})
	if err != nil {
		return nil, err
	}
	return r.Reservations, nil
}

// Reservation returns the reservation with id as this node holds it, or
// NOT_FOUND.
func (s *Service) Reservation(ctx context.Context, id string) (*Reservation, error) {
	return call(ctx, s, OpReservationGet, &ReservationRef{ID: id})
}

// Reservations returns a page of the reservations this node holds, newest
// first, active ones the stock no longer covers marked AtRisk.
func (s *Service) Reservations(ctx context.Context, q ReservationQuery) (*ReservationPage, error) {
	return call(ctx, s, OpReservationList, &q)
}

// Availability returns the stock level of sku in every warehouse this
// node holds that can supply quantity units now: whose available stock
// (not counting units in transit) is at least quantity, most available
// first, each with its freshness; one read of the local replicas.
func (s *Service) Availability(ctx context.Context, sku string, quantity int64) ([]*StockLevel, error) {
	if err := checkQuantity("quantity", quantity, 1, MaxQuantity); err != nil {
		return nil, err
	}
	levels, err := s.StockLevels(ctx, sku)
	if err != nil {
		return nil, err
	}
	out := slices.DeleteFunc(levels, func(l *StockLevel) bool { return l.Available() < quantity })
	slices.SortStableFunc(out, func(a, b *StockLevel) int { return cmp.Compare(b.Available(), a.Available()) })
	return out, nil
}
