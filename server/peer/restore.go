package peer

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/internal/wait"
)

// restoreWithin bounds how long Restore waits for the member to admit this
// node (it may learn of the join from the issuer by a heartbeat).
const restoreWithin = 30 * time.Second

// Restore copies into this node the history of its own warehouse, id, that
// the member at url holds, before the node sets id up: a node whose data
// folder was wiped and that joins again under its id carries on its log
// (same epoch, the next seq) instead of beginning another that the network
// would refuse. It returns the last seq restored, 0 when the network holds
// no history of id.
func Restore(ctx context.Context, local Applier, hc *http.Client, url, id string, log *slog.Logger) (int64, error) {
	c := &client{http: hc, base: strings.TrimRight(url, "/")}
	heads, err := admitted(ctx, c)
	if err != nil {
		return 0, fmt.Errorf("restoring the history of %s from %s: %w", id, url, err)
	}
	var head int64
	for _, h := range heads.Heads {
		if h.Origin == id {
			head = h.LastSeq
		}
	}
	var have int64
	for have < head {
		run := fetch(ctx, c, id, have, 0)
		if run.err != nil {
			return have, fmt.Errorf("restoring the history of %s from %s: %w", id, url, run.err)
		}
		if len(run.reply.Entries) == 0 {
			break
		}
		if err := local.ApplyChanges(ctx, run.reply.batch(url)); err != nil {
			return have, fmt.Errorf("restoring the history of %s: %w", id, err)
		}
		have = run.reply.Entries[len(run.reply.Entries)-1].Seq
	}
	if have > 0 {
		log.Info("restored this warehouse's history from the network", "id", id, "from", url, "last_seq", have)
	}
	return have, nil
}

// admitted asks c's member for its heads until it admits this node.
func admitted(ctx context.Context, c *client) (*HeadsReply, error) {
	deadline := time.Now().Add(restoreWithin)
	for {
		heads, err := c.heads(ctx, 0, 0)
		if err == nil || time.Now().After(deadline) {
			return heads, err
		}
		if err := wait.For(ctx, 300*time.Millisecond); err != nil {
			return nil, err
		}
	}
}
