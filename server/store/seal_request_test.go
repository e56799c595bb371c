package store

import (
	"context"
	"strings"
	"testing"

	"github.com/stockmesh/stockmesh/internal/sealing"
	"github.com/stockmesh/stockmesh/server/stock"
)

// secretReason is the reason the tests decline a transfer request with.
const secretReason = "kept back for the inspector, locker 2207"

// secretRequest is the keyed request writeRequests makes first.
var secretRequest = stock.RequestTransferInput{SKU: "W1", From: "MAD-1", Quantity: 2, Note: secretNote, IdempotencyKey: "rq"}

// writeRequests makes, in b (BCN-1), two requests to a (MAD-1) with the
// secret note, in the secret actor's name; a declines the first with the
// secret reason and accepts the second; c (VAL-1) pulls both logs, a and b
// each other's. It returns the requests' ids.
func writeRequests(t *testing.T, a, b, c *harness) (declined, accepted string) {
	t.Helper()
	a.create("W1", 10)
	in := secretRequest
	declined = tdoAs(b, secretActor, stock.OpRequestCreate, &in).ID
	accepted = tdoAs(b, secretActor, stock.OpRequestCreate, &stock.RequestTransferInput{SKU: "W1", From: "MAD-1", Quantity: 1, Note: secretNote}).ID
	pull(b, a, "BCN-1")
	tdoAs(a, secretActor, stock.OpRequestDecline, &stock.RequestDecision{ID: declined, Reason: secretReason})
	tdoAs(a, secretActor, stock.OpRequestAccept, &stock.RequestDecision{ID: accepted})
	pull(a, b, "MAD-1")
	pull(b, c, "BCN-1")
	pull(a, c, "MAD-1")
	return declined, accepted
}

// checkRequestsRead checks that h reads the requests of writeRequests back
// in clear: by id, in the listing and in both sides' logs.
func checkRequestsRead(t *testing.T, h *harness, declined, accepted string) {
	t.Helper()
	page := tok(h, stock.OpRequestList, &stock.TransferRequestQuery{First: 10}).Requests
	if len(page) != 2 {
		t.Fatalf("%s lists %d requests, want 2", h.s.localID(), len(page))
	}
	for _, r := range append(page, *request(h, declined), *request(h, accepted)) {
		reason := map[string]string{declined: secretReason}[r.ID]
		if r.Note != secretNote || r.Actor != secretActor || r.Reason != reason {
			t.Errorf("%s reads request %s as note %q, actor %q, reason %q", h.s.localID(), r.ID, r.Note, r.Actor, r.Reason)
		}
	}
	n := 0
	for _, origin := range []string{"BCN-1", "MAD-1"} {
		for _, e := range readLog(t, h, origin, 50) {
			r := e.TransferRequest
			if r == nil {
				continue
			}
			n++
			reason := ""
			if r.ID == declined && e.Type == stock.EntryRequestDeclined {
				reason = secretReason
			}
			if r.Note != secretNote || r.Actor != secretActor || r.Reason != reason || e.Actor != secretActor {
				t.Errorf("%s reads log entry %s:%d as %+v by %q", h.s.localID(), e.Origin, e.Seq, r, e.Actor)
			}
		}
	}
	if n != 4 {
		t.Errorf("%s's logs read %d request entries, want 2 created, 1 declined, 1 accepted", h.s.localID(), n)
	}
}

// checkRequestsSealedWith fails t unless every note, actor and reason of
// h's transfer requests, in their table and in their stored log entries,
// is sealed with key, and the keyed request's fingerprint is keyed.
func checkRequestsSealedWith(t *testing.T, h *harness, key uint32) {
	t.Helper()
	var values []string
	rows, err := h.s.rdb.Query(`SELECT note, actor, reason, fingerprint FROM transfer_requests`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var note, actor, reason, fp string
		if err := rows.Scan(&note, &actor, &reason, &fp); err != nil {
			t.Fatal(err)
		}
		values = append(values, note, actor)
		if reason != "" {
			values = append(values, reason)
		}
		if fp != "" && !strings.HasPrefix(fp, keyedPrefix) {
			t.Errorf("an unkeyed request fingerprint %q", fp)
		}
	}
	rows.Close()
	rows, err = h.s.rdb.Query(`SELECT data FROM change_log WHERE type LIKE 'transfer_request.%'`)
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
		if r := raw.TransferRequest; r != nil {
			values = append(values, r.Note, r.Actor)
			if r.Reason != "" {
				values = append(values, r.Reason)
			}
		}
	}
	// The table: 2 notes, 2 actors, a reason; the log: 4 entries' notes
	// and actors, the declined entry's reason.
	if len(values) != 5+9 {
		t.Errorf("%s: found %d sealed values, want 14", h.s.localID(), len(values))
	}
	for _, v := range values {
		if id, ok := sealing.KeyOf(v); !ok || id != key {
			t.Errorf("%s: a value sealed with key %d (sealed: %v), want %d", h.s.localID(), id, ok, key)
		}
	}
}

