package stock

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
)

// ledgerQueue answers export jobs from n movements, newest first, counting
// the pages it served.
type ledgerQueue struct {
	n     int
	pages atomic.Int32
}

func (q *ledgerQueue) Do(_ context.Context, class Class, job []byte) ([]byte, error) {
	_, body, err := DecodeJob(job)
	if err != nil {
		return nil, err
	}
	if class == ClassWrite { // a movement recorded, as the writer would answer
		return EncodeReply(&Movement{ID: MovementID("W", 1), Warehouse: "W", Seq: 1, SKU: "A", Kind: KindPurchase, Quantity: 1}), nil
	}
	var eq ExportQuery
	if err := DecodeValue(body, &eq); err != nil {
		return nil, err
	}
	start := q.n // seqs n..1, newest first
	if eq.After != "" {
		pos, err := DecodeMovementCursor(eq.After)
		if err != nil {
			return nil, err
		}
		start = int(pos.Seq) - 1
	}
	page := &MovementPage{Movements: []Movement{}}
	for seq := start; seq >= 1 && len(page.Movements) < eq.First; seq-- {
		page.Movements = append(page.Movements, Movement{ID: MovementID("W", int64(seq)), Warehouse: "W", Seq: int64(seq),
			CreatedAt: time.Unix(int64(seq), 0).UTC()})
	}
	page.HasNext = len(page.Movements) > 0 && page.Movements[len(page.Movements)-1].Seq > 1
	q.pages.Add(1)
	return EncodeReply(page), nil
}

// TestExportMovementsPages: an export reads every movement once, newest
// first, page after page, and stops at the callback's first error.
func TestExportMovementsPages(t *testing.T) {
	for _, n := range []int{0, 1, MaxExportPage, MaxExportPage + 1, 3*MaxExportPage + 7} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			q := &ledgerQueue{n: n}
			s := NewService(q)
			want := int64(n)
			err := s.ExportMovements(auth.AsNode(context.Background()), ExportQuery{}, func(m *Movement) error {
				if m.Seq != want {
					return fmt.Errorf("got seq %d, want %d", m.Seq, want)
				}
				want--
				return nil
			})
			if err != nil || want != 0 {
				t.Fatalf("export: %v, %d movements left", err, want)
			}
		})
	}
	stop := errors.New("enough")
	seen := 0
	err := NewService(&ledgerQueue{n: 3 * MaxExportPage}).ExportMovements(auth.AsNode(context.Background()), ExportQuery{}, func(*Movement) error {
		if seen++; seen == MaxExportPage+5 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || seen != MaxExportPage+5 {
		t.Fatalf("export went on after its callback failed: %v after %d", err, seen)
	}
}

// TestExportYieldsToWrites: alone, an export asks for the next page while
// it hands out this one; once a write went through the Service, it asks
// for the next page only after handing out this one (and rests between):
// checked at each page's last movement, once every goroutine of the
// export is blocked (synctest.Wait: an early request has been made by
// then, and an expected one too).
func TestExportYieldsToWrites(t *testing.T) {
	for _, writes := range []bool{false, true} {
		t.Run(fmt.Sprintf("writes=%v", writes), func(t *testing.T) { synctest.Test(t, func(t *testing.T) { testExportYields(t, writes) }) })
	}
}

func testExportYields(t *testing.T, writes bool) {
	q := &ledgerQueue{n: 3 * MaxExportPage}
	s := NewService(q)
	ctx := auth.AsNode(context.Background())
	if writes {
		if _, err := s.RecordMovement(ctx, MovementInput{SKU: "A", Kind: KindPurchase, Quantity: 1}); err != nil {
			t.Fatal(err)
		}
		if !s.writesFlow() {
			t.Fatal("a write just went through, and writes do not flow")
		}
		// Writes keep flowing for the whole export, however slow the machine.
		s.wrote.Store(time.Now().Add(time.Hour).UnixNano())
	}
	handed := 0
	err := s.ExportMovements(ctx, ExportQuery{}, func(*Movement) error {
		page := int32(handed/MaxExportPage + 1)
		last := page == 3
		handed++
		if handed%MaxExportPage != 0 {
			return nil
		}
		synctest.Wait() // a page asked for, early or as expected, has been by now
		if writes || last {
			if got := q.pages.Load(); got != page {
				return fmt.Errorf("handing out page %d, %d pages asked for", page, got)
			}
			return nil
		}
		if got := q.pages.Load(); got != page+1 {
			return fmt.Errorf("alone, page %d was not asked for while page %d was handed out (%d asked for)", page+1, page, got)
		}
		return nil
	})
	if err != nil || handed != 3*MaxExportPage {
		t.Fatalf("export: %v after %d movements", err, handed)
	}
}

// TestQueryMoments: the zero time is a moment a stock is asked at (it was
// 0), and a report's zone must be one the caller can name: not the
// server's own "Local".
func TestQueryMoments(t *testing.T) {
	tests := []struct {
		name string
		q    Normalizer
		ok   bool
	}{
		{"stock at the zero time", &StockAtQuery{SKU: "A", At: time.Time{}}, true},
		{"stock now", &StockAtQuery{SKU: "A", At: time.Now()}, true},
		{"report in UTC", &ReportQuery{GroupBy: []ReportGroup{GroupDay}}, true},
		{"report in Madrid", &ReportQuery{GroupBy: []ReportGroup{GroupDay}, TimeZone: "Europe/Madrid"}, true},
		{"report in the server's zone", &ReportQuery{GroupBy: []ReportGroup{GroupDay}, TimeZone: "Local"}, false},
		{"report in a file's zone", &ReportQuery{GroupBy: []ReportGroup{GroupDay}, TimeZone: "/etc/localtime"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.q.Normalize()
			if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrInvalidInput)) {
				t.Errorf("Normalize = %v, want ok %v (else INVALID_INPUT)", err, tt.ok)
			}
		})
	}
}
