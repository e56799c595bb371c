package feed

import (
	"testing"

	"github.com/stockmesh/stockmesh/server/stock"
)

func ev(wh, sku string, seq, qty, delta int64) Event {
	return Event{Change: stock.Change{Warehouse: wh, SKU: sku, Seq: seq, Quantity: qty, Delta: delta,
		MovementID: "m", Kind: "RECEIPT", Reference: "r", Note: "n", Actor: "admin"}}
}

func deletion(wh, sku string, seq int64) Event {
	return Event{Change: stock.Change{Warehouse: wh, SKU: sku, Seq: seq, Deleted: true}}
}

func drainBuffered(s *subscriber) []Event {
	var got []Event
	for {
		e, ok := s.next()
		if !ok {
			return got
		}
		got = append(got, e)
	}
}

func TestSubscriberBuffering(t *testing.T) {
	type want struct {
		sku     string
		qty     int64
		delta   int64
		seq     int64
		merged  bool
		deleted bool
	}
	tests := []struct {
		name  string
		limit int
		in    []Event
		want  []want
	}{
		{
			name:  "within limit every event arrives as is",
			limit: 3,
			in:    []Event{ev("w", "a", 1, 5, 5), ev("w", "b", 2, 1, 1), ev("w", "a", 3, 4, -1)},
			want:  []want{{"a", 5, 5, 1, false, false}, {"b", 1, 1, 2, false, false}, {"a", 4, -1, 3, false, false}},
		},
		{
			name:  "overflow merges per sku with summed deltas and latest quantity",
			limit: 1,
			in: []Event{
				ev("w", "a", 1, 5, 5), ev("w", "a", 2, 7, 2), ev("w", "b", 3, 1, 1),
				ev("w", "a", 4, 4, -3), ev("w", "b", 5, 3, 2),
			},
			want: []want{{"a", 5, 5, 1, false, false}, {"a", 4, -1, 4, true, false}, {"b", 3, 3, 5, true, false}},
		},
		{
			name:  "a single overflowed event is not marked merged",
			limit: 1,
			in:    []Event{ev("w", "a", 1, 5, 5), ev("w", "b", 2, 1, 1)},
			want:  []want{{"a", 5, 5, 1, false, false}, {"b", 1, 1, 2, false, false}},
		},
		{
			name:  "warehouses are merged apart",
			limit: 1,
			in: []Event{
				ev("w1", "a", 1, 1, 1), ev("w2", "a", 1, 9, 9), ev("w1", "a", 2, 2, 1), ev("w2", "a", 2, 8, -1),
			},
			want: []want{{"a", 1, 1, 1, false, false}, {"a", 8, 8, 2, true, false}, {"a", 2, 1, 2, false, false}},
		},
		{
			name:  "a deletion within limit arrives as is",
			limit: 3,
			in:    []Event{ev("w", "a", 1, 0, -5), deletion("w", "a", 2)},
			want:  []want{{"a", 0, -5, 1, false, false}, {"a", 0, 0, 2, false, true}},
		},
		{
			name:  "a merged run ending in a deletion says deleted",
			limit: 1,
			in:    []Event{ev("w", "b", 1, 1, 1), ev("w", "a", 2, 3, -2), ev("w", "a", 3, 0, -3), deletion("w", "a", 4)},
			want:  []want{{"b", 1, 1, 1, false, false}, {"a", 0, -5, 4, true, true}},
		},
		{
			name:  "a merged run after a deletion is no longer deleted",
			limit: 1,
			in:    []Event{ev("w", "b", 1, 1, 1), deletion("w", "a", 2), ev("w", "a", 3, 4, 4)},
			want:  []want{{"b", 1, 1, 1, false, false}, {"a", 4, 4, 3, true, false}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSubscriber(Filter{}, tt.limit, nil, nil)
			for _, e := range tt.in {
				s.push(e)
			}
			got := drainBuffered(s)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d events %+v, want %d", len(got), got, len(tt.want))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.SKU != w.sku || g.Quantity != w.qty || g.Delta != w.delta || g.Seq != w.seq || g.Merged != w.merged || g.Deleted != w.deleted {
					t.Errorf("event %d = %+v, want %+v", i, g, w)
				}
				if g.Merged && (g.MovementID != "" || g.Kind != "" || g.Reference != "" || g.Note != "" || g.Actor != "") {
					t.Errorf("merged event %d keeps movement details: %+v", i, g)
				}
			}
		})
	}
}

func TestSubscriberLeavesCatchUpModeWhenDrained(t *testing.T) {
	s := newSubscriber(Filter{}, 1, nil, nil)
	if s.push(ev("w", "a", 1, 1, 1)) {
		t.Fatal("first push reported falling behind")
	}
	if !s.push(ev("w", "a", 2, 2, 1)) {
		t.Fatal("overflowing push did not report falling behind")
	}
	drainBuffered(s)
	if s.push(ev("w", "a", 3, 3, 1)) {
		t.Fatal("push after draining reported falling behind")
	}
	got := drainBuffered(s)
	if len(got) != 1 || got[0].Merged || got[0].Seq != 3 {
		t.Fatalf("after draining got %+v, want the single unmerged event 3", got)
	}
}

func TestFilterMatch(t *testing.T) {
	e := Event{Change: stock.Change{Warehouse: "w1", SKU: "a"}}
	tests := []struct {
		name   string
		filter Filter
		want   bool
	}{
		{"empty matches all", Filter{}, true},
		{"warehouse matches", Filter{Warehouse: "w1"}, true},
		{"other warehouse", Filter{Warehouse: "w2"}, false},
		{"sku matches", Filter{SKU: "a"}, true},
		{"other sku", Filter{SKU: "b"}, false},
		{"both match", Filter{Warehouse: "w1", SKU: "a"}, true},
		{"warehouse matches sku does not", Filter{Warehouse: "w1", SKU: "b"}, false},
		{"sku matches warehouse does not", Filter{Warehouse: "w2", SKU: "a"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.filter.Match(e); got != tt.want {
				t.Errorf("%+v.Match(%+v) = %v, want %v", tt.filter, e, got, tt.want)
			}
		})
	}
}
