package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stockmesh/stockmesh/internal/sealing"
	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/stock"
)

// The secrets the tests write: none may appear in the database files.
const (
	secretRef    = "PO-SECRET-7731"
	secretNote   = "hand to Marta only, gate code 4411"
	secretActor  = "scanner-secret-9"
	secretHolder = "Marta Secretholder"
)

// writeSecrets records movements and a product change carrying the
// secrets (prefixed by tag) in h's warehouse.
func writeSecrets(t *testing.T, h *harness, tag string) {
	t.Helper()
	h.create(tag+"S-1", 10)
	for i := range 3 {
		h.ok(testJob{Op: stock.OpMovementRecord, Actor: tag + secretActor, Movement: &stock.MovementInput{
			SKU: tag + "S-1", Kind: stock.KindSale, Quantity: 1, Reference: tag + secretRef,
			Note: tag + secretNote, IdempotencyKey: tag + "key-" + string(rune('a'+i))}})
	}
	h.ok(testJob{Op: stock.OpProductUpdate, Actor: tag + secretActor, SKU: tag + "S-1", Update: &stock.UpdateProductInput{Name: ptr("Renamed")}})
	// A token for a named person, issued by the secret actor: its name
	// and the audit entry's actor and subject are sealed too.
	job, err := stock.EncodeJob(stock.JobMeta{Op: stock.OpTokenCreate.Name, Actor: tag + secretActor, Key: tag + "tok"},
		&stock.Token{Hash: tag + "hash", Name: tag + secretHolder, Role: auth.RoleViewer})
	if err != nil {
		t.Fatal(err)
	}
	var tok stock.Token
	if err := stock.DecodeReply(h.s.HandleWrites([][]byte{job})[0], &tok); err != nil || tok.Name != tag+secretHolder {
		t.Fatalf("creating a token: %v %+v", err, tok)
	}
}

// checkAudit checks that the audit log filters by the secret actor and
// reads every entry in clear.
func checkAudit(t *testing.T, h *harness) {
	t.Helper()
	page, e := call(t, h, stock.OpAuditLog, &stock.AuditQuery{First: 50, Actor: secretActor})
	if e != nil {
		t.Fatal(e)
	}
	actions := map[string]int{}
	for _, a := range page.Entries {
		if a.Actor != secretActor {
			t.Errorf("audit entry by %q under a filter by %q", a.Actor, secretActor)
		}
		actions[a.Action]++
		if a.Action == stock.ActionTokenCreated && !strings.Contains(a.Subject, secretHolder) {
			t.Errorf("token entry's subject %q", a.Subject)
		}
	}
	if len(page.Entries) != 5 || actions[stock.ActionTokenCreated] != 1 {
		t.Errorf("audit log by %s: %v, want 3 movements, a product update and a token", secretActor, actions)
	}
	if page, _ := call(t, h, stock.OpTokenList, &stock.Empty{}); len(page.Tokens) == 0 || page.Tokens[len(page.Tokens)-1].Name != secretHolder {
		t.Errorf("tokens read back %+v", page.Tokens)
	}
}

// grepFiles fails t when a file of dir's database holds one of secrets.
func grepFiles(t *testing.T, dir string, secrets ...string) {
	t.Helper()
	for _, name := range []string{FileName, FileName + "-wal", FileName + "-shm"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if os.IsNotExist(err) {
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %q in clear", name, s)
			}
		}
	}
}

