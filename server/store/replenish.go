package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/stockmesh/stockmesh/server/replenish"
	"github.com/stockmesh/stockmesh/server/stock"
)

// registerReplenish adds the handlers of replenishment (issue 30).
func registerReplenish(r registry) {
	onRead(r, stock.OpReplenishPlan, (*Store).replenishmentPlan)
}

// planCandidates selects the skus that may be short somewhere (?1: one
// warehouse, "" every one; ?2: one sku, "" every one): those at or below
// their reorder point, and every sku with units reserved, since
// reservations lower what is available. In-transit units only lift a
// level, so this is a superset of the short ones; replenish.Level.Short
// decides. Then, in any warehouse (any may send to ?1), the skus with
// lots that expire from day ?3 to day ?4, which may be at risk where
// they are (replenish.Expiring decides), through the lines' index by
// expiry. The products' part names its warehouse and sku filters only
// when given (planCandidates), so that SQLite reads one warehouse's or
// one sku's rows through the live products' index on (warehouse, sku)
// rather than every product (a test of ?1 being empty OR matching cannot
// use the index).
const planCandidatesRest = `
	UNION SELECT sku FROM reservations WHERE status = 'ACTIVE'
		AND (?1 = '' OR warehouse_id = ?1) AND (?2 = '' OR sku = ?2)
	UNION SELECT p.sku FROM stock_lines l CROSS JOIN products p
		WHERE l.expires_on BETWEEN ?3 AND ?4 AND p.id = l.product_id AND p.deleted_at IS NULL AND (?2 = '' OR p.sku = ?2)`

// planCandidates returns the candidates' query for a plan of q's
// warehouse and sku (either may be "").
func planCandidates(q *stock.ReplenishQuery) string {
	where := `deleted_at IS NULL AND reorder_point > 0 AND quantity <= reorder_point`
	switch {
	case q.Warehouse != "":
		where += ` AND warehouse_id = ?1`
	case q.SKU != "":
		where += ` AND warehouse_id IN (SELECT id FROM warehouses)`
	}
	if q.SKU != "" {
		where += ` AND sku = ?2`
	}
	return `SELECT sku FROM products WHERE ` + where + planCandidatesRest
}

// planLots selects the units of the skus a JSON array (?1) names per
// warehouse and expiry, of the lots that expire from day ?2 to day ?3.
const planLots = `SELECT p.warehouse_id, p.sku, l.expires_on, SUM(l.quantity)
	FROM stock_lines l CROSS JOIN products p
	WHERE l.expires_on BETWEEN ?2 AND ?3 AND p.id = l.product_id AND p.deleted_at IS NULL
		AND p.sku IN (SELECT value FROM json_each(?1)) GROUP BY 1, 2, 3`

// planGroups selects, per sku (in sku order), the levels of its live
// products in every warehouse: their warehouses, quantities, reorder
// points and maximums, each column's values in one text separated by
// spaces (warehouse ids have none), in the same order. It reads the index
// products_plan alone, which holds every one of those columns by sku
// (declared in ent's schema: ent's migration drops the indexes of its
// tables it does not know); looking each product's row up from the index
// by (warehouse, sku) took most of a plan of 240,000 products. One row per
// sku rather than per product, since every row a read hands Go costs
// about a microsecond; one group_concat per column, since SQLite builds
// each string of a || concatenation apart. The %s is planOnly or nothing.
const planGroups = `SELECT sku, group_concat(warehouse_id, ' '), group_concat(quantity, ' '), group_concat(reorder_point, ' '),
	group_concat(max_stock, ' ') FROM products INDEXED BY products_plan WHERE deleted_at IS NULL%s GROUP BY sku`

// planSales selects, per sku (in sku order), the warehouses and running
// sums of its sales window (saleswindow.go), which salesGap corrects, as
// planGroups does. The %s is planOnly or nothing.
const planSales = `SELECT sku, group_concat(warehouse_id, ' '), group_concat(units, ' ') FROM sales_window WHERE true%s GROUP BY sku`

