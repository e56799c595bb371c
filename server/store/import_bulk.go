package store

import (
	"fmt"
	"strings"

	"github.com/stockmesh/stockmesh/ent"
	"github.com/stockmesh/stockmesh/server/stock"
)

// bulkRows is how many rows one multi-row INSERT of an import writes (at
// 16 columns, well under SQLite's 32,766 parameters).
const bulkRows = 500

// initialNote is the note of the PURCHASE that records a new product's
// initial quantity.
const initialNote = "initial stock"

// createImported creates the products of rows, none of them live in
// warehouse, as insertProduct does one at a time but with multi-row
// INSERTs: each product at its final state, its product.created entry
// (quantity 0) and, for a positive quantity, its PURCHASE and the
// movement's entry. A chunk of new products spent most of its writer time
// in one statement per row.
func (b *batch) createImported(warehouse string, rows []*stock.ImportRow) error {
	if len(rows) == 0 {
		return nil
	}
	now, start := b.now(), len(b.changes)
	stamp := timestamp(now)
	products := make([]*ent.Product, len(rows))
	moves := make([]*stock.Movement, len(rows))
	args := make([]any, 0, len(rows)*11)
	for i, r := range rows {
		in := r.Create()
		p := &ent.Product{WarehouseID: warehouse, Sku: in.SKU, Name: in.Name, Description: in.Description,
			Price: int64(in.Price), ReorderPoint: in.ReorderPoint, Seq: b.w.nextSeq(), CreatedAt: now, UpdatedAt: now,
			MaxStock: in.MaxStock}
		if err := b.appendLogBulk(&stock.LogEntry{Origin: warehouse, Seq: p.Seq, At: now,
			Type: stock.EntryProductCreated, Product: productOf(p), Actor: b.meta.Actor}); err != nil {
			return err
		}
		if q := in.InitialQuantity; q > 0 {
			mv := &stock.Movement{Warehouse: warehouse, Seq: b.w.nextSeq(), SKU: p.Sku, Kind: stock.KindPurchase,
				Quantity: q, Balance: q, Note: initialNote, Actor: b.meta.Actor, CreatedAt: now}
			mv.ID = stock.MovementID(warehouse, mv.Seq)
			if err := b.appendLogBulk(&stock.LogEntry{Origin: warehouse, Seq: mv.Seq, At: now,
				Type: stock.EntryMovement, Movement: mv}); err != nil {
				return err
			}
			b.changes[len(b.changes)-1].held = new(int64) // a new product: nothing reserved
			p.Quantity, p.Seq, moves[i] = q, mv.Seq, mv
		}
		products[i] = p
		args = append(args, warehouse, p.Sku, p.Name, p.Description, p.Price, p.Quantity, p.ReorderPoint, p.Seq, stamp, stamp, p.MaxStock)
	}
	b.wrote = true
	if err := b.insertProducts(products, args); err != nil {
		return err
	}
	if err := b.s.hooks.afterFirstWrite(); err != nil {
		return err
	}
	if err := b.insertMovements(products, moves, stamp); err != nil {
		return err
	}
	return b.flushLogBulk(b.changes[start:])
}

// insertProducts inserts products, whose columns args holds in order, and
// sets their ids.
func (b *batch) insertProducts(products []*ent.Product, args []any) error {
	const cols = 11
	ids := make(map[string]int, len(products))
	for from := 0; from < len(products); from += bulkRows {
		n := min(bulkRows, len(products)-from)
		q := multiInsert(`INSERT INTO products (warehouse_id, sku, name, description, price, quantity,
			reorder_point, seq, created_at, updated_at, max_stock) VALUES `, cols, n) + ` RETURNING id, sku`
		rows, err := b.wc.conn.QueryContext(b.ctx, q, args[from*cols:(from+n)*cols]...)
		if err != nil {
			return fmt.Errorf("creating products: %w", err)
		}
		for rows.Next() {
			var id int
			var sku string
			if err := rows.Scan(&id, &sku); err != nil {
				rows.Close()
				return fmt.Errorf("creating products: %w", err)
			}
			ids[sku] = id
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("creating products: %w", err)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("creating products: %w", err)
		}
	}
	for _, p := range products {
		if p.ID = ids[p.Sku]; p.ID == 0 {
			return fmt.Errorf("creating product %s: no id returned", p.Sku)
		}
	}
	return nil
}

