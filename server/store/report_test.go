package store

import (
	"context"
	"fmt"
	"github.com/stockmesh/stockmesh/internal/sealing"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// priced is a movement with the price its product had when it was
// recorded, as the test knows it.
type priced struct {
	m     stock.Movement
	price stock.Price
}

// synthLog returns a log of origin spread over 40 days from t0 (creations,
// movements of every kind, transfers included, price changes) and the
// movements it records with their prices.
func synthLog(origin string, t0 time.Time, seed uint64, n int) ([]stock.LogEntry, []priced) {
	r := rand.New(rand.NewPCG(seed, 7))
	var log []stock.LogEntry
	var moves []priced
	seq := int64(0)
	price, qty := map[string]stock.Price{}, map[string]int64{}
	skus := []string{"S-0", "S-1", "S-2", "S-3", "S-4"}
	at := t0
	for _, sku := range skus {
		seq++
		price[sku] = stock.Price(1_0000 + r.IntN(90_0000))
		log = append(log, stock.LogEntry{Origin: origin, Seq: seq, At: at, Type: stock.EntryProductCreated,
			Product: &stock.Product{Warehouse: origin, SKU: sku, Name: "N " + sku, Price: price[sku], Seq: seq, CreatedAt: at, UpdatedAt: at}})
	}
	kinds := []stock.Kind{stock.KindPurchase, stock.KindSale, stock.KindReturn, stock.KindAdjustment, stock.KindTransferOut, stock.KindTransferIn}
	for range n {
		at = at.Add(time.Duration(r.Int64N(int64(40*24*time.Hour) / int64(n) * 2))).Truncate(time.Microsecond)
		sku := skus[r.IntN(len(skus))]
		seq++
		if r.IntN(15) == 0 {
			price[sku] = stock.Price(1_0000 + r.IntN(90_0000))
			log = append(log, stock.LogEntry{Origin: origin, Seq: seq, At: at, Type: stock.EntryProductUpdated, Changed: []string{stock.FieldPrice},
				Product: &stock.Product{Warehouse: origin, SKU: sku, Name: "N " + sku, Price: price[sku], Quantity: qty[sku], Seq: seq, CreatedAt: t0, UpdatedAt: at}})
			continue
		}
		k := kinds[r.IntN(len(kinds))]
		d := k.Delta(1 + r.Int64N(9))
		if k == stock.KindAdjustment {
			d = r.Int64N(7) - 3
		}
		if qty[sku]+d < 0 { // a return instead, as a writer never goes below zero
			k, d = stock.KindReturn, -d
		}
		qty[sku] += d
		m := stock.Movement{ID: stock.MovementID(origin, seq), Warehouse: origin, Seq: seq, SKU: sku, Kind: k, Quantity: d,
			Balance: qty[sku], Reference: []string{"", "", "PO-1", "PO-2"}[r.IntN(4)], Actor: []string{"ana", "luis"}[r.IntN(2)], CreatedAt: at}
		log = append(log, stock.LogEntry{Origin: origin, Seq: seq, At: at, Type: stock.EntryMovement, Movement: &m})
		moves = append(moves, priced{m, price[sku]})
	}
	return log, moves
}

// call runs a read of op on h's store and returns its reply or error.
func call[Req, Rep any](t *testing.T, h *harness, op stock.Op[Req, Rep], req *Req) (*Rep, *stock.Error) {
	t.Helper()
	job, err := stock.EncodeJob(stock.JobMeta{Op: op.Name}, req)
	if err != nil {
		t.Fatal(err)
	}
	rep := new(Rep)
	if err := stock.DecodeReply(h.s.HandleRead(context.Background(), job), rep); err != nil {
		e, ok := err.(*stock.Error)
		if !ok {
			t.Fatalf("%s: %v", op.Name, err)
		}
		return nil, e
	}
	return rep, nil
}

// matches reports whether f selects m.
func matches(f stock.MovementFilter, m *stock.Movement) bool {
	return (f.Warehouse == "" || m.Warehouse == f.Warehouse) && (f.SKU == "" || m.SKU == f.SKU) &&
		(len(f.Kinds) == 0 || slices.Contains(f.Kinds, m.Kind)) &&
		(f.Reference == "" || m.Reference == f.Reference) && (f.Actor == "" || m.Actor == f.Actor) &&
		(f.From == nil || !m.CreatedAt.Before(*f.From)) && (f.To == nil || m.CreatedAt.Before(*f.To))
}

// expectedReport computes q's rows from the movements, one by one.
func expectedReport(t *testing.T, moves []priced, q stock.ReportQuery) []stock.ReportRow {
	loc := time.UTC
	if q.TimeZone != "" {
		var err error
		if loc, err = time.LoadLocation(q.TimeZone); err != nil {
			t.Fatal(err)
		}
	}
	rows := map[string]*stock.ReportRow{}
	for _, p := range moves {
		m := &p.m
		if !matches(q.Filter, m) {
			continue
		}
		var keys []string
		for _, g := range q.GroupBy {
			local := m.CreatedAt.In(loc)
			switch g {
			case stock.GroupSKU:
				keys = append(keys, m.SKU)
			case stock.GroupKind:
				keys = append(keys, string(m.Kind))
			case stock.GroupWarehouse:
				keys = append(keys, m.Warehouse)
			case stock.GroupDay:
				keys = append(keys, local.Format("2006-01-02"))
			case stock.GroupMonth:
				keys = append(keys, local.Format("2006-01"))
			case stock.GroupWeek:
				y, w := local.ISOWeek()
				keys = append(keys, time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006")+"-W"+twoDigits(w))
			}
		}
		id := strings.Join(keys, "|")
		r := rows[id]
		if r == nil {
			r = &stock.ReportRow{Keys: keys}
			rows[id] = r
		}
		units := m.Quantity
		if units > 0 {
			r.UnitsIn += units
		} else {
			r.UnitsOut -= units
			units = -units
		}
		r.Net += m.Quantity
		r.Count++
		r.Value += stock.Price(units) * p.price
	}
	out := []stock.ReportRow{}
	for _, r := range rows {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b stock.ReportRow) int { return slices.Compare(a.Keys, b.Keys) })
	return out
}

func twoDigits(n int) string { return string([]byte{byte('0' + n/10), byte('0' + n%10)}) }

// reportNode returns a node of BCN-1 with movements of its own, recorded
// now, and a replica of LIS-1 whose history spans 40 days, with every
// movement the node holds and its price.
func reportNode(t *testing.T) (*harness, []priced) {
	t.Helper()
	h := newReplica(t, &stock.Warehouse{ID: "BCN-1", Name: "Barcelona"})
	log, moves := synthLog("LIS-1", time.Date(2026, 3, 20, 22, 17, 0, 0, time.UTC), 1, 900)
	h.ok(applyJob(log))
	p := h.create("S-1", 40)
	first := h.movements(stock.MovementFilter{Warehouse: "BCN-1"})
	moves = append(moves, priced{first[0], p.Price})
	for i := range 12 {
		m := h.ok(testJob{Op: stock.OpMovementRecord, Actor: "ana", Movement: &stock.MovementInput{SKU: "S-1",
			Kind: []stock.Kind{stock.KindSale, stock.KindPurchase}[i%2], Quantity: int64(1 + i), Reference: "PO-1"}}).Movement
		moves = append(moves, priced{*m, p.Price})
	}
	return h, moves
}

// reportQueries are the reports the tests check: every group, filters the
// rollup answers and those it does not, periods cut by from and to, and
// zones whose offsets are whole hours, half and three quarters.
func reportQueries() []stock.ReportQuery {
	at := func(s string) *time.Time {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			panic(err)
		}
		return &t
	}
	var qs []stock.ReportQuery
	groups := [][]stock.ReportGroup{{stock.GroupWarehouse, stock.GroupMonth}, {stock.GroupSKU}, {stock.GroupKind, stock.GroupDay},
		{stock.GroupWeek, stock.GroupWarehouse, stock.GroupSKU}, {stock.GroupDay}}
	filters := []stock.MovementFilter{{}, {Warehouse: "LIS-1"}, {SKU: "S-1"}, {Kinds: []stock.Kind{stock.KindSale, stock.KindTransferIn}},
		{Reference: "PO-1"}, {Actor: "ana", Warehouse: "LIS-1"},
		{From: at("2026-04-02T10:30:00.5Z"), To: at("2026-04-20T00:00:00Z")},
		{From: at("2026-04-02T10:00:00Z"), To: at("2026-04-02T10:40:00Z"), Warehouse: "LIS-1"},
		{SKU: "S-2", From: at("2026-03-25T07:15:00Z")}}
	for i, f := range filters {
		for j, g := range groups {
			zone := []string{"", "Europe/Madrid", "Asia/Kolkata", "Asia/Kathmandu", "America/New_York"}[(i+j)%5]
			qs = append(qs, stock.ReportQuery{Filter: f, GroupBy: slices.Clone(g), TimeZone: zone})
		}
	}
	return qs
}

