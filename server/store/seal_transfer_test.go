package store

import (
	"context"
	"strings"
	"testing"

	"github.com/stockmesh/stockmesh/internal/sealing"
	"github.com/stockmesh/stockmesh/server/stock"
)

// sendSecretTransfer sends a transfer carrying the secrets from a (MAD-1)
// to b (BCN-1), which receives it; each node pulls the other's log.
func sendSecretTransfer(t *testing.T, a, b *harness) (*stock.TransferInput, *stock.Transfer) {
	t.Helper()
	a.create("W1", 10)
	in := &stock.TransferInput{SKU: "W1", To: "BCN-1", Quantity: 3, Reference: secretRef, Note: secretNote, IdempotencyKey: "tk"}
	tr := tok(a, stock.OpTransferSend, in)
	pull(a, b, "MAD-1")
	tok(b, stock.OpTransferReceive, &stock.TransferRef{ID: tr.ID})
	pull(b, a, "BCN-1")
	return in, tr
}

// checkTransferRead checks that h reads the transfer id back in clear,
// through the table and through both owners' logs, whose entries carry
// the fingerprint fp (none since transfers are sealed).
func checkTransferRead(t *testing.T, h *harness, id, fp string) {
	t.Helper()
	for _, tr := range []*stock.Transfer{get(h, id),
		&tok(h, stock.OpTransferList, &stock.TransferQuery{First: 10}).Transfers[0]} {
		if tr.ID != id || tr.Reference != secretRef || tr.Note != secretNote || tr.Actor != "tester" || tr.Status != stock.TransferReceived {
			t.Errorf("read back %+v", tr)
		}
	}
	n := 0
	for _, origin := range []string{"MAD-1", "BCN-1"} {
		for _, e := range readLog(t, h, origin, 50) {
			if e.Transfer == nil {
				continue
			}
			n++
			if tr := e.Transfer; tr.Reference != secretRef || tr.Note != secretNote || tr.Actor != "tester" || tr.Fingerprint != fp {
				t.Errorf("log entry %s:%d reads %+v", e.Origin, e.Seq, tr)
			}
		}
	}
	if n != 2 {
		t.Errorf("the logs read %d transfer entries, want created and received", n)
	}
}

// checkTransfersSealedWith fails t unless every transfer of h has its
// reference, note and actor sealed with key and a keyed fingerprint, and
// every transfer entry of its log its fields sealed with key.
func checkTransfersSealedWith(t *testing.T, h *harness, key uint32) {
	t.Helper()
	rows, err := h.s.rdb.Query(`SELECT reference, note, actor, fingerprint FROM transfers`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var ref, note, actor, fp string
		if err := rows.Scan(&ref, &note, &actor, &fp); err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{ref, note, actor} {
			if id, ok := sealing.KeyOf(v); !ok || id != key {
				t.Fatalf("a transfer's value sealed with key %d (sealed: %v), want %d", id, ok, key)
			}
		}
		if !strings.HasPrefix(fp, keyedPrefix) {
			t.Fatalf("an unkeyed transfer fingerprint %q", fp)
		}
	}
	entries, err := h.s.rdb.Query(`SELECT data FROM change_log WHERE type LIKE 'transfer.%'`)
	if err != nil {
		t.Fatal(err)
	}
	defer entries.Close()
	for entries.Next() {
		var data []byte
		var raw stock.LogEntry
		if err := entries.Scan(&data); err != nil {
			t.Fatal(err)
		}
		if err := stock.DecodeValue(data, &raw); err != nil {
			t.Fatal(err)
		}
		tr := raw.Transfer
		for _, v := range []string{tr.Reference, tr.Note, tr.Actor} {
			if id, ok := sealing.KeyOf(v); !ok || id != key {
				t.Fatalf("entry %s:%d: a value sealed with key %d (sealed: %v), want %d", raw.Origin, raw.Seq, id, ok, key)
			}
		}
	}
}