// insertMovements appends the movements of products (nil for none), made
// at stamp, to the ledger, sealed as insertMovement does, and notes them
// for the rollup.
func (b *batch) insertMovements(products []*ent.Product, moves []*stock.Movement, stamp string) error {
	const cols = 16
	args := make([]any, 0, bulkRows*cols)
	flush := func(n int) error {
		if n == 0 {
			return nil
		}
		q := multiInsert(`INSERT INTO movements (warehouse_id, seq, product_id, sku, kind, quantity, balance,
			reference, note, actor, idempotency_key, fingerprint, created_at, price, reference_hash, actor_hash) VALUES `, cols, n)
		if _, err := b.wc.conn.ExecContext(b.ctx, q, args...); err != nil {
			return fmt.Errorf("recording initial stock: %w", err)
		}
		args = args[:0]
		return nil
	}
	n := 0
	for i, mv := range moves {
		if mv == nil {
			continue
		}
		p := products[i]
		sm := b.s.sealMovement(b.sealer, mv)
		args = append(args, mv.Warehouse, mv.Seq, p.ID, mv.SKU, string(mv.Kind), mv.Quantity, mv.Balance,
			sm.reference, sm.note, sm.actor, nil, "", stamp, p.Price, sm.referenceHash, sm.actorHash)
		b.movedAt(mv.Seq)
		if n++; n == bulkRows {
			if err := flush(n); err != nil {
				return err
			}
			n = 0
		}
	}
	return flush(n)
}

// appendLogBulk encodes e and queues it for publication, as appendLog
// does; flushLogBulk inserts it.
func (b *batch) appendLogBulk(e *stock.LogEntry) error {
	data, err := stock.EncodeValue(make([]byte, 0, 384), e)
	if err != nil {
		return fmt.Errorf("encoding log entry %s:%d: %w", e.Origin, e.Seq, err)
	}
	b.changes = append(b.changes, logged{e: e, data: data})
	return nil
}

// flushLogBulk inserts pending, log entries of the local warehouse
// appendLogBulk queued, with multi-row INSERTs, each as insertLog stores
// it.
func (b *batch) flushLogBulk(pending []logged) error {
	const cols = 6
	var job any
	if b.meta.Key != "" {
		job = b.meta.Key
	}
	args := make([]any, 0, bulkRows*cols)
	for from := 0; from < len(pending); from += bulkRows {
		chunk := pending[from:min(from+bulkRows, len(pending))]
		args = args[:0]
		for _, c := range chunk {
			var stored any
			if s, err := b.storedData(c.e, c.data); err != nil {
				return err
			} else if s != nil {
				stored = s
			}
			args = append(args, c.e.Origin, c.e.Seq, c.e.At.UnixNano(), string(c.e.Type), job, stored)
		}
		q := multiInsert(`INSERT INTO change_log (origin, seq, at, type, job, data) VALUES `, cols, len(chunk))
		if _, err := b.wc.conn.ExecContext(b.ctx, q, args...); err != nil {
			return fmt.Errorf("appending %d log entries: %w", len(chunk), err)
		}
	}
	return nil
}

// multiInsert returns head followed by n groups of cols placeholders.
func multiInsert(head string, cols, n int) string {
	group := "(?" + strings.Repeat(",?", cols-1) + ")"
	var sb strings.Builder
	sb.Grow(len(head) + n*(len(group)+1))
	sb.WriteString(head)
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(group)
	}
	return sb.String()
}
