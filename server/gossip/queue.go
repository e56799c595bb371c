package gossip

import "slices"

// entry is a queued change: an update of a member's state or an item.
type entry struct {
	key    string
	update *Update
	item   *Item
	sent   int // times piggy-backed so far
	order  int // when it was queued, to break ties oldest first
}

// broadcasts is the queue of changes to spread. A change with the key of
// a queued one replaces it (a member's newer state, an item's newer
// version), so the queue holds at most one entry per member and key.
type broadcasts struct {
	entries []*entry
	byKey   map[string]*entry
	count   int
}

// add queues e, replacing a queued entry of its key.
func (q *broadcasts) add(e entry) {
	if q.byKey == nil {
		q.byKey = map[string]*entry{}
	}
	q.count++
	e.order = q.count
	if old := q.byKey[e.key]; old != nil {
		*old = e
		return
	}
	p := &e
	q.byKey[e.key] = p
	q.entries = append(q.entries, p)
}

// empty reports whether nothing is queued.
func (q *broadcasts) empty() bool { return len(q.entries) == 0 }

// fill piggy-backs up to max queued changes on m, those sent least often
// first, and drops each change once it was sent limit times.
func (q *broadcasts) fill(m *Message, max, limit int) {
	if max <= 0 || len(q.entries) == 0 {
		return
	}
	slices.SortStableFunc(q.entries, func(a, b *entry) int {
		if a.sent != b.sent {
			return a.sent - b.sent
		}
		return a.order - b.order
	})
	for _, e := range q.entries[:min(max, len(q.entries))] {
		if e.update != nil {
			if e.update.ID == m.To && e.update.State != Alive {
				continue // the buddy system put it first already, or it is news for the member itself
			}
			m.Updates = append(m.Updates, *e.update)
		} else {
			m.Items = append(m.Items, *e.item)
		}
		e.sent++
	}
	q.entries = slices.DeleteFunc(q.entries, func(e *entry) bool {
		if e.sent < limit {
			return false
		}
		delete(q.byKey, e.key)
		return true
	})
}