// checkRequestDigests fails t unless the three nodes digest both logs of
// requests alike.
func checkRequestDigests(t *testing.T, hs ...*harness) {
	t.Helper()
	for _, origin := range []string{"BCN-1", "MAD-1"} {
		want := tok(hs[0], stock.OpReplica, &stock.ReplicaQuery{Origin: origin})
		for _, h := range hs[1:] {
			if got := tok(h, stock.OpReplica, &stock.ReplicaQuery{Origin: origin}); got.Seq != want.Seq || got.Digest != want.Digest {
				t.Errorf("%s digests %s's log as %+v, %s as %+v", h.s.localID(), origin, got, hs[0].s.localID(), want)
			}
		}
	}
}

// checkRequestRetry checks that the requester's key sent again returns
// the keyed request, in clear, and with another note is refused.
func checkRequestRetry(t *testing.T, bcn *harness, declined string) {
	t.Helper()
	in := secretRequest
	if r := tdoAs(bcn, secretActor, stock.OpRequestCreate, &in); r.ID != declined || r.Note != secretNote || r.Reason != secretReason {
		t.Errorf("a retry returned %+v, want %s as it is", r, declined)
	}
	in.Note += "!"
	terr(bcn, stock.OpRequestCreate, &in, stock.CodeInvalidInput)
}

// TestRequestSecretsSealedAtRest: a transfer request's note, who asked and
// the source's reason for declining are sealed in the table and the
// stored log entries of the requester, the source and a third node, which
// read them back in clear, digest the same logs, and answer a retry.
func TestRequestSecretsSealedAtRest(t *testing.T) {
	a, b, c := trio(t)
	declined, accepted := writeRequests(t, a, b, c)
	for _, h := range []*harness{a, b, c} {
		checkRequestsSealedWith(t, h, 1)
		checkRequestsRead(t, h, declined, accepted)
		grepFiles(t, h.dir, secretNote, secretActor, secretReason)
	}
	checkRequestDigests(t, a, b, c)
	checkRequestRetry(t, b, declined)
	b.reopen()
	checkRequestsRead(t, b, declined, accepted)
}

// unsealRequests turns h's transfer requests and their entries into those
// of a database resealed before they were sealed: clear values, the
// clear fingerprint, and a finished pass of scope 2.
func unsealRequests(t *testing.T, h *harness) {
	t.Helper()
	ctx := context.Background()
	for _, origin := range []string{"BCN-1", "MAD-1"} {
		for _, e := range readLog(t, h, origin, 50) {
			if e.TransferRequest == nil {
				continue
			}
			data, err := stock.EncodeValue(nil, &e) // clear, its actor too
			if err != nil {
				t.Fatal(err)
			}
			if _, err := h.s.wdb.ExecContext(ctx, `UPDATE change_log SET data = ? WHERE origin = ? AND seq = ?`, data, e.Origin, e.Seq); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, q := range []string{`UPDATE transfer_requests SET note = ?1, actor = ?2`,
		`UPDATE transfer_requests SET reason = ?3 WHERE reason <> ''`,
		`UPDATE transfer_requests SET fingerprint = ?4 WHERE fingerprint <> ''`, `UPDATE sealing SET scope = 2`} {
		if _, err := h.s.wdb.ExecContext(ctx, q, secretNote, secretActor, secretReason, clearRequestPrint(&secretRequest)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestResealRequests: a database whose pass finished before transfer
// requests were sealed is resealed from its start: their values are
// sealed and the clear fingerprint keyed; after a rotation they are
// resealed with the new key, the old key file deleted; they read back in
// clear throughout, and a retry is still told apart.
func TestResealRequests(t *testing.T) {
	a, b, c := trio(t)
	declined, accepted := writeRequests(t, a, b, c)
	for _, h := range []*harness{a, b, c} {
		h.create("R1", 10)
		resealAll(t, h, "R1") // a finished pass, as an older version left it
		unsealRequests(t, h)
		checkRequestsRead(t, h, declined, accepted)
		if h == b {
			checkRequestRetry(t, b, declined)
		}
		resealAll(t, h, "R1")
		checkRequestsSealedWith(t, h, 1)
		checkRequestsRead(t, h, declined, accepted)
		rotateAndRetire(t, h, "R1") // reopened without key 1
		checkRequestsSealedWith(t, h, 2)
		checkRequestsRead(t, h, declined, accepted)
		grepFiles(t, h.dir, secretNote, secretActor, secretReason)
	}
	for _, h := range []*harness{b, c} { // the purchases of the passes
		pull(a, h, "MAD-1")
	}
	for _, h := range []*harness{a, c} {
		pull(b, h, "BCN-1")
	}
	checkRequestDigests(t, a, b, c)
	checkRequestRetry(t, b, declined)
}
