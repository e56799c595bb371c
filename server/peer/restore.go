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

// restoreWithin bounds how long Restore waits for a member to admit this
// node (the member joined through may learn of the join from the CA
// holder by gossip).
const restoreWithin = 30 * time.Second

// Restore copies into this node the history of its own warehouse, id, that
// the members at urls hold, before the node sets id up: a node whose data
// folder was wiped and that joins again under its id carries on its log
// (same epoch, the next seq) instead of beginning another that the network
// would refuse. It asks the first member of urls that admits this node, in
// turn (the member joined through, then the CA holder, which admitted it:
// a member that relayed the join but failed to record its answer, under
// load, waits for gossip). It returns the last seq restored, 0 when the
// network holds no history of id.
func Restore(ctx context.Context, local Applier, hc *http.Client, urls []string, id string, log *slog.Logger) (int64, error) {
	cs := make([]*client, len(urls))
	for i, u := range urls {
		cs[i] = &client{http: hc, base: strings.TrimRight(u, "/")}
	}
	c, heads, err := admitted(ctx, cs)
	if err != nil {
		return 0, fmt.Errorf("restoring the history of %s from %s: %w", id, strings.Join(urls, " or "), err)
	}
	url := c.base
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

// admitted asks cs's members for their heads, in turn, until one admits
// this node, and returns it with its heads.
func admitted(ctx context.Context, cs []*client) (*client, *HeadsReply, error) {
	deadline := time.Now().Add(restoreWithin)
	for i := 0; ; i++ {
		c := cs[i%len(cs)]
		heads, err := c.heads(ctx, 0, 0)
		if err == nil || time.Now().After(deadline) {
			return c, heads, err
		}
		if err := wait.For(ctx, 300*time.Millisecond/time.Duration(len(cs))); err != nil {
			return nil, nil, err
		}
	}
}
