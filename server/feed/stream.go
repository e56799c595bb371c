package feed

import "github.com/stockmesh/stockmesh/server/stock"

// Consumer takes a Stream's committed log entries, each origin's in seq
// order, each once. Take runs on the stream's one goroutine (the node's
// event pump) and must not block: a consumer hands an entry to buffers of
// its own, bounded (the Hub merges per sku; the transfer hub keeps each
// transfer's latest state; the replication watcher keeps each log's head).
// e is shared by every consumer and must not be modified or kept. Active
// reports whether the consumer needs entries now.
type Consumer interface {
	Take(e *stock.LogEntry)
	Active() bool
}

// HeadFollower follows only how far each origin's log reached (the
// replication watcher, peer.Watcher, which wakes long-polling peers).
// Advance must not block and must ignore a seq at or below one it had.
type HeadFollower interface {
	Advance(origin string, seq int64)
}

// Stream is the node's one ordered stream of committed log entries: the
// local warehouse's changes as its writer commits them, and the runs of
// other warehouses' logs the node applied, every entry of them, read back
// from the log. A Sequencer feeds it, so each origin's entries arrive
// once and in order, gaps filled from the log. Every live feature is a
// filter over it: stock changes and reorder points (Hub), transfers
// (transfer.Hub), replication wake-ups (peer.Watcher, a HeadFollower).
// Head followers hear of every entry as it comes, decoded or not (Head);
// while no consumer is Active, the pump neither decodes nor tracks entries
// (see Sequencer.Forget), so an idle node pays only for the heads.
type Stream struct {
	heads     []HeadFollower
	consumers []Consumer
}

// NewStream returns a Stream telling heads of every entry's head and
// handing its entries to consumers, in this order.
func NewStream(heads []HeadFollower, consumers ...Consumer) *Stream {
	return &Stream{heads: heads, consumers: consumers}
}

// Head tells the head followers that origin's log reached seq. The pump
// calls it for every message it receives, before any decoding; the
// Sequencer for every entry it publishes, gap-filled ones too.
func (s *Stream) Head(origin string, seq int64) {
	for _, h := range s.heads {
		h.Advance(origin, seq)
	}
}

// Active reports whether any consumer needs entries now.
func (s *Stream) Active() bool {
	for _, c := range s.consumers {
		if c.Active() {
			return true
		}
	}
	return false
}

// publish hands e to every consumer.
func (s *Stream) publish(e *stock.LogEntry) {
	s.Head(e.Origin, e.Seq)
	for _, c := range s.consumers {
		c.Take(e)
	}
}

// Take publishes the event e makes, if any (see EventOf): the Hub is the
// stream's consumer of stock changes and reorder points.
func (h *Hub) Take(e *stock.LogEntry) {
	if ev, ok := EventOf(e); ok {
		h.Publish(ev)
	}
}

// Active reports whether anyone subscribes.
func (h *Hub) Active() bool { return h.Subscribers() > 0 }

var _ Consumer = (*Hub)(nil)

// EventOf returns the event a committed entry makes for the Hub: its stock
// change (a movement, a deletion, a reservation's), or for a product's
// creation or update the product's quantity and reorder point
// (Event.ReorderPoint), which change no stock; false for any other entry.
func EventOf(e *stock.LogEntry) (Event, bool) {
	if c, ok := e.Change(); ok {
		return Event{Change: c}, true
	}
	if p := e.Product; p != nil && (e.Type == stock.EntryProductCreated || e.Type == stock.EntryProductUpdated) {
		rp := p.ReorderPoint
		return Event{Change: stock.Change{Warehouse: e.Origin, SKU: p.SKU, Quantity: p.Quantity, Seq: e.Seq, At: e.At},
			ReorderPoint: &rp, Created: e.Type == stock.EntryProductCreated}, true
	}
	return Event{}, false
}