// checkReports compares every report with the totals computed from the
// movements.
func checkReports(t *testing.T, h *harness, moves []priced) {
	t.Helper()
	for _, q := range reportQueries() {
		want := expectedReport(t, moves, q)
		got, err := call(t, h, stock.OpMovementReport, &q)
		if err != nil {
			t.Fatalf("report %+v: %s %s", q, err.Code, err.Message)
		}
		if !reflect.DeepEqual(got.Rows, want) {
			t.Errorf("report by %v in %q of %+v:\n got %+v\nwant %+v", q.GroupBy, q.TimeZone, q.Filter, got.Rows, want)
		}
	}
}

// TestReportsMatchTheLedger: every report equals the totals computed
// independently from the movements that made it, on the node, after a
// clean restart and on the files a crash leaves.
func TestReportsMatchTheLedger(t *testing.T) {
	h, moves := reportNode(t)
	checkReports(t, h, moves)
	h.reopen()
	checkReports(t, h, moves)
	m := h.ok(sale("S-1", 2)).Movement
	moves = append(moves, priced{*m, 19_9900})
	crashed := &harness{t: t, dir: crashImage(t, h.dir)}
	crashed.open()
	checkReports(t, crashed, moves)
}

// crashImage copies the database files of dir, open and written to, as a
// crash would leave them, to a new directory.
func crashImage(t *testing.T, dir string) string {
	t.Helper()
	out := t.TempDir()
	if err := os.CopyFS(filepath.Join(out, sealing.Dir), os.DirFS(filepath.Join(dir, sealing.Dir))); err != nil {
		t.Fatal(err) // the keys survive a crash as the database does
	}
	for _, name := range []string{FileName, FileName + "-wal", FileName + "-shm"} {
		src, err := os.Open(filepath.Join(dir, name))
		if os.IsNotExist(err) {
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		dst, err := os.Create(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(dst, src); err != nil {
			t.Fatal(err)
		}
		src.Close()
		dst.Close()
	}
	return out
}

// TestReportRefusals: a report without groups, with a group twice, an
// unknown group or zone, or of a warehouse not held is refused.
func TestReportRefusals(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		name string
		q    stock.ReportQuery
		code stock.Code
	}{
		{"no group", stock.ReportQuery{}, stock.CodeInvalidInput},
		{"twice", stock.ReportQuery{GroupBy: []stock.ReportGroup{"SKU", "sku"}}, stock.CodeInvalidInput},
		{"unknown group", stock.ReportQuery{GroupBy: []stock.ReportGroup{"YEAR"}}, stock.CodeInvalidInput},
		{"unknown zone", stock.ReportQuery{GroupBy: []stock.ReportGroup{"DAY"}, TimeZone: "Mars/Olympus"}, stock.CodeInvalidInput},
		{"unknown warehouse", stock.ReportQuery{GroupBy: []stock.ReportGroup{"DAY"}, Filter: stock.MovementFilter{Warehouse: "NOPE"}}, stock.CodeNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := call(t, h, stock.OpMovementReport, &c.q); err == nil || err.Code != c.code {
				t.Errorf("got %v, want %s", err, c.code)
			}
		})
	}
}

