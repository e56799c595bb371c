package store

import (
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stockmesh/stockmesh/server/pki"
	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/trust"
)

// signedTrio is trio with each store holding a certificate of its
// warehouse from one CA, as joined nodes do, so that each binds its log
// key and verifies the others' bindings.
func signedTrio(t *testing.T) (a, b, c *harness) {
	t.Helper()
	a, b, c = trio(t)
	var caDir string
	for i, h := range []*harness{a, b, c} {
		dir := filepath.Join(h.dir, "tls")
		if i > 0 {
			copyFiles(t, caDir, dir, "ca.crt", "ca.key")
		}
		if _, err := pki.EnsureNode(dir, []string{"MAD-1", "BCN-1", "VAL-1"}[i], nil); err != nil {
			t.Fatal(err)
		}
		caDir = filepath.Join(a.dir, "tls")
	}
	return a, b, c
}

// copyFiles copies the named files of folder from into folder to.
func copyFiles(t *testing.T, from, to string, names ...string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(from, n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, n), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// page reads what src holds of origin's log after seq, with its proof and
// the log's epoch, as the sync endpoint serves it.
func page(src *harness, origin string, after int64) *stock.ChangeBatch {
	src.t.Helper()
	p := tok(src, stock.OpChanges, &stock.ChangesQuery{Origin: origin, AfterSeq: after, Limit: stock.MaxChangesLimit})
	heads := tok(src, stock.OpHeads, &stock.Empty{})
	h, _ := heads.Head(origin)
	if p.Proof != nil {
		p.Proof.ServedBy = "tester"
	}
	return &stock.ChangeBatch{Epoch: h.Epoch, Entries: p.Entries, Proof: p.Proof}
}

// applySigned applies b to dst and returns the refusal, if any.
func applySigned(dst *harness, b *stock.ChangeBatch) *stock.Rejection {
	dst.t.Helper()
	return tok(dst, stock.OpApplyChanges, b).Rejected
}

// replicaOf returns dst's seq and digest of origin's log.
func replicaOf(h *harness, origin string) (int64, string) {
	h.t.Helper()
	r := tok(h, stock.OpReplica, &stock.ReplicaQuery{Origin: origin})
	return r.Seq, r.Digest
}

// TestSignedHeadsCoverTheLog: every batch the writer commits signs the
// head of the log it appended to, and the signed digest is the digest of
// the log as it reads back (products, movements with every text field,
// transfers); a replica and a replica of the replica accept it, relayed,
// and end with the origin's digest.
func TestSignedHeadsCoverTheLog(t *testing.T) {
	a, b, c := signedTrio(t)
	a.create("W1", 10)
	a.ok(testJob{Op: stock.OpMovementRecord, Actor: "ana", Movement: &stock.MovementInput{SKU: "W1", Kind: stock.KindSale,
		Quantity: 2, Reference: "ORD-1", Note: "a note, ñ", IdempotencyKey: "k-1"}})
	tr := send(a, "W1", "BCN-1", 3)
	a.ok(testJob{Op: stock.OpProductUpdate, SKU: "W1", Update: &stock.UpdateProductInput{Name: ptr("Renamed")}})
	if r := applySigned(b, page(a, "MAD-1", 0)); r != nil {
		t.Fatalf("BCN-1 refused MAD-1's log: %+v", r)
	}
	tok(b, stock.OpTransferReceive, &stock.TransferRef{ID: tr.ID})
	if r := applySigned(a, page(b, "BCN-1", 0)); r != nil {
		t.Fatalf("MAD-1 refused BCN-1's log: %+v", r)
	}
	a.ok(sale("W1", 1))
	checkSignedHeads(t, a, "MAD-1")
	checkSignedHeads(t, b, "BCN-1")

	if r := applySigned(b, page(a, "MAD-1", 5)); r != nil {
		t.Fatalf("BCN-1 refused the rest of MAD-1's log: %+v", r)
	}
	if r := applySigned(c, page(b, "MAD-1", 0)); r != nil { // relayed by BCN-1
		t.Fatalf("VAL-1 refused MAD-1's log relayed by BCN-1: %+v", r)
	}
	wantSeq, want := replicaOf(a, "MAD-1")
	for _, h := range []*harness{b, c} {
		if seq, got := replicaOf(h, "MAD-1"); seq != wantSeq || got != want {
			t.Errorf("replica of MAD-1 at %d %s, want %d %s", seq, got, wantSeq, want)
		}
	}
}

// checkSignedHeads checks every head h stored of its own log: signed by
// its key, over the digest of the log as it reads back up to that seq.
func checkSignedHeads(t *testing.T, h *harness, origin string) {
	t.Helper()
	log := readLog(t, h, origin, 1000)
	digests := map[int64]string{}
	d := stock.ResumeDigest([32]byte{})
	for i := range log {
		if err := d.Add(&log[i]); err != nil {
			t.Fatal(err)
		}
		digests[log[i].Seq] = d.String()
	}
	epoch := h.s.local.Load().Epoch
	rows, err := h.s.rdb.Query(`SELECT seq, digest, sig FROM log_heads WHERE origin = ?`, origin)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	pub := h.s.signer.Public().(ed25519.PublicKey)
	for rows.Next() {
		var head stock.SignedHead
		if err := rows.Scan(&head.Seq, &head.Digest, &head.Sig); err != nil {
			t.Fatal(err)
		}
		if head.Digest != digests[head.Seq] {
			t.Errorf("%s's head at %d signs digest %s; the log reads back as %s", origin, head.Seq, head.Digest, digests[head.Seq])
		}
		if !trust.VerifyHead(pub, origin, epoch, &head) {
			t.Errorf("%s's head at %d is not signed by its key", origin, head.Seq)
		}
		n++
	}
	if n == 0 || rows.Err() != nil {
		t.Fatalf("%s stored %d heads (%v)", origin, n, rows.Err())
	}
}

// TestRefusedRuns: a run altered by the member relaying it, one with a
// head the origin did not sign, one proving its key with another
// warehouse's certificate, and a fork of the origin's history are refused
// for their reason, change nothing, and are recorded; a sound run then
// applies and clears an unverifiable replica.
func TestRefusedRuns(t *testing.T) {
	a, b, c := signedTrio(t)
	a.create("W1", 10)
	a.ok(testJob{Op: stock.OpMovementRecord, Movement: &stock.MovementInput{SKU: "W1", Kind: stock.KindSale, Quantity: 2, Reference: "ORD-1"}})
	a.ok(sale("W1", 1))
	b.create("B1", 1) // so that BCN-1 has a binding to lend
	bKey, err := trust.LoadOrCreateKey(filepath.Join(b.dir, trust.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		alter  func(*stock.ChangeBatch)
		reason stock.RejectReason
	}{
		{"a reference rewritten", func(r *stock.ChangeBatch) { r.Entries[1].Movement.Reference = "ORD-2" }, stock.RejectChain},
		{"a head signed by the relay", func(r *stock.ChangeBatch) {
			h := trust.SignHead(bKey, "MAD-1", r.Epoch, r.Proof.Head.Seq, strings.Repeat("0", 64))
			r.Proof.Head = &h
		}, stock.RejectSignature},
		{"the signature's bytes flipped", func(r *stock.ChangeBatch) { r.Proof.Head.Sig[3] ^= 1 }, stock.RejectSignature},
		{"another epoch named", func(r *stock.ChangeBatch) { r.Epoch = "forged" }, stock.RejectSignature},
		{"the relay's own binding for MAD-1", func(r *stock.ChangeBatch) {
			bb := page(b, "BCN-1", 0)
			r.Proof.Key = bb.Proof.Key
		}, stock.RejectSignature},
		{"no signed head", func(r *stock.ChangeBatch) { r.Proof = &stock.LogProof{Key: r.Proof.Key} }, stock.RejectSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, c := signedTrio(t) // a replica that has pinned no key yet
			copyFiles(t, filepath.Join(a.dir, "tls"), filepath.Join(c.dir, "tls"), "ca.crt")
			run := page(a, "MAD-1", 0)
			tc.alter(run)
			before := dumpAll(t, c)
			r := applySigned(c, run)
			if r == nil || r.Reason != tc.reason {
				t.Fatalf("refusal %+v, want reason %s", r, tc.reason)
			}
			if d := diffLines(dumpAll(t, c), before); d != "" && !strings.Contains(d, "log_keys") {
				t.Errorf("the refused run changed the database: %s", d)
			}
			if seq, _ := replicaOf(c, "MAD-1"); seq != 0 {
				t.Errorf("VAL-1 holds MAD-1's log up to %d after a refused run", seq)
			}
		})
	}

	tok(c, stock.OpReplicaProblem, &stock.ProblemReport{Origin: "MAD-1", Reason: stock.RejectChain, ServedBy: "BCN-1", Detail: "test"})
	if p := tok(c, stock.OpReplica, &stock.ReplicaQuery{Origin: "MAD-1"}).Problem; p == nil || p.Kind != stock.ProblemUnverifiable || p.ServedBy != "BCN-1" {
		t.Fatalf("problem %+v, want UNVERIFIABLE served by BCN-1", p)
	}
	if got := tok(c, stock.OpAuditLog, &stock.AuditQuery{}).Entries; len(got) == 0 || got[0].Action != "replica.rejected" {
		t.Errorf("audit log %+v, want replica.rejected first", got)
	}
	if r := applySigned(c, page(a, "MAD-1", 0)); r != nil {
		t.Fatalf("the sound run was refused: %+v", r)
	}
	if p := tok(c, stock.OpReplica, &stock.ReplicaQuery{Origin: "MAD-1"}).Problem; p != nil {
		t.Errorf("problem %+v after a verified run, want none", p)
	}
}

// TestForkDetected: a warehouse whose data folder is restored from a copy
// and writes again signs a second history; a replica holding the first
// refuses a run of the second as a fork (the serving node's head at the
// replica's cursor differs from its own), a head of it behind the replica
// is found a fork too, and once recorded no run of that log is applied.
func TestForkDetected(t *testing.T) {
	a, b, _ := signedTrio(t)
	a.create("W1", 10)
	a.ok(sale("W1", 1))
	if r := applySigned(b, page(a, "MAD-1", 0)); r != nil {
		t.Fatal(r)
	}
	a.s.Close()
	backup := t.TempDir()
	copyDir(t, a.dir, backup)
	a.open()
	a.ok(sale("W1", 1))
	a.ok(sale("W1", 1))
	if r := applySigned(b, page(a, "MAD-1", 2)); r != nil {
		t.Fatal(r)
	}
	restored := &harness{t: t, dir: backup}
	restored.open()
	restored.ok(sale("W1", 2))
	// A head of the second history at a seq the replica holds.
	heads := tok(restored, stock.OpHeads, &stock.Empty{})
	h, _ := heads.Head("MAD-1")
	v := tok(b, stock.OpHeadCheck, &stock.HeadCheck{Origin: "MAD-1", Epoch: h.Epoch, Head: *h.Signed})
	if !v.Fork {
		t.Errorf("a signed head of the restored history at %d is not a fork: %+v", h.LastSeq, v)
	}
	restored.ok(sale("W1", 2))
	restored.ok(sale("W1", 2))
	seq, digest := replicaOf(b, "MAD-1")
	r := applySigned(b, page(restored, "MAD-1", seq))
	if r == nil || r.Reason != stock.RejectFork {
		t.Fatalf("a run of the restored history: %+v, want a fork", r)
	}
	tok(b, stock.OpReplicaProblem, &stock.ProblemReport{Origin: "MAD-1", Reason: r.Reason, ServedBy: "MAD-1", Detail: r.Detail})
	a.ok(sale("W1", 1))
	if r := applySigned(b, page(a, "MAD-1", 4)); r == nil || r.Reason != stock.RejectFork {
		t.Errorf("after the fork a run of the first history: %+v, want refused as a fork", r)
	}
	if s, d := replicaOf(b, "MAD-1"); s != seq || d != digest {
		t.Errorf("the forked replica moved: %d %s, was %d %s", s, d, seq, digest)
	}
	if p := tok(b, stock.OpReplica, &stock.ReplicaQuery{Origin: "MAD-1"}).Problem; p == nil || p.Kind != stock.ProblemFork {
		t.Errorf("problem %+v, want FORK", p)
	}
}

// copyDir copies the regular files of folder from (one level of
// subfolders) into to.
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			sub, err := os.ReadDir(filepath.Join(from, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, s := range sub {
				names = append(names, s.Name())
			}
			copyFiles(t, filepath.Join(from, e.Name()), filepath.Join(to, e.Name()), names...)
			continue
		}
		copyFiles(t, from, to, e.Name())
	}
}

// TestUpgradeSignsTheExistingLog: a database from before signed histories
// (its log has no heads) gets its chain's head signed at the first start,
// covering every old entry, and the next batch's head continues it.
func TestUpgradeSignsTheExistingLog(t *testing.T) {
	h := newHarness(t)
	h.create("W1", 10)
	h.ok(sale("W1", 1))
	if _, err := h.s.wdb.Exec(`DELETE FROM log_heads`); err != nil {
		t.Fatal(err)
	}
	h.reopen()
	var n int
	if err := h.s.rdb.QueryRow(`SELECT COUNT(*) FROM log_heads WHERE origin = 'MAD-1' AND seq = 3 AND sig IS NOT NULL`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("after the upgrade's start: %d signed heads at seq 3 (%v), want 1", n, err)
	}
	h.ok(sale("W1", 1))
	checkSignedHeads(t, h, "MAD-1")
}
