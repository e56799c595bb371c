package console

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeNode answers GraphQL requests by the field they ask for.
func fakeNode(t *testing.T) (url, caFile string) {
	t.Helper()
	product := `{"sku":"A1","name":"Bolt","description":"","price":"9.9","quantity":40,"reorderPoint":5,"belowReorderPoint":false,
		"warehouse":{"id":"MAD","name":"Madrid","local":true},"createdAt":"2026-11-23T10:15:00Z","updatedAt":"2026-11-23T10:15:00Z"}`
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Query     string
			Variables map[string]any
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Header.Get("Authorization") != "Bearer tok":
			w.Write([]byte(`{"errors":[{"message":"who are you","extensions":{"code":"UNAUTHENTICATED"}}],"data":null}`))
		case strings.Contains(req.Query, "product(sku") && req.Variables["sku"] == "A1":
			w.Write([]byte(`{"data":{"product":` + product + `}}`))
		case strings.Contains(req.Query, "product(sku"):
			w.Write([]byte(`{"data":{"product":null},"errors":[{"message":"no such product","extensions":{"code":"NOT_FOUND"}}]}`))
		case strings.Contains(req.Query, "products("):
			w.Write([]byte(`{"data":{"products":{"edges":[{"node":` + product + `}],"pageInfo":{"hasNextPage":false},"totalCount":1}}}`))
		case strings.Contains(req.Query, "setStock") && req.Variables["sku"] != "A1":
			w.Write([]byte(`{"data":null,"errors":[{"message":"product a1 not found","extensions":{"code":"NOT_FOUND"}}]}`))
		case strings.Contains(req.Query, "localWarehouse"):
			w.Write([]byte(`{"data":{"localWarehouse":{"id":"MAD","name":"Madrid","local":true}}}`))
		case strings.Contains(req.Query, "movements("):
			w.Write([]byte(`{"data":{"movements":{"edges":[]}}}`))
		case strings.Contains(req.Query, "recordMovement"):
			w.Write([]byte(`{"data":null,"errors":[{"message":"only 40","extensions":{"code":"INSUFFICIENT_STOCK"}}]}`))
		default:
			w.Write([]byte(`{"data":null,"errors":[{"message":"unexpected","extensions":{"code":"INTERNAL"}}]}`))
		}
	}))
	t.Cleanup(srv.Close)
	caFile = filepath.Join(t.TempDir(), "ca.crt")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return srv.URL, caFile
}