// TestStockAt: the stock at any moment is the balance after the last
// movement until then, per warehouse; 0 before the first.
func TestStockAt(t *testing.T) {
	h, moves := reportNode(t)
	if got, err := call(t, h, stock.OpStockAt, &stock.StockAtQuery{SKU: "S-1", At: time.Time{}, Warehouse: "LIS-1"}); err != nil || got.Quantity != 0 {
		t.Errorf("stock at the zero time = %+v, %v; want 0", got, err)
	}
	r := rand.New(rand.NewPCG(3, 3))
	t0, t1 := moves[0].m.CreatedAt.Add(-time.Hour), time.Now().Add(time.Hour)
	for range 300 {
		at := t0.Add(time.Duration(r.Int64N(int64(t1.Sub(t0)))))
		if r.IntN(10) == 0 { // exactly at a movement
			at = moves[r.IntN(len(moves))].m.CreatedAt
		}
		for _, wh := range []string{"LIS-1", "BCN-1"} {
			for _, sku := range []string{"S-1", "S-3"} {
				var want int64
				for _, p := range moves {
					if p.m.Warehouse == wh && p.m.SKU == sku && !p.m.CreatedAt.After(at) {
						want = p.m.Balance
					}
				}
				got, err := call(t, h, stock.OpStockAt, &stock.StockAtQuery{SKU: sku, At: at, Warehouse: wh})
				if err != nil || got.Quantity != want {
					t.Fatalf("stock of %s in %s at %v = %+v, %v; want %d", sku, wh, at, got, err, want)
				}
			}
		}
	}
}

