package store

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/stockmesh/stockmesh/ent"
	"github.com/stockmesh/stockmesh/ent/product"
	"github.com/stockmesh/stockmesh/ent/warehouse"
	"github.com/stockmesh/stockmesh/server/stock"
)

// applyChanges applies a run of another warehouse's log entries to its
// replica here, exactly as the origin computed them, and appends them to
// this node's copy of that log, in one transaction: entries already held
// are skipped, and one that would leave a gap is refused. A node never
// applies entries of its own warehouse: it is their only writer.
func (b *batch) applyChanges(in *stock.ChangeBatch) (*stock.ApplyResult, error) {
	if len(in.Entries) == 0 {
		return &stock.ApplyResult{}, nil
	}
	origin := in.Entries[0].Origin
	if b.w.local != nil && origin == b.w.local.ID {
		return nil, stock.Errorf(stock.CodeInvalidInput, "the changes of %s are made only by this node", origin)
	}
	last, err := lastSeq(b.ctx, b.wc.conn, origin)
	if err != nil {
		return nil, err
	}
	if err := b.checkEpoch(origin, in.Epoch); err != nil {
		return nil, err
	}
	problem, err := b.problemKind(origin)
	if err != nil {
		return nil, err
	}
	upto, rejected, err := b.verifyRun(in, origin, last, problem)
	if err != nil || rejected != nil {
		return &stock.ApplyResult{Rejected: rejected}, err
	}
	entries := in.Entries
	for i := range entries {
		if entries[i].Seq > upto { // past the signed head: the next run's
			entries = entries[:i]
			break
		}
	}
	if err := b.ensureWarehouse(origin, in.Epoch); err != nil {
		return nil, err
	}
	left, err := b.leftAt(origin)
	if err != nil {
		return nil, err
	}
	r := &replicaRun{origin: origin, stock: map[string]replicaStock{}, held: map[string]int64{}}
	for i := range entries {
		e := &entries[i]
		switch {
		case e.Seq <= last:
			continue
		case e.Seq != last+1:
			return nil, stock.Errorf(stock.CodeInvalidInput, "the log of %s continues at %d here, not %d", origin, last+1, e.Seq)
		case left != nil:
			return nil, afterDeparture(e)
		}
		var err error
		if e.Type == stock.EntryWarehouseLeft {
			left = &e.At
			err = b.applyDeparture(e)
		} else if e.Type.IsTransfer() {
			err = b.applyTransfer(e) // published at once, as a product change is
		} else if e.Type.IsReservation() {
			err = b.applyReservation(e) // published at once, as a transfer is
			delete(r.held, e.Reservation.SKU)
			r.holds = 1
		} else if e.Type.IsStocktake() {
			err = b.applyStocktake(e)
		} else if e.Type.IsLocation() {
			err = b.applyLocation(e)
		} else if e.Type.IsTransferRequest() {
			err = b.applyRequest(e)
		} else if e.Type == stock.EntryMovement {
			if err = b.applyMovement(e, r); err == nil {
				err = b.insertLog(e, nil)
			}
			if err == nil {
				err = r.noteHeld(b, e)
			}
		} else if err = b.settle(r, e.Product.SKU); err == nil {
			if err = b.apply(e); err == nil {
				err = b.appendLog(e) // published at once: one message a rare product change
			}
		}
		if err != nil {
			return nil, err
		}
		if r.applied == 0 {
			r.from = e.Seq
		}
		last, r.applied = e.Seq, r.applied+1
	}
	if err := b.settle(r, ""); err != nil {
		return nil, err
	}
	if r.applied > 0 {
		if err := b.rollup(origin, r.from, last); err != nil {
			return nil, err
		}
		if err := b.insertHead(origin, in.Proof.Head); err != nil {
			return nil, err
		}
		if problem == stock.ProblemUnverifiable { // a verified run clears it
			if err := b.clearUnverifiable(origin); err != nil {
				return nil, err
			}
		}
		// One message for the run; its followers read the entries from the log.
		run := &stock.LogEntry{Origin: origin, Seq: last, From: r.from, Type: stock.EntryRun}
		data, err := stock.EncodeValue(nil, run)
		if err != nil {
			return nil, err
		}
		b.changes = append(b.changes, logged{e: run, data: data})
	}
	return &stock.ApplyResult{Held: r.after}, nil
}

