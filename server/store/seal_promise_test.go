package store

import (
	"context"
	"testing"

	"github.com/stockmesh/stockmesh/internal/sealing"
	"github.com/stockmesh/stockmesh/server/stock"
)

// writePromises makes, in a (MAD-1), a reservation with the secret
// reference and a stocktake with the secret note, counted by the secret
// actor, and b (BCN-1) pulls a's log; it returns the ids.
func writePromises(t *testing.T, a, b *harness) (reservation, stocktake string) {
	t.Helper()
	a.create("P1", 10)
	r := tok(a, stock.OpReservationReserve, &stock.ReserveStockInput{SKU: "P1", Quantity: 2, Reference: secretRef})
	st := tok(a, stock.OpStocktakeStart, &stock.StartStocktakeInput{SKUs: []string{"P1"}, Note: secretNote})
	tdoAs(a, secretActor, stock.OpStocktakeCount, &stock.RecordCountInput{Stocktake: st.ID, SKU: "P1", Counted: 9})
	pull(a, b, "MAD-1")
	return r.ID, st.ID
}

// checkPromisesRead checks that h reads the reservation and stocktake of
// writePromises back in clear: by id, in listings and in a's log.
func checkPromisesRead(t *testing.T, h *harness, reservation, stocktake string) {
	t.Helper()
	for _, r := range []*stock.Reservation{tok(h, stock.OpReservationGet, &stock.ReservationRef{ID: reservation}),
		&tok(h, stock.OpReservationList, &stock.ReservationQuery{First: 10}).Reservations[0]} {
		if r.ID != reservation || r.Reference != secretRef {
			t.Errorf("reservation read back as %+v", r)
		}
	}
	for _, st := range []*stock.Stocktake{tok(h, stock.OpStocktakeGet, &stock.StocktakeRef{ID: stocktake}),
		&tok(h, stock.OpStocktakeList, &stock.StocktakeQuery{First: 10}).Stocktakes[0]} {
		if st.ID != stocktake || st.Note != secretNote || len(st.Lines) != 1 || st.Lines[0].CountedBy == nil ||
			*st.Lines[0].CountedBy != secretActor {
			t.Errorf("stocktake read back as %+v", st)
		}
	}
	n := 0
	for _, e := range readLog(t, h, "MAD-1", 50) {
		switch {
		case e.Reservation != nil:
			n++
			if e.Reservation.Reference != secretRef {
				t.Errorf("log entry %d reads reference %q", e.Seq, e.Reservation.Reference)
			}
		case e.Stocktake != nil:
			n++
			if e.Stocktake.Note != secretNote {
				t.Errorf("log entry %d reads note %q", e.Seq, e.Stocktake.Note)
			}
			for _, l := range e.Stocktake.Lines {
				if l.CountedBy != nil && *l.CountedBy != secretActor {
					t.Errorf("log entry %d reads a line counted by %q", e.Seq, *l.CountedBy)
				}
			}
		}
	}
	if n != 3 {
		t.Errorf("the log read %d reservation and stocktake entries, want 3", n)
	}
}

// checkPromisesSealedWith fails t unless every reservation reference,
// stocktake note and line counter of h, in its tables and in its stored
// log entries, is sealed with key.
func checkPromisesSealedWith(t *testing.T, h *harness, key uint32) {
	t.Helper()
	var values []string
	for _, q := range []string{`SELECT reference FROM reservations`, `SELECT note FROM stocktakes`,
		`SELECT counted_by FROM stocktake_lines WHERE counted_by IS NOT NULL`} {
		rows, err := h.s.rdb.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			values = append(values, v)
		}
		rows.Close()
	}
	rows, err := h.s.rdb.Query(`SELECT data FROM change_log WHERE type LIKE 'reservation.%' OR type LIKE 'stocktake.%'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var data []byte
		var raw stock.LogEntry
		if err := rows.Scan(&data); err != nil {
			t.Fatal(err)
		}
		if err := stock.DecodeValue(data, &raw); err != nil {
			t.Fatal(err)
		}
		for _, f := range entryPromiseFields(&raw) {
			values = append(values, *f.v)
		}
	}
	// The tables' reference, note and counter; the log's created
	// (reference), started (note) and counted (note and counter).
	if len(values) != 3+4 {
		t.Errorf("found %d sealed values, want 7", len(values))
	}
	for _, v := range values {
		if id, ok := sealing.KeyOf(v); !ok || id != key {
			t.Errorf("a value sealed with key %d (sealed: %v), want %d", id, ok, key)
		}
	}
}

// TestPromiseSecretsSealedAtRest: a reservation's reference, a stocktake's
// note and who counted its lines are sealed in the tables and the stored
// log entries of the owner and of a replica, which read them back in clear
// and digest the same log.
func TestPromiseSecretsSealedAtRest(t *testing.T) {
	a, b, _ := trio(t)
	r, st := writePromises(t, a, b)
	for _, h := range []*harness{a, b} {
		checkPromisesSealedWith(t, h, 1)
		checkPromisesRead(t, h, r, st)
		grepFiles(t, h.dir, secretRef, secretNote, secretActor)
	}
	da := tok(a, stock.OpReplica, &stock.ReplicaQuery{Origin: "MAD-1"})
	db := tok(b, stock.OpReplica, &stock.ReplicaQuery{Origin: "MAD-1"})
	if da.Seq != db.Seq || da.Digest != db.Digest {
		t.Errorf("the nodes digest MAD-1's log differently: %+v %+v", da, db)
	}
	a.reopen()
	checkPromisesRead(t, a, r, st)
}

// unsealPromises turns h's reservations, stocktakes and their entries into
// those of a database resealed before they were sealed: clear values and
// a finished pass of scope 1.
func unsealPromises(t *testing.T, h *harness) {
	t.Helper()
	ctx := context.Background()
	for _, e := range readLog(t, h, "MAD-1", 50) {
		if e.Reservation == nil && e.Stocktake == nil {
			continue
		}
		e.Actor = ""
		data, err := stock.EncodeValue(nil, &e)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.s.wdb.ExecContext(ctx, `UPDATE change_log SET data = ? WHERE origin = ? AND seq = ?`, data, e.Origin, e.Seq); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{`UPDATE reservations SET reference = ?1`, `UPDATE stocktakes SET note = ?2`,
		`UPDATE stocktake_lines SET counted_by = ?3 WHERE counted_by IS NOT NULL`, `UPDATE sealing SET scope = 1`} {
		if _, err := h.s.wdb.ExecContext(ctx, q, secretRef, secretNote, secretActor); err != nil {
			t.Fatal(err)
		}
	}
}

// TestResealPromises: a database whose pass finished before reservations
// and stocktakes were sealed is resealed from its start: their values are
// sealed; after a rotation they are resealed with the new key, the old key
// file deleted; they read back in clear throughout.
func TestResealPromises(t *testing.T) {
	a, b, _ := trio(t)
	r, st := writePromises(t, a, b)
	for _, h := range []*harness{a, b} {
		resealAll(t, h, "P1") // a finished pass, as an older version left it
		unsealPromises(t, h)
		checkPromisesRead(t, h, r, st)
		resealAll(t, h, "P1")
		checkPromisesSealedWith(t, h, 1)
		checkPromisesRead(t, h, r, st)
		rotateAndRetire(t, h, "P1") // reopened without key 1
		checkPromisesSealedWith(t, h, 2)
		checkPromisesRead(t, h, r, st)
		grepFiles(t, h.dir, secretRef, secretNote, secretActor)
	}
}