// TestHistoryAcrossWarehouses: paging every warehouse's movements with any
// filter while new ones arrive visits each movement that existed at the
// start exactly once, newest first.
func TestHistoryAcrossWarehouses(t *testing.T) {
	h, moves := reportNode(t)
	from := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	filters := []stock.MovementFilter{{}, {SKU: "S-1"}, {Reference: "PO-1"}, {Actor: "ana"}, {Warehouse: "LIS-1", Kinds: []stock.Kind{stock.KindSale}},
		{From: &from}, {SKU: "S-1", Warehouse: "BCN-1"}}
	for _, f := range filters {
		var want []string
		for _, p := range moves {
			if matches(f, &p.m) {
				want = append(want, p.m.ID)
			}
		}
		var got []string
		q := stock.MovementQuery{Filter: f, First: 37}
		var last *stock.Movement
		for {
			p := h.ok(testJob{Op: stock.OpMovementList, Movements: &q}).MovementPage
			for i := range p.Movements {
				m := &p.Movements[i]
				if last != nil && stock.MovementCursor(last) == stock.MovementCursor(m) {
					t.Fatalf("%+v: %s twice", f, m.ID)
				}
				if last != nil && m.CreatedAt.After(last.CreatedAt) {
					t.Fatalf("%+v: %s after %s is newer", f, m.ID, last.ID)
				}
				if m.Warehouse != "BCN-1" || !m.CreatedAt.After(time.Now().Add(-time.Minute)) || slices.Contains(want, m.ID) {
					got = append(got, m.ID)
				}
				last = m
			}
			h.ok(testJob{Op: stock.OpMovementRecord, Actor: "ana", Movement: &stock.MovementInput{SKU: "S-1", Kind: stock.KindPurchase, Quantity: 1, Reference: "PO-1"}})
			if !p.HasNext {
				break
			}
			q.After = stock.MovementCursor(&p.Movements[len(p.Movements)-1])
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%+v: visited %d movements, want the %d that existed at the start", f, len(got), len(want))
		}
	}
}

