package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// bigCatalogue returns a products CSV of lines new products with 10 units
// each, a long description each, so that the file is over 1 MiB.
func bigCatalogue(lines int, name string) string {
	var b strings.Builder
	b.WriteString("sku,name,description,price,quantity\n")
	desc := strings.Repeat("a long description ", 14)
	for i := range lines {
		fmt.Fprintf(&b, "BIG-%05d,%s %d,%s,1.25,10\n", i, name, i, desc)
	}
	return b.String()
}

// TestLargeImport: a catalogue of more lines than a write job applies and
// over the 1 MiB body limit of other requests is imported whole, staged
// and applied chunk by chunk while movements recorded beside it are all
// applied; it answers its real result, sent again with its key it answers
// the same without applying anything again, and the key with another file
// is refused.
func TestLargeImport(t *testing.T) {
	n := testnode.Start(t)
	mustCreate(t, n, "BESIDE", 0)
	const lines = 5_000
	file := bigCatalogue(lines, "Imported")
	if len(file) <= 1<<20 {
		t.Fatalf("the catalogue is %d bytes; the test needs over 1 MiB", len(file))
	}
	key := map[string]string{"Content-Type": "text/csv", "Idempotency-Key": "catalogue-1"}
	done := make(chan struct{})
	recorded := 0
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			r, err := n.GraphQL(context.Background(), `mutation { recordMovement(input: {sku: "BESIDE", kind: PURCHASE, quantity: 1}) { id } }`, nil)
			if err != nil || len(r.Errors) > 0 {
				t.Errorf("a movement beside the import: %v %+v", err, r)
				return
			}
			recorded++
		}
	})
	status, _, body := request(t, n, "POST", "/api/v1/products/import", n.Token, key, file)
	close(done)
	wg.Wait()
	want := fmt.Sprintf("{\"created\":%d,\"updated\":0,\"unchanged\":0}\n", lines)
	if status != 200 || body != want {
		t.Fatalf("import: %d %s; want 200 %s", status, body, want)
	}
	for _, sku := range []string{"BIG-00000", fmt.Sprintf("BIG-%05d", lines-1)} {
		if q, m := quantity(t, n, sku), ledger(t, n, sku); q != 10 || len(m) != 1 {
			t.Errorf("%s: quantity %d, ledger %+v; want 10 and its initial stock", sku, q, m)
		}
	}
	if q := quantity(t, n, "BESIDE"); q != recorded {
		t.Errorf("BESIDE holds %d after %d purchases recorded beside the import", q, recorded)
	}
	if status, _, again := request(t, n, "POST", "/api/v1/products/import", n.Token, key, file); status != 200 || again != body {
		t.Errorf("sent again with its key: %d %s; want the first answer", status, again)
	}
	if m := ledger(t, n, "BIG-00000"); len(m) != 1 {
		t.Errorf("BIG-00000's ledger after the import was sent again: %+v", m)
	}
	if status, _, other := request(t, n, "POST", "/api/v1/products/import", n.Token, key, bigCatalogue(lines, "Other")); status != 400 || !strings.Contains(other, "INVALID_INPUT") {
		t.Errorf("the key with another file: %d %s; want 400 INVALID_INPUT", status, other)
	}
}
