package console

import (
	"testing"

	"github.com/stockmesh/stockmesh/client/remote"
	"github.com/stockmesh/stockmesh/internal/api"
)

// TestRefKey: the key of a movement with a reference is the same for the
// same kind, sku, quantity and reference, whatever the note, and differs
// when any of those four differs.
func TestRefKey(t *testing.T) {
	ref := func(s string) *string { return &s }
	base := remote.NewMovement{Kind: api.KindSale, SKU: "A1", Quantity: 3, Reference: ref("ORD-7")}
	same := base
	same.Note = ref("re-run after a timeout")
	if refKey(base) != refKey(same) {
		t.Errorf("the note changes the key: %s, %s", refKey(base), refKey(same))
	}
	for name, other := range map[string]remote.NewMovement{
		"kind":      {Kind: api.KindPurchase, SKU: "A1", Quantity: 3, Reference: ref("ORD-7")},
		"sku":       {Kind: api.KindSale, SKU: "a1", Quantity: 3, Reference: ref("ORD-7")},
		"quantity":  {Kind: api.KindSale, SKU: "A1", Quantity: 4, Reference: ref("ORD-7")},
		"reference": {Kind: api.KindSale, SKU: "A1", Quantity: 3, Reference: ref("ORD-8")},
		"joined":    {Kind: api.KindSale, SKU: "A1", Quantity: 3, Reference: ref("ORD-7\x00")},
	} {
		if refKey(other) == refKey(base) {
			t.Errorf("another %s gives the same key %s", name, refKey(base))
		}
	}
	if k := refKey(base); len(k) > 128 || k[:len(refKeyPrefix)] != refKeyPrefix {
		t.Errorf("key %q is not a ref key the node takes", k)
	}
}

func TestMovementSeq(t *testing.T) {
	for id, want := range map[string]int64{"MAD-1:42": 42, "a:b:7": 7, "MAD-1": -1, "MAD-1:x": -1, "": -1} {
		if got := movementSeq(id); got != want {
			t.Errorf("movementSeq(%q) = %d, want %d", id, got, want)
		}
	}
}
