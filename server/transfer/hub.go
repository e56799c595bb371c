package transfer

import (
	"github.com/stockmesh/stockmesh/server/feed"
	"github.com/stockmesh/stockmesh/server/stock"
)

// Hub fans transfer updates out to watchers (feed.Latest: Publish never
// blocks and drops nothing; a watcher that falls behind keeps each changed
// transfer once, in its latest state). A node's Hub is fed by the node's
// stream of committed entries (see Take), which fills the stream's own
// gaps from the log.
type Hub struct {
	*feed.Latest[stock.Transfer]
	again *feed.Rereads[string]
}

// NewHub returns a Hub without watchers.
func NewHub() *Hub {
	return &Hub{Latest: feed.NewLatest(func(t stock.Transfer) string { return t.ID },
		func(t stock.Transfer) (string, string) { return t.From, t.To }), again: feed.NewRereads[string]()}
}
