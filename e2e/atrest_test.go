package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// The secrets written through the nodes: the database files must never
// hold them.
const (
	atRestRef  = "PO-CONFIDENTIAL-5521"
	atRestNote = "leave at the back door, alarm code 8812"
	// A transfer's reference and note, sent from MAD-1 to BCN-1.
	transferRef  = "DN-CONFIDENTIAL-7340"
	transferNote = "pallet for the night shift, dock code 3319"
	// A transfer request's note, the reason its source declines it with,
	// and the name of the token BCN-1 asks with (the request's actor).
	requestNote   = "for the Sunday market, van code 6047"
	requestReason = "promised to the auditors, cage 5530"
	requestActor  = "planner-confidential-2864"
)

// secretRequestOn returns the status, note and reason n reads of transfer
// request id through transferRequests ("" status when it does not know
// it yet).
func secretRequestOn(t *testing.T, n *testnode.Node, id string) (status, note, reason string) {
	t.Helper()
	var out struct {
		TransferRequests struct {
			Edges []struct {
				Node struct{ ID, Status, Note, Reason string }
			}
		}
	}
	decode(t, n.MustGraphQL(t, `{ transferRequests(first: 100) { edges { node { id status note reason } } } }`, nil), &out)
	for _, e := range out.TransferRequests.Edges {
		if e.Node.ID == id {
			return e.Node.Status, e.Node.Note, e.Node.Reason
		}
	}
	return "", "", ""
}