// TestProductHistory: a sku's history lists its creation, updates (with
// the fields changed and who changed them) and deletion, across a
// re-creation, on its node and on a replica; its query searches the log's
// product index.
func TestProductHistory(t *testing.T) {
	h := newHarness(t)
	h.create("H", 5)
	name, price := "Renamed", stock.Price(25_0000)
	h.ok(testJob{Op: stock.OpProductUpdate, Actor: "ana", SKU: "H", Update: &stock.UpdateProductInput{Name: &name}})
	h.ok(testJob{Op: stock.OpProductUpdate, Actor: "luis", SKU: "H", Update: &stock.UpdateProductInput{Price: &price}})
	h.ok(sale("H", 1))
	h.ok(testJob{Op: stock.OpProductDelete, Actor: "ana", SKU: "H"})
	h.create("H", 1)
	want := "CREATED [] Product H 19.99 | UPDATED [name] Renamed 19.99 ana | UPDATED [price] Renamed 25.00 luis | " +
		"DELETED [] Renamed 25.00 ana | CREATED [] Product H 19.99"
	show := func(hist *stock.ProductHistory) string {
		var parts []string
		for _, c := range hist.Changes {
			parts = append(parts, strings.TrimSpace(fmt.Sprintf("%s %v %s %s %s", c.Kind, c.Changed, c.Name, c.Price, c.Actor)))
		}
		return strings.Join(parts, " | ")
	}
	got, err := call(t, h, stock.OpProductHistory, &stock.ProductRef{SKU: "H"})
	if err != nil || show(got) != want {
		t.Fatalf("history = %v, %v\nwant %s", show(got), err, want)
	}
	replica := newReplica(t, &stock.Warehouse{ID: "BCN-1", Name: "B"})
	replica.ok(applyJob(readLog(t, h, "MAD-1", 100)))
	if got, err := call(t, replica, stock.OpProductHistory, &stock.ProductRef{SKU: "H", Warehouse: "MAD-1"}); err != nil || show(got) != want {
		t.Fatalf("history on a replica = %v, %v", show(got), err)
	}
	if _, err := call(t, h, stock.OpProductHistory, &stock.ProductRef{SKU: "NOPE"}); err == nil || err.Code != stock.CodeNotFound {
		t.Fatalf("history of an unknown sku: %v", err)
	}
	plan := queryPlan(t, h, productHistorySQL, []any{"MAD-1", "H"})
	if !strings.Contains(plan, "SEARCH change_log USING INDEX change_log_product") || strings.Contains(plan, "TEMP B-TREE") {
		t.Fatalf("history plan: %s", plan)
	}
}

// TestRollupBackfill: a database whose ledger predates the rollup gets it
// filled from the ledger when it opens, and its reports add up.
func TestRollupBackfill(t *testing.T) {
	h, moves := reportNode(t)
	if _, err := h.s.wdb.Exec("DROP TABLE movement_rollup"); err != nil {
		t.Fatal(err)
	}
	h.reopen()
	checkReports(t, h, moves)
}

// TestReportRowCap: a report answers at most stock.MaxReportRows rows;
// one that would have more is refused as INVALID_INPUT saying how to
// narrow it, from the rollup and from the ledger alike.
func TestReportRowCap(t *testing.T) {
	h := newHarness(t)
	one := int64(1)
	im := &stock.ProductImport{}
	for i := range stock.MaxReportRows + 1 {
		im.Rows = append(im.Rows, stock.ImportRow{Line: i + 2, SKU: fmt.Sprintf("S-%05d", i), Name: "P", Price: 1, Quantity: &one})
	}
	tok(h, stock.OpProductImport, im) // as "tester"
	tests := []struct {
		name string
		q    stock.ReportQuery
		rows int // 0: refused
	}{
		{"a row per sku", stock.ReportQuery{GroupBy: []stock.ReportGroup{stock.GroupSKU}}, 0},
		{"a row per sku, from the ledger", stock.ReportQuery{GroupBy: []stock.ReportGroup{stock.GroupSKU},
			Filter: stock.MovementFilter{Actor: "tester"}}, 0},
		{"a row per kind", stock.ReportQuery{GroupBy: []stock.ReportGroup{stock.GroupKind}}, 1},
		{"one sku", stock.ReportQuery{GroupBy: []stock.ReportGroup{stock.GroupSKU}, Filter: stock.MovementFilter{SKU: "S-00001"}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, e := call(t, h, stock.OpMovementReport, &tt.q)
			switch {
			case tt.rows == 0 && (e == nil || e.Code != stock.CodeInvalidInput || !strings.Contains(e.Message, "narrow the filter")):
				t.Errorf("report: %v, want INVALID_INPUT saying to narrow it", e)
			case tt.rows > 0 && (e != nil || len(rep.Rows) != tt.rows):
				t.Errorf("report: %v, %+v; want %d rows", e, rep, tt.rows)
			}
		})
	}
}