// TestTransferSecretsSealedAtRest: a transfer's reference, note and actor
// are sealed in the transfers table and in the stored transfer entries of
// both its sender and its receiver, which read them back in clear (table,
// listing, log) and digest the same logs; the idempotency key still tells
// a retry from another request.
func TestTransferSecretsSealedAtRest(t *testing.T) {
	a, b, _ := trio(t)
	in, tr := sendSecretTransfer(t, a, b)
	for _, h := range []*harness{a, b} {
		grepFiles(t, h.dir, secretRef, secretNote)
		checkTransfersSealedWith(t, h, 1)
		checkTransferRead(t, h, tr.ID, "")
	}
	for _, origin := range []string{"MAD-1", "BCN-1"} {
		da := tok(a, stock.OpReplica, &stock.ReplicaQuery{Origin: origin})
		db := tok(b, stock.OpReplica, &stock.ReplicaQuery{Origin: origin})
		if da.Seq != db.Seq || da.Digest != db.Digest {
			t.Errorf("the nodes digest %s's log differently: %+v %+v", origin, da, db)
		}
	}
	if again := tok(a, stock.OpTransferSend, in); again.ID != tr.ID {
		t.Errorf("a retry sent %s, want %s", again.ID, tr.ID)
	}
	other := *in
	other.Note += "!"
	terr(a, stock.OpTransferSend, &other, stock.CodeInvalidInput)
	a.reopen()
	grepFiles(t, a.dir, secretRef, secretNote)
	checkTransferRead(t, a, tr.ID, "")
}

// legacyFP stands for the unkeyed fingerprint older senders put in
// transfer entries.
const legacyFP = "legacy-fingerprint-0f3e"

// unsealTransfers turns h's transfers and transfer entries into those of
// a database resealed before transfers were sealed: clear values,
// unkeyed fingerprints (in the table and in the entries, as senders then
// logged them), and a finished pass of scope 0.
func unsealTransfers(t *testing.T, h *harness, in *stock.TransferInput) {
	t.Helper()
	ctx := context.Background()
	legacy := legacyDigest(transferRequest(in))
	for _, origin := range []string{"MAD-1", "BCN-1"} {
		for _, e := range readLog(t, h, origin, 50) {
			if e.Transfer == nil {
				continue
			}
			e.Transfer.Fingerprint = legacyFP
			data, err := stock.EncodeValue(nil, &e)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := h.s.wdb.ExecContext(ctx, `UPDATE change_log SET data = ? WHERE origin = ? AND seq = ?`, data, e.Origin, e.Seq); err != nil {
				t.Fatal(err)
			}
		}
	}
	page := tok(h, stock.OpTransferList, &stock.TransferQuery{First: 10})
	for _, tr := range page.Transfers {
		fp := legacy
		if tr.IdempotencyKey == "" {
			fp = "other"
		}
		if _, err := h.s.wdb.ExecContext(ctx, `UPDATE transfers SET reference = ?, note = ?, actor = ?, fingerprint = ? WHERE id = ?`,
			tr.Reference, tr.Note, tr.Actor, fp, tr.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.s.wdb.ExecContext(ctx, `UPDATE sealing SET scope = 0`); err != nil {
		t.Fatal(err)
	}
}

// TestResealTransfers: a database whose pass finished before transfers
// were sealed is resealed again from its start: its transfers and
// transfer entries are sealed, and an unkeyed fingerprint keyed; after a
// rotation they are all resealed with the new key and the old key file
// deleted; everything reads back throughout.
func TestResealTransfers(t *testing.T) {
	a, b, _ := trio(t)
	in, tr := sendSecretTransfer(t, a, b)
	resealAll(t, a, "W1") // a finished pass, as an older version left it
	unsealTransfers(t, a, in)
	if again := tok(a, stock.OpTransferSend, in); again.ID != tr.ID {
		t.Errorf("an unkeyed fingerprint: a retry sent %s, want %s", again.ID, tr.ID)
	}
	resealAll(t, a, "W1")
	checkTransfersSealedWith(t, a, 1)
	checkTransferRead(t, a, tr.ID, legacyFP)
	a.reopen()
	grepFiles(t, a.dir, secretRef, secretNote, legacyFP)
	if again := tok(a, stock.OpTransferSend, in); again.ID != tr.ID {
		t.Errorf("a keyed fingerprint: a retry sent %s, want %s", again.ID, tr.ID)
	}

	for _, h := range []*harness{a, b} {
		rotateAndRetire(t, h, "W1") // reopened without key 1
		checkTransfersSealedWith(t, h, 2)
		fp := ""
		if h == a {
			fp = legacyFP
		}
		checkTransferRead(t, h, tr.ID, fp)
		grepFiles(t, h.dir, secretRef, secretNote)
	}
}
