package e2e

import (
	"strings"
	"testing"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// TestNetworkReadsOnOneNode: on a node that holds only its own warehouse,
// naming it reads as omitting it, stockLevels and Warehouse.replica
// describe it, and naming a warehouse the node does not hold is NOT_FOUND
// over GraphQL and REST (404), for reads and changes alike.
func TestNetworkReadsOnOneNode(t *testing.T) {
	n := testnode.Start(t)
	mustCreate(t, n, "N1", 4)
	n.MustGraphQL(t, recordMovement, mv("N1", "SALE", 1))
	gql := []struct {
		name, query string
		want        string // part of the data, or with code, of the message
		code        string
	}{
		{"products of the local warehouse named", `{ products(warehouse: "WH-1") { edges { node { sku quantity } } } }`, `"sku":"N1","quantity":3`, ""},
		{"product named with its warehouse", `{ product(sku: "N1", warehouse: "WH-1") { quantity } }`, `"quantity":3`, ""},
		{"movements of the local warehouse named", `{ movements(filter: {warehouse: "WH-1"}) { edges { node { id } } } }`, `"id":"WH-1:3"`, ""},
		{"stock levels", `{ stockLevels(sku: "N1") { warehouse { id local } quantity } }`, `[{"warehouse":{"id":"WH-1","local":true},"quantity":3}]`, ""},
		{"replica of the local log", `{ localWarehouse { replica { seq } } }`, `"replica":{"seq":3}`, ""},
		{"warehouses", `{ warehouses { id local } }`, `[{"id":"WH-1","local":true}]`, ""},
		{"unknown warehouse's products", `{ products(warehouse: "BCN-1") { totalCount } }`, "warehouse BCN-1 is not known to this node", "NOT_FOUND"},
		{"unknown warehouse's product", `{ product(sku: "N1", warehouse: "BCN-1") { sku } }`, "warehouse BCN-1 is not known", "NOT_FOUND"},
		{"change in an unknown warehouse", `mutation { setStock(sku: "N1", quantity: 9, warehouse: "BCN-1") { id } }`, "warehouse BCN-1 is not known", "NOT_FOUND"},
		{"bad warehouse id", `{ products(warehouse: "a b") { totalCount } }`, "warehouse id", "INVALID_INPUT"},
	}
	for _, c := range gql {
		t.Run(c.name, func(t *testing.T) {
			r := n.MustGraphQL(t, c.query, nil)
			if c.code == "" && (len(r.Errors) > 0 || !strings.Contains(string(r.Data), c.want)) {
				t.Fatalf("got %s %+v, want data containing %s", r.Data, r.Errors, c.want)
			}
			if c.code != "" && (r.Code() != c.code || !strings.Contains(r.Errors[0].Message, c.want)) {
				t.Fatalf("got %+v, want %s saying %q", r.Errors, c.code, c.want)
			}
		})
	}
	rest := []struct {
		name, path string
		status     int
		contains   string
	}{
		{"inventory of the local warehouse", "/api/v1/inventory?warehouse=WH-1", 200, `"warehouse":"WH-1"`},
		{"movements of the local warehouse", "/api/v1/movements?warehouse=WH-1&sku=N1", 200, `"id":"WH-1:3"`},
		{"inventory of an unknown warehouse", "/api/v1/inventory?warehouse=BCN-1", 404, `warehouse BCN-1 is not known`},
		{"movements of an unknown warehouse", "/api/v1/movements?warehouse=BCN-1", 404, `"elsewhere":{"warehouse":"BCN-1"}`},
		{"product of an unknown warehouse", "/api/v1/products/N1?warehouse=BCN-1", 404, `"NOT_FOUND"`},
	}
	for _, c := range rest {
		t.Run(c.name, func(t *testing.T) {
			status, _, body := request(t, n, "GET", c.path, n.Token, nil, "")
			if status != c.status || !strings.Contains(body, c.contains) {
				t.Fatalf("got %d %.300s, want %d containing %s", status, body, c.status, c.contains)
			}
		})
	}
}