// replicaRun is what applying one run of a log keeps between entries: the
// stock each product reached (with its id), by sku, written once the run is over (or before a product entry of it)
// rather than once per movement: nothing reads it in between, the run
// being one transaction.
type replicaRun struct {
	origin  string
	stock   map[string]replicaStock
	applied int   // entries applied
	from    int64 // the first of them
	// held is the units the active reservations of a sku hold as the run
	// stands, read once per sku and forgotten at its reservation entries;
	// after, by seq, those right after each movement, where not 0; holds
	// whether the origin may have any active reservation here (0: not read
	// yet, 1: may, -1: none, so no sku is read).
	held  map[string]int64
	after map[int64]int64
	holds int
}

// noteHeld notes the units reserved right after e, a movement the run
// applied (see stock.ApplyResult.Held).
func (r *replicaRun) noteHeld(b *batch, e *stock.LogEntry) error {
	if r.holds == 0 {
		var some bool
		if err := b.queryRowPrep(`SELECT EXISTS (SELECT 1 FROM reservations WHERE warehouse_id = ? AND status = 'ACTIVE')`,
			[]any{r.origin}, &some); err != nil {
			return fmt.Errorf("reading the reservations of %s: %w", r.origin, err)
		}
		r.holds = map[bool]int{true: 1, false: -1}[some]
	}
	if r.holds < 0 {
		return nil
	}
	sku := e.Movement.SKU
	n, ok := r.held[sku]
	if !ok {
		var err error
		if n, err = b.heldOf(r.origin, sku); err != nil {
			return err
		}
		r.held[sku] = n
	}
	if n != 0 {
		if r.after == nil {
			r.after = map[int64]int64{}
		}
		r.after[e.Seq] = n
	}
	return nil
}

// replicaStock is a replica product's stock after its last movement in the
// run.
type replicaStock struct {
	id       int
	quantity int64
	seq      int64
	at       time.Time
}

// settle writes the stock the run's movements left to the product with
// sku, or to every product when sku is "".
func (b *batch) settle(r *replicaRun, sku string) error {
	for s, st := range r.stock {
		if sku != "" && s != sku {
			continue
		}
		if err := b.exec(stSetQuantity, st.quantity, st.seq, timestamp(st.at), st.id); err != nil {
			return err
		}
		delete(r.stock, s)
	}
	return nil
}

// ensureWarehouse records a warehouse known by its id, if it is not yet,
// with the epoch of its log, and records the epoch of a warehouse known
// without one. checkEpoch has refused a batch of another epoch already.
func (b *batch) ensureWarehouse(id, epoch string) error {
	w, err := b.client().Warehouse.Query().Where(warehouse.ID(id)).Only(b.ctx)
	switch {
	case ent.IsNotFound(err):
		return b.client().Warehouse.Create().SetID(id).SetName(id).SetEpoch(epoch).SetCreatedAt(b.now()).Exec(b.ctx)
	case err != nil:
		return err
	case epoch != "" && w.Epoch == "":
		return w.Update().SetEpoch(epoch).Exec(b.ctx)
	}
	return nil
}

// checkEpoch refuses, writing nothing, a run of a log of another epoch
// than the one this node holds of id (the origin's log was begun again
// under the same id, and mixing the two histories would corrupt both);
// an empty epoch checks nothing. It runs before the run's signature is
// checked, so that a log begun again is told as such.
func (b *batch) checkEpoch(id, epoch string) error {
	var held string
	err := b.wc.conn.QueryRowContext(b.ctx, `SELECT epoch FROM warehouses WHERE id = ?`, id).Scan(&held)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	case epoch == "" || held == "" || held == epoch:
		return nil
	}
	e := *stock.ErrEpoch
	e.Message = fmt.Sprintf("the log of %s was begun again (epoch %s, this node holds epoch %s): "+
		"its new history is not mixed with the old one", id, epoch, held)
	return &e
}

