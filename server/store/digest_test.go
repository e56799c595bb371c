package store

import (
	"math/rand/v2"
	"testing"

	"github.com/stockmesh/stockmesh/server/stock"
)

// digestOf returns h's log.digest reply for origin.
func digestOf(t *testing.T, h *harness, origin string) *stock.Replica {
	t.Helper()
	return h.ok(testJob{Op: stock.OpReplica, In: origin}).Replica
}

// sameReplica reports whether a and b say the same.
func sameReplica(a, b *stock.Replica) bool {
	return a.Origin == b.Origin && a.Seq == b.Seq && a.Digest == b.Digest &&
		(a.AsOf == nil) == (b.AsOf == nil) && (a.AsOf == nil || a.AsOf.Equal(*b.AsOf))
}

// TestReplicaDigest applies a random log to a replica in random pieces,
// asking for its digest after each (so that most are resumed from the
// cached one), and checks that the replica's digest of the whole log is
// the origin's, also computed afresh after a reopen; that a replica given
// the same log with one entry different has the same seq but another
// digest; and that the origin's digest moves on with its log.
func TestReplicaDigest(t *testing.T) {
	origin := newHarness(t)
	loadRandomly(t, origin, 11, 24)
	log := readLog(t, origin, "MAD-1", 500)
	want := digestOf(t, origin, "MAD-1")
	last := log[len(log)-1]
	if want.Seq != last.Seq || want.AsOf == nil || !want.AsOf.Equal(last.At) || len(want.Digest) != 64 {
		t.Fatalf("origin's replica = %+v, want seq %d as of %v", want, last.Seq, last.At)
	}

	node := newReplica(t, &stock.Warehouse{ID: "BCN-1"})
	r := rand.New(rand.NewPCG(5, 6))
	seen := map[string]int64{}
	for applied := 0; applied < len(log); {
		end := min(len(log), applied+1+r.IntN(80))
		node.ok(applyJob(log[applied:end]))
		applied = end
		got := digestOf(t, node, "MAD-1")
		if got.Seq != int64(applied) {
			t.Fatalf("after applying %d entries the replica says seq %d", applied, got.Seq)
		}
		if prev, ok := seen[got.Digest]; ok {
			t.Fatalf("the digest at seq %d equals the one at %d", got.Seq, prev)
		}
		seen[got.Digest] = got.Seq
	}
	if got := digestOf(t, node, "MAD-1"); !sameReplica(got, want) {
		t.Errorf("replica's digest %+v, want the origin's %+v", got, want)
	}
	node.reopen()
	if got := digestOf(t, node, "MAD-1"); !sameReplica(got, want) {
		t.Errorf("after a reopen, replica's digest %+v, want the origin's %+v", got, want)
	}

	cases := []struct {
		name   string
		change func(e *stock.LogEntry)
	}{
		{"a movement's note", func(e *stock.LogEntry) { m := *e.Movement; m.Note += "!"; e.Movement = &m }},
		{"a movement's actor", func(e *stock.LogEntry) { m := *e.Movement; m.Actor += "x"; e.Movement = &m }},
		{"an entry's time", func(e *stock.LogEntry) {
			m := *e.Movement
			m.CreatedAt = m.CreatedAt.Add(1)
			e.At, e.Movement = e.At.Add(1), &m
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := append([]stock.LogEntry(nil), log...)
			i := len(bad) / 2
			for bad[i].Type != stock.EntryMovement {
				i++
			}
			c.change(&bad[i])
			other := newReplica(t, nil)
			other.ok(applyJob(bad))
			got := digestOf(t, other, "MAD-1")
			if got.Seq != want.Seq || got.Digest == want.Digest {
				t.Errorf("with entry %d changed the digest is %+v, want seq %d and a digest other than %s", bad[i].Seq, got, want.Seq, want.Digest)
			}
		})
	}

	origin.create("LATER", 3)
	moved := digestOf(t, origin, "MAD-1")
	origin.reopen()
	if fresh := digestOf(t, origin, "MAD-1"); moved.Seq != want.Seq+2 || moved.Digest == want.Digest || !sameReplica(fresh, moved) {
		t.Errorf("after two more changes the origin's digest is %+v (afresh %+v), was %+v", moved, fresh, want)
	}
	if r := origin.read(testJob{Op: stock.OpReplica, In: "NOPE-1"}); code(r) != stock.CodeNotFound {
		t.Errorf("digest of an unknown warehouse: %+v, want NOT_FOUND", r)
	}
	if got := digestOf(t, newReplica(t, &stock.Warehouse{ID: "NEW-1"}), "NEW-1"); got.Seq != 0 || got.AsOf != nil || got.Digest != (&stock.LogDigest{}).String() {
		t.Errorf("digest of a warehouse without changes = %+v, want seq 0 and the empty digest", got)
	}
}