// checkSecretsRead checks that h reads the secrets of tag's warehouse back
// in clear: listings, filters by reference and actor, the change log.
func checkSecretsRead(t *testing.T, h *harness, warehouse, tag string) {
	t.Helper()
	for _, f := range []stock.MovementFilter{
		{Warehouse: warehouse, Reference: tag + secretRef}, {Warehouse: warehouse, Actor: tag + secretActor},
	} {
		ms := h.movements(f)
		if len(ms) != 3 {
			t.Fatalf("%+v: %d movements, want 3", f, len(ms))
		}
		for _, m := range ms {
			if m.Reference != tag+secretRef || m.Note != tag+secretNote || m.Actor != tag+secretActor {
				t.Errorf("read back %+v", m)
			}
		}
	}
	if ms := h.movements(stock.MovementFilter{Warehouse: warehouse, Reference: tag + secretRef + "x"}); len(ms) != 0 {
		t.Errorf("another reference found %d movements", len(ms))
	}
	actors := 0
	for _, e := range readLog(t, h, warehouse, 50) {
		if e.Movement != nil && e.Movement.Note == tag+secretNote {
			actors++
		}
		if e.Type == stock.EntryProductUpdated && e.Actor == tag+secretActor {
			actors++
		}
	}
	if actors != 4 {
		t.Errorf("the change log reads %d entries with the secrets, want 4", actors)
	}
}

// TestSecretsSealedAtRest writes secrets locally and applies a replica
// holding others from another node's log, then greps the raw database,
// WAL and shared-memory files, before and after a checkpoint, and reads
// everything back through listings, filters and the log.
func TestSecretsSealedAtRest(t *testing.T) {
	origin := newHarness(t) // MAD-1
	writeSecrets(t, origin, "o-")
	h := newReplica(t, &stock.Warehouse{ID: "BCN-1", Name: "Barcelona"})
	writeSecrets(t, h, "")
	h.ok(applyJob(readLog(t, origin, "MAD-1", 50)))
	secrets := []string{secretRef, secretNote, secretActor, secretHolder}
	grepFiles(t, h.dir, secrets...)
	grepFiles(t, origin.dir, secrets...)
	checkSecretsRead(t, h, "BCN-1", "")
	checkSecretsRead(t, h, "MAD-1", "o-")
	checkAudit(t, h)
	// The hash column holds neither the clear value nor its plain SHA-256.
	var hash []byte
	if err := h.s.rdb.QueryRow(`SELECT reference_hash FROM movements WHERE reference_hash IS NOT NULL LIMIT 1`).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if len(hash) != sealing.HashSize || bytes.Contains(hash, []byte("PO-")) {
		t.Errorf("reference_hash %x", hash)
	}
	h.reopen()
	grepFiles(t, h.dir, secrets...)
	checkSecretsRead(t, h, "MAD-1", "o-")
	checkRetry(t, h)
}

// checkRetry checks that a retried request of writeSecrets is answered
// with its first result, and the same key with another note refused.
func checkRetry(t *testing.T, h *harness) {
	t.Helper()
	in := &stock.MovementInput{SKU: "S-1", Kind: stock.KindSale, Quantity: 1, Reference: secretRef, Note: secretNote, IdempotencyKey: "key-a"}
	r := h.write(testJob{Op: stock.OpMovementRecord, Actor: secretActor, Movement: in})
	if r[0].Err != nil || r[0].Movement.Note != secretNote || r[0].Movement.Seq != 3 {
		t.Errorf("retry answered %+v %+v", r[0].Err, r[0].Movement)
	}
	other := *in
	other.Note += "!"
	if r := h.write(testJob{Op: stock.OpMovementRecord, Actor: secretActor, Movement: &other}); code(r[0]) != stock.CodeInvalidInput {
		t.Errorf("the key with another note: %+v, want INVALID_INPUT", r[0].Err)
	}
}

// TestOpenRefusesMissingKeys: a database whose keys folder is gone is
// refused, saying so, rather than given new keys (see also
// TestKeyFilesAtStart).
func TestOpenRefusesMissingKeys(t *testing.T) {
	h := newHarness(t)
	writeSecrets(t, h, "")
	if err := h.s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(h.dir, sealing.Dir)); err != nil {
		t.Fatal(err)
	}
	_, err := Open(h.dir, Options{})
	if !errors.Is(err, sealing.ErrNoKeys) || !strings.Contains(err.Error(), "restore keys") {
		t.Fatalf("Open = %v, want a refusal: key files missing, restore them", err)
	}
	if _, err := os.Stat(filepath.Join(h.dir, sealing.Dir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused start made a keys folder: %v", err)
	}
}