func TestRun(t *testing.T) {
	url, ca := fakeNode(t)
	down := httptest.NewTLSServer(http.NotFoundHandler())
	down.Close()
	conn := []string{"--server", url, "--ca", ca, "--token", "tok"}
	tests := []struct {
		name     string
		args     []string
		stdin    string
		env      map[string]string
		raw      bool // args without the connection flags
		wantCode int
		wantOut  []string
		wantErr  []string
		errLine  string // stderr's first line, exactly, when not ""
	}{
		{name: "get", args: []string{"product", "get", "A1"}, wantOut: []string{"Bolt", "9.90", "Madrid"}},
		{name: "get json", args: []string{"--json", "product", "get", "A1"}, wantOut: []string{`"sku": "A1"`, `"quantity": 40`}},
		{name: "not found", args: []string{"product", "get", "ZZ"}, wantCode: 1, wantErr: []string{"Product not found."}},
		{name: "not found json", args: []string{"product", "get", "ZZ", "--json"}, wantCode: 1, wantOut: []string{`"code": "NOT_FOUND"`}},
		{name: "not found spanish", args: []string{"product", "get", "ZZ"}, env: map[string]string{"LANG": "es_ES.UTF-8"}, wantCode: 1, wantErr: []string{"Producto no encontrado."}},
		{name: "sku in another case", args: []string{"product", "get", "a1"}, wantCode: 1, wantErr: []string{"No product a1; did you mean A1?"}},
		{name: "sku in another case spanish", args: []string{"--lang", "es", "stock", "set", "a1", "3"}, wantCode: 1,
			wantErr: []string{"No hay ningún producto a1; ¿quería decir A1?"}},
		{name: "sku in another case json", args: []string{"--json", "product", "get", "a1"}, wantCode: 1,
			wantOut: []string{`"code": "NOT_FOUND"`, "did you mean A1?"}},
		{name: "sale refused", args: []string{"move", "sale", "A1", "99", "--ref", "ORD-7"}, wantCode: 1, wantErr: []string{"Not enough stock"}},
		{name: "products", args: []string{"products"}, wantOut: []string{"SKU", "A1", "Products: 1."}},
		{name: "bad number", args: []string{"stock", "set", "A1", "lots"}, wantCode: 2, wantErr: []string{"not a whole number"}},
		{name: "fulfil quantity below one", args: []string{"fulfil", "MAD-1:R1", "--quantity", "0"}, wantCode: 2,
			errLine: "--quantity: must be at least 1"},
		{name: "accept qty below one spanish", args: []string{"--lang", "es", "accept", "BCN-1:Q1", "--qty", "0"}, wantCode: 2,
			errLine: "--qty: debe ser al menos 1"},
		{name: "unknown command", raw: true, args: []string{"frobnicate"}, wantCode: 2, wantErr: []string{"unknown command"}},
		{name: "unknown command spanish", raw: true, args: []string{"--lang", "es", "frobnicate"}, wantCode: 2, wantErr: []string{`orden desconocida: "frobnicate"`}},
		{name: "mistyped flag names the command's flags", args: []string{"product", "add", "--sku", "X", "--qty", "3"}, wantCode: 2,
			wantErr: []string{"unknown flag --qty; product add takes --description, ", "--price, --quantity, --reorder, --sku"}},
		{name: "mistyped flag spanish", args: []string{"--lang", "es", "product", "add", "--sku", "X", "--qty", "3"}, wantCode: 2,
			wantErr: []string{"opción desconocida: --qty; product add admite --description"}},
		{name: "flag without its value spanish", args: []string{"--lang", "es", "products", "--search"}, wantCode: 2, wantErr: []string{"la opción --search necesita un valor"}},
		{name: "missing arguments spanish", args: []string{"--lang", "es", "move", "venta"}, wantCode: 2, wantErr: []string{"falta SKU, QUANTITY"}},
		{name: "zero quantity spanish", args: []string{"--lang", "es", "move", "venta", "A1", "0"}, wantCode: 2, wantErr: []string{"QUANTITY: debe ser al menos 1"}},
		{name: "no such file spanish", args: []string{"--lang", "es", "import", "/nonexistent/catalogue.csv"}, wantCode: 2,
			wantErr: []string{"/nonexistent/catalogue.csv: no existe ese fichero"}},
		{name: "group lists its commands", raw: true, args: []string{"product"}, wantCode: 2,
			wantErr: []string{"stockmesh product needs one of these commands:", "  product add --sku SKU", "  product delete SKU"}},
		{name: "group with an unknown command", raw: true, args: []string{"stock", "frob"}, wantCode: 2,
			wantErr: []string{`unknown command "stock frob"; stockmesh stock takes:`, "  stock levels SKU"}},
		{name: "group spanish", raw: true, args: []string{"--lang", "es", "product"}, wantCode: 2,
			wantErr: []string{"stockmesh product necesita una de estas órdenes:", "  product get SKU"}},
		{name: "update with nothing to change", args: []string{"product", "update", "A1", "--note", "why"}, wantCode: 2,
			wantErr: []string{"product update A1: nothing to change; give at least one of --name"}},
		{name: "update with nothing to change json", args: []string{"--json", "product", "update", "A1"}, wantCode: 2,
			wantOut: []string{`"code": "USAGE"`, "nothing to change"}},
		{name: "bad token", args: []string{"product", "get", "A1", "--token", "nope"}, wantCode: 1, wantErr: []string{"Not allowed"}},
		{name: "unreachable", raw: true, args: []string{"products", "--server", down.URL, "--ca", ca}, wantCode: 3, wantErr: []string{"is unreachable"}},
		{name: "env settings", raw: true, args: []string{"product", "get", "A1"}, env: map[string]string{"STOCKMESH_TOKEN": "tok", "STOCKMESH_SERVER": url, "STOCKMESH_CA": ca}, wantOut: []string{"Bolt"}},
		{name: "delete declined", args: []string{"product", "delete", "A1"}, stdin: "n\n", wantCode: 1, wantOut: []string{"Delete A1 (Bolt, 40 in stock)? [y/N]"}, wantErr: []string{"nothing was deleted"}},
		{name: "transfer without arguments", args: []string{"transfer"}, wantCode: 2, wantErr: []string{"missing SKU"}},
		{name: "transfer without --to", args: []string{"transfer", "A1", "2"}, wantCode: 2, wantErr: []string{"missing --to"}},
		{name: "transfers bad status", args: []string{"transfers", "--status", "lost"}, wantCode: 2, wantErr: []string{"--status"}},
		{name: "receive without id", args: []string{"receive"}, wantCode: 2, wantErr: []string{"missing ID"}},
		{name: "version flag", raw: true, args: []string{"--version"}, wantOut: []string{"stockmesh test"}},
		{name: "version json", args: []string{"version", "--json"}, wantOut: []string{`"version": "test"`}},
		{name: "menu re-prompts", args: nil, stdin: "x\n2\nA1\n3\nA1\nabc\n\n\n0\n", wantOut: []string{
			"Watch live stock", `There is no option "x"`, "Madrid", `"abc" is not a whole number`, "New quantity [40]: ", "Goodbye."}},
		{name: "menu spanish", args: []string{"--lang", "es"}, stdin: "2\nZZ\n0\n", wantOut: []string{"Ver existencias en vivo", "Producto no encontrado.", "Hasta luego."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			var out, errOut bytes.Buffer
			args := tt.args
			if !tt.raw {
				args = append(append([]string{}, conn...), args...)
			}
			env := Env{
				Stdin: strings.NewReader(tt.stdin), Stdout: &out, Stderr: &errOut, Version: "test",
				Getenv: func(k string) string { return tt.env[k] },
			}
			code := Run(context.Background(), args, env)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, out.String(), errOut.String())
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(errOut.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut.String())
				}
			}
			if first, _, _ := strings.Cut(errOut.String(), "\n"); tt.errLine != "" && first != tt.errLine {
				t.Errorf("stderr's first line %q, want %q", first, tt.errLine)
			}
		})
	}
}