// planOnly restricts planGroups and planSales to the skus of a JSON array
// (?1).
const planOnly = ` AND sku IN (SELECT value FROM json_each(?1))`

// planReserved selects the units the active reservations of the skus a
// JSON array (?1) names hold per warehouse: one pass over the few active
// reservations rather than a subquery per level.
const planReserved = `SELECT warehouse_id, sku, SUM(quantity) FROM reservations
	WHERE status = 'ACTIVE' AND sku IN (SELECT value FROM json_each(?1)) GROUP BY 1, 2`

// planInTransit selects the units of the skus a JSON array (?1) names on
// their way to each warehouse (stock.Transfer.InTransit in SQL).
const planInTransit = `SELECT CASE WHEN t.cancelled_at IS NULL THEN t.receiver ELSE t.sender END, t.sku, SUM(t.quantity)
	FROM json_each(?1) c CROSS JOIN transfers t
	WHERE t.sku = c.value AND t.received_at IS NULL AND t.returned_at IS NULL GROUP BY 1, 2`

// replenishmentPlan gathers, in one read snapshot, the levels of every
// sku short somewhere (of q's warehouse and sku) and returns the plan
// replenish.Plan makes of them.
func (s *Store) replenishmentPlan(ctx context.Context, q *stock.ReplenishQuery) (*stock.ReplenishPlan, error) {
	if q.Warehouse != "" {
		if _, err := s.warehouseFor(ctx, q.Warehouse); err != nil {
			return nil, err
		}
	}
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("planning replenishment: %w", err)
	}
	defer tx.Rollback()
	ls, err := gatherLevels(ctx, tx, q, time.Now(), s.zone)
	if err != nil {
		return nil, fmt.Errorf("planning replenishment: %w", err)
	}
	var to func(string) bool
	if q.Warehouse != "" {
		to = func(w string) bool { return w == q.Warehouse }
	}
	out := &stock.ReplenishPlan{Suggestions: []replenish.Suggestion{}}
	for i, sku := range ls.skus {
		out.Suggestions = append(out.Suggestions, replenish.Plan(sku, ls.of(i), q.WindowDays, to)...)
	}
	return out, nil
}

// gatherLevels reads the levels of the skus short somewhere (of q's
// warehouse and sku) in every warehouse held that has not left. A plan of
// every warehouse and sku reads every sku's instead, in one pass over
// planGroups' index, rather than first finding the short ones with a pass
// over the products: a sku short nowhere, with nothing reserved and no
// lot about to expire, gets no suggestion from replenish.Plan (no level
// of it is short, and Expiring moves only lots), and in a large network
// nearly every sku is short somewhere.
func gatherLevels(ctx context.Context, tx *sql.Tx, q *stock.ReplenishQuery, now time.Time, zone *time.Location) (*levelSet, error) {
	today := stock.Today(zone, now)                 // lots expire in the warehouse's time zone
	last := today.AddDays(windowDays(q.WindowDays)) // lots further off are not forecast
	var only string
	var args []any
	if q.Warehouse != "" || q.SKU != "" {
		skus, err := queryStrings(ctx, tx, planCandidates(q), q.Warehouse, q.SKU, string(today.AddDays(2)), string(last))
		if err != nil || len(skus) == 0 {
			return &levelSet{}, err
		}
		only, args = planOnly, []any{skuArray(skus)}
	}
	live, err := liveWarehouses(ctx, tx)
	if err != nil {
		return nil, err
	}
	ls := &levelSet{}
	if err := ls.read(ctx, tx, fmt.Sprintf(planGroups, only), args, live); err != nil {
		return nil, err
	}
	if len(ls.skus) == 0 {
		return ls, nil
	}
	if err := ls.readSales(ctx, tx, fmt.Sprintf(planSales, only), args); err != nil {
		return nil, err
	}
	names := skuArray(ls.skus)
	add := func(query string, args []any, set func(l *replenish.Level, n int64)) error {
		return eachRow(ctx, tx, query, args, func(rows *sql.Rows) error {
			var wh, sku string
			var n int64
			if err := rows.Scan(&wh, &sku, &n); err != nil {
				return err
			}
			if l := ls.level(sku, wh); l != nil {
				set(l, n)
			}
			return nil
		})
	}
	err = add(planReserved, []any{names}, func(l *replenish.Level, n int64) { l.Reserved = n })
	if err == nil {
		err = add(planInTransit, []any{names}, func(l *replenish.Level, n int64) { l.InTransitIn = n })
	}
	if err == nil {
		gap := salesGap
		if only == "" {
			gap = salesGapAll
		}
		err = add(gap, []any{names, windowStart(now, q.WindowDays)},
			func(l *replenish.Level, n int64) { l.Sold += n })
	}
	if err == nil {
		err = eachRow(ctx, tx, planLots, []any{names, string(today), string(last)}, func(rows *sql.Rows) error {
			var wh, sku string
			var expires stock.Date
			var n int64
			if err := rows.Scan(&wh, &sku, &expires, &n); err != nil {
				return err
			}
			if l := ls.level(sku, wh); l != nil {
				l.Lots = append(l.Lots, replenish.Lot{DaysLeft: daysBetween(today, expires), Quantity: n})
			}
			return nil
		})
	}
	return ls, err
}

