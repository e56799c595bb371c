package stock

import (
	"context"
	"log/slog"
	"time"

	pause "github.com/stockmesh/stockmesh/internal/wait"
)

// KeyRotation is the reply of keys.rotate: the key new values are sealed
// with from now on.
type KeyRotation struct {
	Key int64 `json:"key"`
}

// ResealRequest asks the writer to reseal at most Limit stored values
// with the current key: one batch of the background pass that follows a
// rotation, or that seals the clear values of a database created before
// sealing.
type ResealRequest struct {
	Limit int `json:"limit"`
}

// MaxResealBatch is the largest batch a ResealRequest may ask for.
const MaxResealBatch = 10_000

// Normalize fills the default batch size and checks it.
func (r *ResealRequest) Normalize() error {
	if r.Limit == 0 {
		r.Limit = 500
	}
	return checkQuantity("limit", int64(r.Limit), 1, MaxResealBatch)
}

// ResealReport is the reply of keys.reseal.
type ResealReport struct {
	Key      int64   `json:"key"`               // the current key
	Resealed int     `json:"resealed"`          // rows resealed by this batch
	Done     bool    `json:"done"`              // every value is sealed with Key, older key files deleted
	Retired  []int64 `json:"retired,omitempty"` // keys whose files this batch deleted
}

// RotateKeys makes a new key current for data at rest. The values sealed
// before are resealed in the background (Reseal), a batch at a time, and
// the old key files deleted once none uses them.
func (s *Service) RotateKeys(ctx context.Context) (*KeyRotation, error) {
	return call(ctx, s, OpKeysRotate, &Empty{})
}

// ResealBatch reseals one batch of stored values with the current key.
func (s *Service) ResealBatch(ctx context.Context, limit int) (*ResealReport, error) {
	return call(ctx, s, OpKeysReseal, &ResealRequest{Limit: limit})
}

// Reseal runs the background pass until ctx ends: one write job of limit
// rows at a time while values remain to be resealed (other writes run
// between them), then it checks every idle for a rotation. Errors are
// logged and retried after idle.
func (s *Service) Reseal(ctx context.Context, limit int, idle time.Duration, log *slog.Logger) {
	for {
		wait := 20 * time.Millisecond // room for other writes between batches
		r, err := s.ResealBatch(ctx, limit)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.Warn("resealing data at rest", "err", err)
			wait = idle
		case len(r.Retired) > 0:
			log.Info("data at rest resealed; old keys deleted", "key", r.Key, "retired", r.Retired)
		}
		if err == nil && r.Done {
			wait = idle
		}
		if pause.For(ctx, wait) != nil {
			return
		}
	}
}
