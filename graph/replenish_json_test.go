package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/replenish"
	"github.com/stockmesh/stockmesh/server/stock"
)

// planQueue answers the jobs of a replenishment plan: the local
// warehouse, the members, and a plan (NOT_FOUND for warehouse NOPE-1),
// counting the plans it was asked for (gqlgen resolves root fields
// concurrently).
type planQueue struct{ plans atomic.Int64 }

func (q *planQueue) Do(_ context.Context, _ stock.Class, job []byte) ([]byte, error) {
	meta, body, err := stock.DecodeJob(job)
	if err != nil {
		return nil, err
	}
	switch meta.Op {
	case stock.OpWarehouseGet.Name:
		return stock.EncodeReply(&stock.Warehouse{ID: "MAD-1", Name: "Madrid", Local: true}), nil
	case stock.OpMemberList.Name:
		return stock.EncodeReply(&stock.MemberList{Warehouses: []stock.Warehouse{
			{ID: "BCN-1", Name: `Barcelona "Port" <&> ñ`}, {ID: "VAL-1", Name: "Valencia\t\u2028"}}}), nil
	}
	q.plans.Add(1)
	var req stock.ReplenishQuery
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, err
	}
	if req.Warehouse == "NOPE-1" {
		return stock.EncodeError(stock.UnknownWarehouse("NOPE-1")), nil
	}
	f := func(v float64) *float64 { return &v }
	all := []replenish.Suggestion{
		{SKU: "P-1", From: "BCN-1", To: "MAD-1", Quantity: 25, Reason: replenish.BelowReorderPoint, FromDaysOfCover: f(42.5), ToDaysOfCover: f(0.1)},
		{SKU: "P-1", From: "VAL-1", To: "MAD-1", Quantity: 3, Reason: replenish.BelowReorderPoint, ToDaysOfCover: f(1e21)},
		{SKU: `Ω "odd" sku\`, From: "MAD-1", To: "VAL-1", Quantity: 2_000_000_000, Reason: replenish.ExpiringElsewhere, FromDaysOfCover: f(1.0 / 3)},
		{SKU: "P-2", From: "MAD-1", To: "BCN-1", Quantity: 1, Reason: replenish.BelowReorderPoint, FromDaysOfCover: f(0), ToDaysOfCover: f(123456789.25)},
	}
	out := stock.ReplenishPlan{Suggestions: []replenish.Suggestion{}}
	for _, s := range all {
		if (req.Warehouse == "" || s.To == req.Warehouse) && (req.SKU == "" || s.SKU == req.SKU) {
			out.Suggestions = append(out.Suggestions, s)
		}
	}
	return stock.EncodeReply(&out), nil
}

// TestPlanJSONMatchesGenerated: for queries of replenishmentPlan alone
// (aliases, repeated fields, fragments, directives, variables,
// __typename, every field, odd strings and floats), planJSON writes the
// very bytes the generated schema writes, and it serves them itself;
// for any other selection, and for a plan that fails, the generated
// schema answers (same data, same errors).
func TestPlanJSONMatchesGenerated(t *testing.T) {
	q := &planQueue{}
	svc := stock.NewService(q)
	es := NewExecutableSchema(Config{Resolvers: &Resolver{Stock: svc}})
	generated, fast := executor.New(costed{es}), executor.New(costed{planJSON{es, svc}})
	ctx := auth.AsNode(context.Background())
	tests := []struct {
		name   string
		query  string
		vars   map[string]any
		served bool
	}{
		{"the bench's", `{ replenishmentPlan { sku from { id } to { id } quantity } }`, nil, true},
		{"every field", `{ replenishmentPlan { __typename sku from { __typename id name } to { name id } quantity reason fromDaysOfCover toDaysOfCover } }`, nil, true},
		{"aliases and repeats", `{ a: replenishmentPlan(warehouse: "MAD-1") { s: sku sku s: sku q: quantity from { i: id id } }
			b: replenishmentPlan(sku: "P-1") { to { id } quantity } a: replenishmentPlan(warehouse: "MAD-1") { sku } }`, nil, true},
		{"fragments and directives", `query($w: ID, $skip: Boolean!) { replenishmentPlan(warehouse: $w) { ...F reason @skip(if: $skip) to @include(if: $skip) { id } } }
			fragment F on TransferSuggestion { sku quantity ... on TransferSuggestion { from { name } } }`,
			map[string]any{"w": "VAL-1", "skip": true}, true},
		{"empty", `{ replenishmentPlan(sku: "NONE") { sku } }`, nil, true},
		{"a field it leaves", `{ replenishmentPlan { sku from { id local } } }`, nil, false},
		{"beside another field", `{ __typename replenishmentPlan { sku } }`, nil, false},
		{"deferred", `{ replenishmentPlan { sku ... @defer { quantity } } }`, nil, false},
		{"deferred warehouse field", `{ replenishmentPlan { sku from { id ... @defer(label: "n") { name } } } }`, nil, false},
		{"a plan that fails", `{ replenishmentPlan(warehouse: "NOPE-1") { sku } }`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := func(e *executor.Executor) *graphql.Response {
				ctx := graphql.StartOperationTrace(ctx)
				oc, errs := e.CreateOperationContext(ctx, &graphql.RawParams{Query: tt.query, Variables: tt.vars})
				if errs != nil {
					t.Fatalf("%s: %v", tt.query, errs)
				}
				if _, ok := planFields(oc); ok != tt.served {
					t.Fatalf("planJSON serves it: %v, want %v", ok, tt.served)
				}
				h, ctx := e.DispatchOperation(ctx, oc)
				resp := h(ctx)
				if again := h(ctx); again != nil {
					t.Fatalf("a second response: %+v", again)
				}
				return resp
			}
			want, got := run(generated), run(fast)
			if !bytes.Equal(got.Data, want.Data) {
				t.Errorf("data:\n got %s\nwant %s", got.Data, want.Data)
			}
			ge, _ := json.Marshal(got.Errors)
			we, _ := json.Marshal(want.Errors)
			if !bytes.Equal(ge, we) {
				t.Errorf("errors:\n got %s\nwant %s", ge, we)
			}
		})
	}
	if q.plans.Load() == 0 {
		t.Fatal("no plan was asked for")
	}
}
