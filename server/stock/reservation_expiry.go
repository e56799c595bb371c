package stock

import (
	"context"
	"log/slog"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
)

// RunExpiry releases the local warehouse's reservations whose time is up
// until ctx ends: it sends an expiry job (the writer decides each
// reservation in its transaction and logs its reservation.expired entry,
// which replicates like any change), then sleeps until the next expiry the
// writer reported, at most idle, or until this Service makes a reservation
// that expires. Errors are logged and retried after idle.
func (s *Service) RunExpiry(ctx context.Context, idle time.Duration, log *slog.Logger) {
	ctx = auth.AsNode(ctx)
	for {
		wait := idle
		r, err := call(ctx, s, OpReservationExpire, &ExpireRequest{})
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.Warn("expiring reservations", "err", err)
		case len(r.Reservations) >= DefaultPageSize:
			wait = 0 // more may be due
		case r.Next != nil:
			wait = min(idle, max(0, time.Until(*r.Next)))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.expiring:
			t.Stop()
		case <-t.C:
		}
	}
}

// nudgeExpiry wakes RunExpiry to reckon with a reservation that expires.
func (s *Service) nudgeExpiry() {
	select {
	case s.expiring <- struct{}{}:
	default:
	}
}