// unseal turns h's database into one written before sealing: every
// sealed value clear, no hashes, unkeyed fingerprints, no reseal state.
func unseal(t *testing.T, h *harness) {
	t.Helper()
	ctx := context.Background()
	rows, err := h.s.rdb.Query(`SELECT warehouse_id, seq, sku, kind, quantity, reference, note, actor,
		COALESCE(idempotency_key, '') FROM movements`)
	if err != nil {
		t.Fatal(err)
	}
	var ms []stock.Movement
	for rows.Next() {
		var m stock.Movement
		if err := rows.Scan(&m.Warehouse, &m.Seq, &m.SKU, &m.Kind, &m.Quantity, &m.Reference, &m.Note, &m.Actor, &m.IdempotencyKey); err != nil {
			t.Fatal(err)
		}
		if err := h.s.openMovement(&m); err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	rows.Close()
	var entries []stock.LogEntry
	for _, e := range readLog(t, h, h.s.localID(), 1000) {
		if e.Type != stock.EntryMovement {
			entries = append(entries, e)
		}
	}
	for _, m := range ms {
		fp := ""
		if m.IdempotencyKey != "" {
			fp = legacyDigest(recordedRequest(&m))
		}
		if _, err := h.s.wdb.ExecContext(ctx, `UPDATE movements SET reference = ?, note = ?, actor = ?,
			reference_hash = NULL, actor_hash = NULL, fingerprint = ? WHERE warehouse_id = ? AND seq = ?`,
			m.Reference, m.Note, m.Actor, fp, m.Warehouse, m.Seq); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range entries {
		data, err := stock.EncodeValue(nil, &e)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.s.wdb.ExecContext(ctx, `UPDATE change_log SET data = ? WHERE origin = ? AND seq = ?`, data, e.Origin, e.Seq); err != nil {
			t.Fatal(err)
		}
	}
	tokens, e := call(t, h, stock.OpTokenList, &stock.Empty{})
	if e != nil {
		t.Fatal(e)
	}
	for _, tok := range tokens.Tokens {
		if _, err := h.s.wdb.ExecContext(ctx, `UPDATE tokens SET name = ? WHERE hash = ?`, tok.Name, tok.Hash); err != nil {
			t.Fatal(err)
		}
	}
	audit, e := call(t, h, stock.OpAuditLog, &stock.AuditQuery{First: 500})
	if e != nil {
		t.Fatal(e)
	}
	for _, a := range audit.Entries {
		if strings.HasPrefix(a.ID, "audit:") {
			if _, err := h.s.wdb.ExecContext(ctx, `UPDATE audit_log SET actor = ?, subject = ?, actor_hash = NULL WHERE id = ?`,
				a.Actor, a.Subject, strings.TrimPrefix(a.ID, "audit:")); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := h.s.wdb.ExecContext(ctx, `DELETE FROM sealing`); err != nil {
		t.Fatal(err)
	}
}

// checkAllSealedWith fails t unless every non-empty sealed value of h
// uses key, and every reference and actor has its hash.
func checkAllSealedWith(t *testing.T, h *harness, key uint32) {
	t.Helper()
	rows, err := h.s.rdb.Query(`SELECT reference, note, actor, (reference <> '') = (reference_hash IS NOT NULL),
		(actor <> '') = (actor_hash IS NOT NULL) AND (idempotency_key IS NULL OR fingerprint LIKE 'k%') FROM movements`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var ref, note, actor string
		var refHashed, actorHashed bool
		if err := rows.Scan(&ref, &note, &actor, &refHashed, &actorHashed); err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{ref, note, actor} {
			if id, ok := sealing.KeyOf(v); v != "" && (!ok || id != key) {
				t.Fatalf("a value sealed with key %d (sealed: %v), want %d", id, ok, key)
			}
		}
		if !refHashed || !actorHashed {
			t.Fatalf("a movement without its hashes, or with an unkeyed fingerprint")
		}
	}
	for _, q := range []string{`SELECT name FROM tokens`, `SELECT actor FROM audit_log`, `SELECT subject FROM audit_log`,
		`SELECT CASE WHEN actor_hash IS NULL THEN '' ELSE actor END FROM audit_log`} {
		rows, err := h.s.rdb.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			if id, ok := sealing.KeyOf(v); !ok || id != key {
				t.Fatalf("%s: a value sealed with key %d (sealed: %v), want %d", q, id, ok, key)
			}
		}
		rows.Close()
	}
}

// rotateAndRetire rotates h's keys to key 2, runs a whole reseal pass
// (writing sku), which must retire key 1, and reopens h without it.
func rotateAndRetire(t *testing.T, h *harness, sku string) {
	t.Helper()
	if rot := tok(h, stock.OpKeysRotate, &stock.Empty{}); rot.Key != 2 {
		t.Fatalf("rotated to key %d, want 2", rot.Key)
	}
	if retired := resealAll(t, h, sku); len(retired) != 1 || retired[0] != 1 {
		t.Errorf("retired %v, want [1]", retired)
	}
	h.reopen()
}

// resealAll runs reseal jobs, each in a batch between two purchases (writes
// go on meanwhile), until the pass reports done; it returns the keys
// retired. The sales carry the secrets too, prefixed.
func resealAll(t *testing.T, h *harness, sku string) []int64 {
	t.Helper()
	for range 1000 {
		job, err := stock.EncodeJob(stock.JobMeta{Op: stock.OpKeysReseal.Name}, &stock.ResealRequest{Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		sale := testJob{Op: stock.OpMovementRecord, Actor: "w-" + secretActor, Movement: &stock.MovementInput{
			SKU: sku, Kind: stock.KindPurchase, Quantity: 1, Reference: "w-" + secretRef, Note: "w-" + secretNote}}
		replies := h.s.HandleWrites([][]byte{sale.encode(t), job, sale.encode(t)})
		var rep stock.ResealReport
		if err := stock.DecodeReply(replies[1], &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Done {
			return rep.Retired
		}
	}
	t.Fatal("the reseal pass never ended")
	return nil
}

// TestResealMigratesAndRotates: a database written before sealing is
// sealed by the background pass while writes go on; a rotation makes a
// new key, the pass reseals everything with it, and the old key file is
// deleted once nothing uses it; everything reads back throughout and the
// files never hold a secret once the pass is over.
func TestResealMigratesAndRotates(t *testing.T) {
	h := newHarness(t)
	writeSecrets(t, h, "")
	unseal(t, h)
	checkRetry(t, h) // an unkeyed fingerprint still tells a retry
	if retired := resealAll(t, h, "S-1"); len(retired) != 0 {
		t.Errorf("migration retired keys %v", retired)
	}
	checkAllSealedWith(t, h, 1)
	checkRetry(t, h)
	checkSecretsRead(t, h, "MAD-1", "")
	checkAudit(t, h)
	h.reopen() // Close checkpoints: the WAL no longer holds the clear pages
	grepFiles(t, h.dir, secretRef, secretNote, secretActor, secretHolder)

	rot, e := writeOp(t, h, stock.OpKeysRotate, &stock.Empty{})
	if e != nil || rot.Key != 2 {
		t.Fatalf("rotated to key %d, want 2", rot.Key)
	}
	if retired := resealAll(t, h, "S-1"); len(retired) != 1 || retired[0] != 1 {
		t.Errorf("retired %v, want [1]", retired)
	}
	checkAllSealedWith(t, h, 2)
	checkSecretsRead(t, h, "MAD-1", "")
	if _, err := os.Stat(filepath.Join(h.dir, sealing.Dir, "seal-1.key")); !os.IsNotExist(err) {
		t.Errorf("the old key file is still there: %v", err)
	}
	h.reopen() // without key 1 from now on
	checkSecretsRead(t, h, "MAD-1", "")
	checkAudit(t, h)
	grepFiles(t, h.dir, secretRef, secretNote, secretActor, secretHolder)
	if rep, e := writeOp(t, h, stock.OpKeysReseal, &stock.ResealRequest{Limit: 100}); e != nil || !rep.Done || rep.Resealed != 0 {
		t.Errorf("a finished pass after reopening: %+v", rep)
	}
}
