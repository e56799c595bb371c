package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// netNode wraps a started node of the network part: an HTTP client that
// trusts the network's CA (every member's ca.crt is that CA's).
func netNode(bn *benchNode) (*subNode, error) {
	tc, err := clientTLS(bn.dir)
	if err != nil {
		bn.stop()
		return nil, err
	}
	return &subNode{benchNode: bn, tls: tc, client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: tc.Clone(), ForceAttemptHTTP2: true, MaxIdleConnsPerHost: writerInFlight}}}, nil
}

// startMember starts a node that starts a network, with warehouse id, on
// data dir dir (a new temp dir when empty).
func startMember(o options, dir, id string, extra ...string) (*subNode, error) {
	var bn *benchNode
	var err error
	args := append([]string{"--id", id}, extra...)
	if dir == "" {
		bn, err = startNode(o, args...)
	} else {
		bn, err = startNodeIn(o, dir, args...)
	}
	if err != nil {
		return nil, err
	}
	return netNode(bn)
}

// startJoined starts a node with warehouse id on a new temp data dir that
// joins the network through via with a fresh join token, advertising its
// loopback address, as internal/testnode does.
func startJoined(o options, via *subNode, id string, extra ...string) (*subNode, error) {
	token, err := via.joinToken()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + freePort()
	args := append([]string{"--listen", addr, "--id", id, "--join", via.base, "--join-token", token,
		"--advertise", "https://" + addr}, extra...)
	bn, err := startNode(o, args...)
	if err != nil {
		return nil, err
	}
	return netNode(bn)
}

// query runs GraphQL query q as the node's admin and decodes its data into
// out; an answer with errors is an error.
func (n *subNode) query(q string, out any) error {
	body, _ := json.Marshal(map[string]string{"query": q})
	b, ok := post(n.client, n.graphql(), n.token, body)
	if !ok {
		return fmt.Errorf("GraphQL %q on %s: %s", q, n.base, b)
	}
	var r struct{ Data json.RawMessage }
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	return json.Unmarshal(r.Data, out)
}

// joinToken issues a one-time join token on n.
func (n *subNode) joinToken() (string, error) {
	var d struct{ CreateJoinToken struct{ Token string } }
	if err := n.query(`mutation { createJoinToken(expiresIn: 600) { token } }`, &d); err != nil {
		return "", err
	}
	if d.CreateJoinToken.Token == "" {
		return "", errors.New("createJoinToken answered no token")
	}
	return d.CreateJoinToken.Token, nil
}

// replica is how far a node holds one warehouse's log.
type replica struct {
	Seq    int64
	Digest string
}

// replica returns how far n holds warehouse id's log (seq 0 when it
// holds nothing of it). It computes the digest too, a long read.
func (n *subNode) replica(id string) (replica, error) {
	var d struct {
		Warehouses []struct {
			ID      string
			Replica *replica
		}
	}
	if err := n.query(`{ warehouses { id replica { seq digest } } }`, &d); err != nil {
		return replica{}, err
	}
	for _, w := range d.Warehouses {
		if w.ID == id && w.Replica != nil {
			return *w.Replica, nil
		}
	}
	return replica{}, nil
}

// newestMovement returns the seq of the newest movement of warehouse id
// that n holds, -1 when none: a cheap read (one lookup) to poll with.
func (n *subNode) newestMovement(id string) (int, error) {
	var d struct {
		Movements struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	q := fmt.Sprintf(`{ movements(filter: {warehouse: %q}, first: 1) { edges { node { id } } } }`, id)
	if err := n.query(q, &d); err != nil {
		return -1, err
	}
	if len(d.Movements.Edges) == 0 {
		return -1, nil
	}
	return idSeq(d.Movements.Edges[0].Node.ID), nil
}

// waitReplica waits up to timeout until n holds warehouse id's log up to
// seq with digest, and reports what it holds otherwise.
func (n *subNode) waitReplica(id string, want replica, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		got, err := n.replica(id)
		if err == nil && got == want {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s holds %s's log at %+v (%v), want %+v", n.base, id, got, err, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitOnline waits up to timeout until n lists every one of ids as online.
func (n *subNode) waitOnline(timeout time.Duration, ids ...string) error {
	deadline := time.Now().Add(timeout)
	for {
		var d struct {
			Warehouses []struct {
				ID     string
				Online bool
			}
		}
		err := n.query(`{ warehouses { id online } }`, &d)
		online := map[string]bool{}
		for _, w := range d.Warehouses {
			online[w.ID] = w.Online
		}
		missing := ""
		for _, id := range ids {
			if !online[id] {
				missing = id
			}
		}
		if err == nil && missing == "" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s does not see %s online after %v (%v)", n.base, missing, timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