// liveWarehouses returns the ids of the warehouses held that have not
// left, each id its own string (the levels share them).
func liveWarehouses(ctx context.Context, tx *sql.Tx) (map[string]string, error) {
	ids, err := queryStrings(ctx, tx, `SELECT id FROM warehouses WHERE departed_at IS NULL`)
	live := make(map[string]string, len(ids))
	for _, id := range ids {
		live[id] = id
	}
	return live, err
}

// daysBetween returns the whole days from day a to day b.
func daysBetween(a, b stock.Date) int {
	ta, err1 := time.Parse(stock.DateLayout, string(a))
	tb, err2 := time.Parse(stock.DateLayout, string(b))
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(tb.Sub(ta).Hours()+12) / 24 // dates are UTC midnights; +12 h rounds
}

// windowStart returns the first hour (since the Unix epoch) of a sales
// window of days ending at now.
func windowStart(now time.Time, days int) int64 {
	return now.Add(-time.Duration(days)*24*time.Hour).Unix() / 3600
}

// skuArray returns skus as a JSON array, for json_each.
func skuArray(skus []string) string {
	b := []byte{'['}
	for i, s := range skus {
		if i > 0 {
			b = append(b, ',')
		}
		b = stock.AppendJSONString(b, s)
	}
	return string(append(b, ']'))
}

// queryStrings returns the one text column of query's rows.
func queryStrings(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]string, error) {
	var out []string
	err := eachRow(ctx, tx, query, args, func(rows *sql.Rows) error {
		var s string
		err := rows.Scan(&s)
		out = append(out, s)
		return err
	})
	return out, err
}

// eachRow runs query and calls fn on each of its rows.
func eachRow(ctx context.Context, tx *sql.Tx, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// addCover sets the days of cover of each level of out, from the SALE
// units of q's sku over q's window.
func addCover(ctx context.Context, s *Store, q *stock.StockLevelQuery, out *stock.StockLevels, now time.Time) error {
	sold := map[string]int64{}
	rows, err := s.rdb.QueryContext(ctx, salesSince, skuArray([]string{q.SKU}), windowStart(now, q.WindowDays))
	if err != nil {
		return fmt.Errorf("reading the sales of %s: %w", q.SKU, err)
	}
	defer rows.Close()
	for rows.Next() {
		var wh, sku string
		var n int64
		if err := rows.Scan(&wh, &sku, &n); err != nil {
			return fmt.Errorf("reading the sales of %s: %w", q.SKU, err)
		}
		sold[wh] += n
	}
	for i := range out.Levels {
		l := &out.Levels[i]
		lv := replenish.Level{OnHand: l.Quantity, Reserved: l.Reserved, Sold: sold[l.Warehouse]}
		if d, ok := lv.DaysOfCover(q.WindowDays); ok {
			l.DaysOfCover = &d
		}
	}
	return rows.Err()
}
