package graph

import (
	"context"
	"testing"

	"github.com/stockmesh/stockmesh/server/stock"
)

// TestTransferUpdatedNeedsAViewer: the transferUpdated subscription checks
// its caller's role itself, as every other subscription does, rather than
// trusting the transport to have: a context without a principal is
// refused before it watches anything.
func TestTransferUpdatedNeedsAViewer(t *testing.T) {
	ch, err := watchTransfers(context.Background(), nil, "")
	if ch != nil || stock.CodeOf(err) != stock.CodeUnauthenticated {
		t.Fatalf("watchTransfers without a principal = %v, %v; want UNAUTHENTICATED", ch, err)
	}
}