// declineSecretRequest has b (BCN-1), with a token named requestActor,
// ask a (MAD-1) for units of sku with the request's note, and a decline
// it with the reason, once it knows it; it waits until b knows of the
// decline and returns the request's id.
func declineSecretRequest(t *testing.T, a, b *testnode.Node, sku string) string {
	t.Helper()
	var tok struct{ CreateToken struct{ Token string } }
	decode(t, b.MustGraphQL(t, `mutation($n: String!) { createToken(name: $n, role: OPERATOR) { token } }`,
		map[string]any{"n": requestActor}), &tok)
	var req struct{ R struct{ ID string } }
	decode(t, as(b, tok.CreateToken.Token).MustGraphQL(t, `mutation($in: RequestTransferInput!) { r: requestTransfer(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"sku": sku, "from": "MAD-1", "quantity": 2, "note": requestNote, "idempotencyKey": "secret-request"}}), &req)
	if req.R.ID == "" {
		t.Fatal("requestTransfer answered no request")
	}
	waitSecretRequest(t, a, req.R.ID, "OPEN")
	decode(t, a.MustGraphQL(t, `mutation($id: ID!, $r: String) { r: declineTransferRequest(id: $id, reason: $r) { id } }`,
		map[string]any{"id": req.R.ID, "r": requestReason}), &req)
	waitSecretRequest(t, b, req.R.ID, "DECLINED")
	return req.R.ID
}

// waitSecretRequest waits until n knows transfer request id with status.
func waitSecretRequest(t *testing.T, n *testnode.Node, id, status string) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if got, _, _ := secretRequestOn(t, n, id); got == status {
			return
		}
	}
	t.Fatalf("%s: transfer request %s is not %s within 60 s", n.DataDir, id, status)
}

// checkSecretRequest checks that n reads the declined request id back in
// clear: its note and its reason.
func checkSecretRequest(t *testing.T, n *testnode.Node, id string) {
	t.Helper()
	if status, note, reason := secretRequestOn(t, n, id); status != "DECLINED" || note != requestNote || reason != requestReason {
		t.Errorf("%s reads request %s as %s, note %q, reason %q", n.DataDir, id, status, note, reason)
	}
}

// sendSecretTransfer sends units of sku from a to BCN-1 (b) with the
// transfer secrets, receives them on b, and waits until a knows it was
// received; it returns the transfer's id.
func sendSecretTransfer(t *testing.T, a, b *testnode.Node, sku string) string {
	t.Helper()
	tr, code := transferCall(a, `mutation($in: TransferInput!) { t: transferStock(input: $in) { `+transferFields+` } }`,
		map[string]any{"in": map[string]any{"sku": sku, "to": "BCN-1", "quantity": 5, "reference": transferRef,
			"note": transferNote, "idempotencyKey": "secret-transfer"}})
	if code != "" {
		t.Fatalf("transferStock: %s", code)
	}
	for _, step := range []struct {
		n    *testnode.Node
		want string
	}{{b, "IN_TRANSIT"}, {b, "RECEIVED"}, {a, "RECEIVED"}} {
		deadline := time.Now().Add(60 * time.Second)
		for {
			if step.want == "RECEIVED" && step.n == b {
				if _, code := receive(b, tr.ID); code != "" {
					t.Fatalf("receiveTransfer on BCN-1: %s", code)
				}
			}
			if got, code := transferOn(step.n, tr.ID); code == "" && got.Status == step.want {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("transfer %s is not %s within 60 s", tr.ID, step.want)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return tr.ID
}

// checkSecretTransfer checks that n reads the secret transfer id back in
// clear through transfers, transfer and Movement.transfer (of both its
// movements, the TRANSFER_OUT and the TRANSFER_IN).
func checkSecretTransfer(t *testing.T, n *testnode.Node, id string) {
	t.Helper()
	var out struct {
		Transfers struct {
			Edges []struct{ Node gqlTransfer }
		}
		Transfer  gqlTransfer
		Movements struct {
			Edges []struct {
				Node struct {
					Kind     string
					Transfer *gqlTransfer
				}
			}
		}
	}
	decode(t, n.MustGraphQL(t, `query($id: ID!, $ref: String) {
		transfers(first: 100) { edges { node { `+transferFields+` } } }
		transfer(id: $id) { `+transferFields+` }
		movements(filter: {reference: $ref}, first: 10) { edges { node { kind transfer { `+transferFields+` } } } } }`,
		map[string]any{"id": id, "ref": id}), &out)
	read := []gqlTransfer{out.Transfer}
	for _, e := range out.Transfers.Edges {
		if e.Node.ID == id {
			read = append(read, e.Node)
		}
	}
	kinds := map[string]bool{}
	for _, e := range out.Movements.Edges {
		kinds[e.Node.Kind] = true
		if e.Node.Transfer == nil {
			t.Fatalf("movement %s has no transfer", e.Node.Kind)
		}
		read = append(read, *e.Node.Transfer)
	}
	if len(read) != 4 || !kinds["TRANSFER_OUT"] || !kinds["TRANSFER_IN"] {
		t.Fatalf("%s read the transfer %d times (movements %v), want through transfers, transfer and 2 movements", n.DataDir, len(read), kinds)
	}
	for _, tr := range read {
		if tr.ID != id || tr.Reference != transferRef || tr.Note != transferNote || tr.Status != "RECEIVED" {
			t.Errorf("read back %+v", tr)
		}
	}
}

// grepData fails t when a database file of n holds a secret.
func grepData(t *testing.T, n *testnode.Node, secrets ...string) {
	t.Helper()
	found := 0
	for _, name := range []string{"stockmesh.db", "stockmesh.db-wal", "stockmesh.db-shm"} {
		b, err := os.ReadFile(filepath.Join(n.DataDir, name))
		if os.IsNotExist(err) {
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		found++
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s of %s holds %q in clear", name, n.DataDir, s)
			}
		}
	}
	if found == 0 {
		t.Fatalf("no database files in %s", n.DataDir)
	}
}

// recordSecret records a sale of sku with the secret reference and note
// (suffixed by tag); it reports whether the node acknowledged it.
func recordSecret(n *testnode.Node, sku, tag string) bool {
	r, err := n.GraphQL(context.Background(), recordMovement, map[string]any{"in": map[string]any{
		"sku": sku, "kind": "SALE", "quantity": 1, "reference": atRestRef + tag, "note": atRestNote + tag}})
	return err == nil && len(r.Errors) == 0
}

// secretMovements returns how many movements of warehouse n reads back
// with the secret reference (tag ""), checking every one's note in clear.
func secretMovements(t *testing.T, n *testnode.Node, warehouse string) int {
	t.Helper()
	count := 0
	var after any
	for {
		var out struct {
			Movements struct {
				Edges []struct {
					Node struct{ Reference, Note, Actor string }
				}
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		decode(t, n.MustGraphQL(t, `query($w: ID, $r: String, $after: String) {
			movements(filter: {warehouse: $w, reference: $r}, first: 500, after: $after) {
				edges { node { reference note actor } } pageInfo { hasNextPage endCursor } } }`,
			map[string]any{"w": warehouse, "r": atRestRef, "after": after}), &out)
		for _, e := range out.Movements.Edges {
			if e.Node.Reference != atRestRef || e.Node.Note != atRestNote || e.Node.Actor != "admin" {
				t.Fatalf("%s read back %+v", warehouse, e.Node)
			}
			count++
		}
		if !out.Movements.PageInfo.HasNextPage {
			return count
		}
		after = out.Movements.PageInfo.EndCursor
	}
}

// waitKeyGone waits until n deleted the file of key id: the background
// pass resealed everything with a newer key.
func waitKeyGone(t *testing.T, n *testnode.Node, id int) {
	t.Helper()
	path := filepath.Join(n.DataDir, "keys", fmt.Sprintf("seal-%d.key", id))
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if _, err := os.Stat(path); os.IsNotExist(err) {
			return
		}
	}
	t.Fatalf("%s still exists after 60s", path)
}

// rotateCLI runs stockmeshd keys rotate on n's data folder and returns the
// new key's id it prints.
func rotateCLI(t *testing.T, n *testnode.Node) string {
	t.Helper()
	out, err := exec.Command(testnode.Binary(t), "keys", "rotate", "--data", n.DataDir).Output()
	if err != nil {
		t.Fatalf("keys rotate: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// TestDataAtRestSealed: notes and references written through a real node,
// and replicated to another, never reach either's database files in
// clear, and read back in clear; so do a transfer's reference and note,
// sent from one to the other, and a transfer request's note, actor and
// reason for its decline. A rotation through the rotateKeys
// mutation under concurrent writes reseals every movement, then deletes
// the old key; the command line rotates through the running node, and
// offline, the node resealing when it starts.
func TestDataAtRestSealed(t *testing.T) {
	a := testnode.Start(t, "--id", "MAD-1", "--name", "Madrid")
	b := testnode.StartJoined(t, a, a.JoinToken(t, 600), "BCN-1")
	for _, n := range []*testnode.Node{a, b} {
		for _, f := range []string{"keys", "keys/index.key", "keys/seal-1.key"} {
			fi, err := os.Stat(filepath.Join(n.DataDir, f))
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]os.FileMode{true: 0o700, false: 0o600}[fi.IsDir()]; fi.Mode().Perm() != want {
				t.Errorf("%s: mode %v, want %v", f, fi.Mode().Perm(), want)
			}
		}
	}
	mustCreate(t, a, "SEC-1", 100_000)
	mustCreate(t, b, "SEC-2", 100)
	for range 20 {
		if !recordSecret(a, "SEC-1", "") || !recordSecret(b, "SEC-2", "-b") {
			t.Fatal("a movement was refused")
		}
	}
	converge(t, []string{"MAD-1", "BCN-1"}, a, b)
	id := sendSecretTransfer(t, a, b, "SEC-1")
	rid := declineSecretRequest(t, a, b, "SEC-1")
	for _, n := range []*testnode.Node{a, b} {
		grepData(t, n, atRestRef, atRestNote, transferRef, transferNote, requestNote, requestReason, requestActor)
		checkSecretTransfer(t, n, id)
		checkSecretRequest(t, n, rid)
	}
	if n := secretMovements(t, b, "MAD-1"); n != 20 {
		t.Fatalf("BCN-1 reads %d of MAD-1's movements by reference, want 20", n)
	}

	// Rotate under concurrent writes.
	var wg sync.WaitGroup
	var acked atomic.Int64
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if recordSecret(a, "SEC-1", "") {
					acked.Add(1)
				}
			}
		}()
	}
	waitUntil(t, "writes under way before the rotation", func() bool { return acked.Load() >= 20 })
	var rot struct{ RotateKeys struct{ Key int } }
	decode(t, a.MustGraphQL(t, `mutation { rotateKeys { key } }`, nil), &rot)
	if rot.RotateKeys.Key != 2 {
		t.Fatalf("rotated to key %d, want 2", rot.RotateKeys.Key)
	}
	waitKeyGone(t, a, 1)
	close(stop)
	wg.Wait()
	t.Logf("%d movements acknowledged during the rotation", acked.Load())
	if got, want := secretMovements(t, a, "MAD-1"), 20+int(acked.Load()); got != want {
		t.Errorf("MAD-1 reads %d movements by reference after the rotation, want %d", got, want)
	}
	grepData(t, a, atRestRef, atRestNote, transferRef, transferNote, requestNote, requestReason, requestActor)
	checkSecretTransfer(t, a, id)
	checkSecretRequest(t, a, rid)

	// Through the running node, then offline on the other one.
	if id := rotateCLI(t, a); id != "3" {
		t.Errorf("keys rotate through the node printed %q, want 3", id)
	}
	waitKeyGone(t, a, 2)
	b.Stop()
	if id := rotateCLI(t, b); id != "2" {
		t.Errorf("keys rotate offline printed %q, want 2", id)
	}
	b.Restart(t)
	waitKeyGone(t, b, 1)
	if n := secretMovements(t, b, "MAD-1"); n < 20 {
		t.Errorf("BCN-1 reads %d of MAD-1's movements after its rotation, want at least 20", n)
	}
	for _, n := range []*testnode.Node{a, b} {
		grepData(t, n, atRestRef, atRestNote, transferRef, transferNote, requestNote, requestReason, requestActor)
		checkSecretTransfer(t, n, id)
		checkSecretRequest(t, n, rid)
	}
}
