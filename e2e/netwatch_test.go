package e2e

import (
	"fmt"
	"testing"
	"time"
)

// TestNetworkChanged: networkChanged tells a subscriber of MAD-1 that
// BCN-1's replica moved when BCN-1 records a change, and that VAL-1 went
// offline when its node is killed, with no polling by the subscriber.
func TestNetworkChanged(t *testing.T) {
	ns := startMesh(t, "BCN-1", "VAL-1")
	a, b, c := ns[0], ns[1], ns[2]
	w, err := dialWS(t, a.Node, "graphql-transport-ws", a.Token)
	if err != nil {
		t.Fatal(err)
	}
	defer w.c.Close()
	w.subscribe("1", `subscription { networkChanged { id online replica { seq digest } } }`)
	waitMetric(t, a.Node, "stockmesh_subscriptions_open", 1)

	mustCreate(t, b.Node, "NET", 5)
	var heads struct {
		LocalWarehouse struct{ Replica struct{ Seq int } }
	}
	decode(t, b.MustGraphQL(t, `{ localWarehouse { replica { seq } } }`, nil), &heads)
	want := heads.LocalWarehouse.Replica.Seq
	waitNetworkEvent(t, w, fmt.Sprintf("BCN-1's replica at seq %d", want), func(id string, online bool, seq int) bool {
		return id == "BCN-1" && seq >= want
	})

	c.Kill()
	waitNetworkEvent(t, w, "VAL-1 offline", func(id string, online bool, seq int) bool {
		return id == "VAL-1" && !online
	})
}

// waitNetworkEvent reads networkChanged events until one satisfies ok,
// for at most 90 s (a killed node is declared offline within seconds).
func waitNetworkEvent(t *testing.T, w *wsConn, what string, ok func(id string, online bool, seq int) bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		ev, _ := w.next()["networkChanged"].(map[string]any)
		id, _ := ev["id"].(string)
		online, _ := ev["online"].(bool)
		seq := 0
		if r, _ := ev["replica"].(map[string]any); r != nil {
			f, _ := r["seq"].(float64)
			seq = int(f)
		}
		if ok(id, online, seq) {
			return
		}
	}
	t.Fatalf("no networkChanged event showing %s within 90 s", what)
}
