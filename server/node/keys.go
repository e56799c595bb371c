package node

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/stockmesh/stockmesh/internal/datalock"
	"github.com/stockmesh/stockmesh/internal/sealing"
	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/store"
)

// DefaultStocktakeAdminAbove is the variance value above which finalizing
// a stocktake needs an admin when --stocktake-admin-above is not given:
// 1,000.00.
const DefaultStocktakeAdminAbove = stock.Amount(1000 * 10_000)

// reservationIdle is the longest the node waits between looking for
// reservations whose time is up, when none it knows of expires sooner.
const reservationIdle = time.Minute

// Background resealing (stock.Service.Reseal): rows per write job, and how
// often a node with nothing left to reseal looks for a rotation.
const (
	resealBatch = 500
	resealIdle  = 2 * time.Second
)

// RotateKeys makes a new key for the data at rest of the node whose data
// is in dataDir and returns its id. With a node serving the folder it asks
// that node (the rotateKeys mutation), which reseals every stored value in
// the background at once. With none it rotates offline: it writes the new
// key file, and the node reseals when it next starts; a database handler
// running without its node (a dbworker) is refused, as it would not see
// the new key.
func RotateKeys(ctx context.Context, dataDir string, log *slog.Logger) (int64, error) {
	var id int64
	err := administer(ctx, dataDir, "stockmeshd keys rotate",
		func(ctx context.Context, r remote) error {
			var data struct{ RotateKeys stock.KeyRotation }
			err := r.graphQL(ctx, `mutation { rotateKeys { key } }`, nil, &data)
			id = data.RotateKeys.Key
			return err
		},
		func(context.Context) error {
			dbLock, err := datalock.Acquire(dataDir, DatabaseLockFile, "stockmeshd keys rotate")
			if err != nil {
				return fmt.Errorf("a database handler serves %s: stop it, or rotate through its node: %w", dataDir, err)
			}
			defer dbLock.Release()
			if err := started(dataDir, store.FileName, "database"); err != nil {
				return err
			}
			ring, err := sealing.Load(filepath.Join(dataDir, sealing.Dir))
			if err != nil {
				return err
			}
			k, err := ring.Rotate()
			if err == nil {
				log.Info("new key for data at rest; the node reseals stored values when it starts", "key", k)
			}
			id = int64(k)
			return err
		})
	return id, err
}
