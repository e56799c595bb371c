package peer

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// FuzzDecodeChanges: a changes answer from a peer, however malformed, is
// decoded or refused without panicking, and what is accepted names only
// the origin asked for and passes the batch's own checks or is refused by
// them (what log.apply runs before writing).
func FuzzDecodeChanges(f *testing.F) {
	at := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	good, err := stock.EncodeValue(nil, stock.ChangeBatch{Epoch: "e1", Entries: []stock.LogEntry{
		{Origin: "MAD-1", Seq: 1, Type: stock.EntryProductCreated, At: at, Product: &stock.Product{SKU: "A", Name: "a", Warehouse: "MAD-1"}},
	}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add("MAD-1", "1", good)
	f.Add("MAD-1", "x", good)
	f.Add("BCN-1", "1", good)
	f.Add("MAD-1", "1", []byte(`{"epoch":"e1","entries":[{"origin":"MAD-1","seq":-1,"type":"movement"}]}`))
	f.Add("MAD-1", "1", []byte(`{"epoch":"e1","entries":[{"origin":"MAD-1","seq":1,"type":"product.created","product":null}]}`))
	f.Add("MAD-1", "1", []byte(`{"entries":[{}]}`))
	f.Add("MAD-1", "9223372036854775807", []byte(`null`))
	f.Fuzz(func(t *testing.T, origin, lastSeq string, body []byte) {
		h := http.Header{}
		h.Set(OriginHeader, origin)
		h.Set(LastSeqHeader, lastSeq)
		r, err := decodeChanges("MAD-1", h, body)
		if err != nil {
			return
		}
		for _, e := range r.Entries {
			if e.Origin != "MAD-1" {
				t.Fatalf("accepted an entry of %q in MAD-1's log", e.Origin)
			}
		}
		batch := stock.ChangeBatch{Epoch: r.Epoch, Entries: r.Entries}
		_ = batch.Normalize()
	})
}

// FuzzParseChanges: any query string of a changes request is parsed or
// refused with INVALID_INPUT, and what is accepted is within the limits.
func FuzzParseChanges(f *testing.F) {
	for _, q := range []string{"origin=MAD-1", "origin=MAD-1&after=5&limit=100&wait=30", "origin=%FF", "after=-1",
		"origin=A&limit=99999999999999999999", "origin=A&wait=31", "origin=A&after=1e3", "origin=%20%20&limit=0"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		req := httptest.NewRequest("GET", ChangesPath, nil)
		req.URL.RawQuery = raw
		q, err := parseChanges(req)
		if err != nil {
			if stock.CodeOf(err) != stock.CodeInvalidInput {
				t.Fatalf("%q: %v is not INVALID_INPUT", raw, err)
			}
			return
		}
		if q.AfterSeq < 0 || q.Limit < 1 || q.Limit > stock.MaxChangesLimit || q.wait < 0 || q.wait > MaxWait*time.Second || q.Origin == "" {
			t.Fatalf("%q accepted as %+v", raw, q)
		}
	})
}