// applyMovement records a movement entry in its warehouse's replica with
// the writer's prepared statements: catching up on a long log is mostly
// movements, and ent's builders cost more than SQLite itself here.
func (b *batch) applyMovement(e *stock.LogEntry, r *replicaRun) error {
	m := e.Movement
	st, moved := r.stock[m.SKU] // the stock the run left it, not yet written
	id, before := st.id, st.quantity
	if !moved {
		err := b.queryRow(stLiveProduct, []any{e.Origin, m.SKU}, &id, &before)
		if errors.Is(err, sql.ErrNoRows) {
			return stock.InvalidEntry(e, "movement.sku", "moves product %s, which the replica does not hold", m.SKU)
		}
		if err != nil {
			return err
		}
	}
	if err := checkBalance(e, before); err != nil {
		return err
	}
	b.wrote = true
	r.stock[m.SKU] = replicaStock{id: id, quantity: m.Balance, seq: e.Seq, at: e.At}
	fp := ""
	if m.IdempotencyKey != "" {
		fp = b.s.digest(recordedRequest(m))
	}
	row := *m // stored under the entry's origin and seq, as sealed
	row.Warehouse, row.Seq = e.Origin, e.Seq
	if err := b.insertMovement(id, &row, fp, timestamp(m.CreatedAt)); err != nil || m.Lots == nil {
		return err
	}
	if err := b.movePieces(id, m, nil); err != nil {
		return stock.InvalidEntry(e, "movement.lots", "%s", stock.Message(err))
	}
	return b.checkLinesHeld(e, id, m.Balance)
}

// apply makes the change a product entry records in its warehouse's
// replica.
func (b *batch) apply(e *stock.LogEntry) error {
	if e.Type == stock.EntryProductCreated {
		if err := b.checkCreated(e); err != nil {
			return err
		}
		p := e.Product
		return b.client().Product.Create().
			SetWarehouseID(e.Origin).SetSku(p.SKU).SetName(p.Name).SetDescription(p.Description).
			SetPrice(int64(p.Price)).SetQuantity(p.Quantity).SetReorderPoint(p.ReorderPoint).
			SetUnit(p.Unit).SetPacks(encodePacks(p.Packs)).
			SetMaxStock(p.MaxStock).
			SetSeq(e.Seq).SetCreatedAt(p.CreatedAt).SetUpdatedAt(e.At).Exec(b.ctx)
	}
	sku := ""
	if e.Movement != nil {
		sku = e.Movement.SKU
	} else if e.Product != nil {
		sku = e.Product.SKU
	}
	p, err := b.client().Product.Query().
		Where(product.WarehouseID(e.Origin), product.Sku(sku), product.DeletedAtIsNil()).Only(b.ctx)
	if ent.IsNotFound(err) {
		return stock.InvalidEntry(e, "product.sku", "changes product %s, which the replica does not hold", sku)
	}
	if err != nil {
		return err
	}
	u := b.client().Product.UpdateOne(p).SetSeq(e.Seq).SetUpdatedAt(e.At)
	switch e.Type {
	case stock.EntryProductUpdated:
		setChanged(u, e)
	case stock.EntryProductDeleted:
		if err := checkDeleted(e, p.Quantity); err != nil {
			return err
		}
		u.SetDeletedAt(e.At)
	default:
		return stock.InvalidEntry(e, "type", "%q is not the type of a product entry", e.Type)
	}
	if err != nil {
		return err
	}
	return u.Exec(b.ctx)
}

// setChanged sets on u the fields a product.updated entry names.
func setChanged(u *ent.ProductUpdateOne, e *stock.LogEntry) {
	for _, f := range e.Changed {
		switch f {
		case stock.FieldName:
			u.SetName(e.Product.Name)
		case stock.FieldDescription:
			u.SetDescription(e.Product.Description)
		case stock.FieldPrice:
			u.SetPrice(int64(e.Product.Price))
		case stock.FieldReorderPoint:
			u.SetReorderPoint(e.Product.ReorderPoint)
		case stock.FieldUnit:
			u.SetUnit(e.Product.Unit)
		case stock.FieldPacks:
			u.SetPacks(encodePacks(e.Product.Packs))
		case stock.FieldMaxStock:
			u.SetMaxStock(e.Product.MaxStock)
		}
	}
}
