package feed

// Backlog holds the changes a subscriber (of the hub, or of a shared
// execution) missed while it could take no more: one event per key, merged as
// Event describes, in the order keys first fell behind. Delivering a
// Backlog empty before anything newer keeps each key's events in commit
// order. The zero value is empty and ready; a Backlog is not safe for
// concurrent use.
type Backlog struct {
	pending map[key]*Event
	order   []key
}

// Add records e, merging it into the change already waiting for its key.
func (b *Backlog) Add(e Event) {
	k := keyOf(e)
	if p, ok := b.pending[k]; ok {
		p.merge(e)
		return
	}
	if b.pending == nil {
		b.pending = make(map[key]*Event)
	}
	b.pending[k] = &e
	b.order = append(b.order, k)
}

// Len returns how many events wait.
func (b *Backlog) Len() int { return len(b.order) }

// Next takes the oldest waiting event, reporting false when none waits.
func (b *Backlog) Next() (Event, bool) {
	if len(b.order) == 0 {
		return Event{}, false
	}
	k := b.order[0]
	b.order = b.order[1:]
	e := *b.pending[k]
	delete(b.pending, k)
	if len(b.order) == 0 {
		b.order, b.pending = nil, nil
	}
	return e, true
}
