package node

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
	"github.com/stockmesh/stockmesh/server/pyro"
)

// TestInvalidUTF8Refused: text that is not valid UTF-8, sent raw or as a
// \u escape of half a surrogate pair, is refused with INVALID_INPUT on
// GraphQL (POST and GET), REST and Pyro4 and changes nothing. Before, the
// GraphQL and Pyro4 decoders replaced it with U+FFFD, so two different skus
// became one (the second ALREADY_EXISTS) and notes were stored changed.
func TestInvalidUTF8Refused(t *testing.T) {
	pyroAddr := testnode.FreeAddr(t)
	url, c, token, _ := startNode(t, Config{Pyro: pyroAddr}, "h2")
	post := func(body string) string {
		req, _ := http.NewRequest("POST", url+"/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		return do(t, c, req)
	}
	get := func(path string) string {
		req, _ := http.NewRequest("GET", url+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		return do(t, c, req)
	}
	const create = `{"query":"mutation($s: ID!, $n: String!){createProduct(input:{sku:$s, name:$n, price:\"1\", initialQuantity: 5}){sku}}","variables":{"s":%q,"n":%q}}`
	if out := post(sprintf(create, "OK-1", "fine")); !strings.Contains(out, `"OK-1"`) {
		t.Fatalf("creating a valid product: %s", out)
	}
	const move = `{"query":"mutation($n: String!){recordMovement(input:{sku:\"OK-1\", kind: SALE, quantity: 1, note: $n}){id}}","variables":{"n":%s}}`
	cases := []struct {
		name string
		send func() string
	}{
		{"GraphQL raw byte in a sku", func() string { return post(sprintf(create, "A\xff", "x")) }},
		{"GraphQL lone surrogate in a sku", func() string { return post(strings.Replace(sprintf(create, "A#", "x"), "A#", `A\udc80`, 1)) }},
		{"GraphQL lone surrogate in a second sku", func() string { return post(strings.Replace(sprintf(create, "A#", "x"), "A#", `A\udc81`, 1)) }},
		{"GraphQL raw byte in a name", func() string { return post(sprintf(create, "B-1", "caf\xe9")) }},
		{"GraphQL lone surrogate in a note", func() string { return post(sprintf(move, `"n\udfff"`)) }},
		{"GraphQL GET", func() string { return get(`/graphql?query=%7Bproduct(sku:%22A%FF%22)%7Bsku%7D%7D`) }},
		{"REST path", func() string { return get("/api/v1/products/A%FF") }},
		{"REST query", func() string { return get("/api/v1/movements?sku=A%FF") }},
		{"Pyro4 lone surrogate in an id", func() string { return pyroCall(t, pyroAddr, `"agregar_producto"`, `["P\udc80", "x", 1]`) }},
		{"Pyro4 raw byte in a name", func() string { return pyroCall(t, pyroAddr, `"agregar_producto"`, "[\"P-2\", \"caf\xe9\", 1]") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := tc.send()
			if !strings.Contains(out, "INVALID_INPUT") && !strings.Contains(out, "UTF-8") {
				t.Fatalf("got %s; want INVALID_INPUT", out)
			}
		})
	}
	if out := post(`{"query":"{products(first: 10){edges{node{sku quantity}}}}"}`); !strings.Contains(out, `"sku":"OK-1","quantity":5`) ||
		strings.Count(out, `"sku"`) != 1 {
		t.Errorf("after the refusals: %s; want OK-1 alone, untouched", out)
	}
}

// sprintf is fmt.Sprintf with %q quoting as JSON strings do for ASCII.
func sprintf(format string, args ...any) string {
	for _, a := range args {
		b, _ := json.Marshal(a)
		if s := a.(string); strings.ContainsAny(s, "\xff\xe9") {
			b = []byte(`"` + s + `"`) // raw bytes, as an attacker sends them
		}
		format = strings.Replace(format, "%q", string(b), 1)
	}
	return format
}

// do sends req and returns the status and body.
func do(t *testing.T, c *http.Client, req *http.Request) string {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.Status + " " + string(b)
}

// pyroCall calls inventario.servicio.method(args) with the json serializer
// over a raw connection to addr and returns the reply's payload.
func pyroCall(t *testing.T, addr, method, args string) string {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(30 * time.Second))
	send := func(typ uint16, payload string) *pyro.Frame {
		b, _ := (&pyro.Frame{Type: typ, Serializer: pyro.SerializerJSON, Payload: []byte(payload)}).Bytes()
		if _, err := nc.Write(b); err != nil {
			t.Fatal(err)
		}
		f, err := pyro.ReadFrame(nc, pyro.MaxPayload)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	send(pyro.MsgConnect, `{"handshake": "hello"}`)
	call := `{"object": "inventario.servicio", "method": ` + method + `, "params": ` + args + `, "kwargs": {}}`
	f := send(pyro.MsgInvoke, call)
	return string(bytes.ToValidUTF8(f.Payload, []byte("?")))
}
