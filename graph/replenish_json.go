package graph

import (
	"bytes"
	"context"
	"math"
	"slices"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/stockmesh/stockmesh/graph/scalar"
	"github.com/stockmesh/stockmesh/server/stock"
)

// planJSON answers a query of replenishmentPlan fields alone by writing
// its JSON directly, and hands every other operation to the generated
// schema. A plan of a whole network is tens of thousands of suggestions:
// gqlgen resolves each of their fields through a field context, its
// middleware and a goroutine per list element, about half a second of CPU
// for 37,000 suggestions, where writing them takes a few milliseconds.
// It writes exactly what the generated schema writes (the same
// CollectFields, aliases, field order and scalar encodings;
// TestPlanJSONMatchesGenerated compares them) and serves only the
// selections it knows: a TransferSuggestion's fields, and a Warehouse's
// id and name; anything else, and any error of the plan, goes the
// generated way, which reports it as usual.
type planJSON struct {
	graphql.ExecutableSchema
	svc *stock.Service
}

// Exec runs the operation in ctx.
func (p planJSON) Exec(ctx context.Context) graphql.ResponseHandler {
	generated := p.ExecutableSchema.Exec(ctx)
	oc := graphql.GetOperationContext(ctx)
	fields, ok := planFields(oc)
	if !ok {
		return generated
	}
	first, fast := true, false
	return func(ctx context.Context) *graphql.Response {
		switch {
		case first:
			first = false
			if data, ok := p.write(ctx, oc, fields); ok {
				fast = true
				return &graphql.Response{Data: data}
			}
		case fast:
			return nil // the end of the stream, as the generated handler's
		}
		return generated(ctx)
	}
}

// planFields returns the root fields of oc's operation when it is a query
// of replenishmentPlan fields alone whose selections planJSON serves.
func planFields(oc *graphql.OperationContext) ([]graphql.CollectedField, bool) {
	if oc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Query {
		return nil, false
	}
	fields := graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Query"})
	for _, f := range fields {
		if f.Name != "replenishmentPlan" || len(f.Deferrables) > 0 || !servedSuggestion(oc, f.Selections) {
			return nil, false
		}
	}
	return fields, len(fields) > 0
}

// servedSuggestion reports whether planJSON writes every field sel
// selects of a TransferSuggestion (none deferred: gqlgen sends those
// later).
func servedSuggestion(oc *graphql.OperationContext, sel ast.SelectionSet) bool {
	for _, f := range graphql.CollectFields(oc, sel, []string{"TransferSuggestion"}) {
		if len(f.Deferrables) > 0 {
			return false
		}
		switch f.Name {
		case "__typename", "sku", "quantity", "reason", "fromDaysOfCover", "toDaysOfCover":
		case "from", "to":
			for _, w := range graphql.CollectFields(oc, f.Selections, []string{"Warehouse"}) {
				if w.Name != "__typename" && w.Name != "id" && w.Name != "name" || len(w.Deferrables) > 0 {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}

// write returns the data of the query of fields, or false when a plan
// failed (the generated schema then reports it).
func (p planJSON) write(ctx context.Context, oc *graphql.OperationContext, fields []graphql.CollectedField) ([]byte, bool) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	written := map[string]bool{}
	for _, f := range fields {
		if written[f.Alias] {
			continue
		}
		args := f.ArgumentMap(oc.Variables)
		warehouse, err1 := scalar.UnmarshalID(args["warehouse"])
		sku, err2 := scalar.UnmarshalID(args["sku"])
		if err1 != nil || err2 != nil {
			return nil, false
		}
		plan, err := p.svc.ReplenishmentPlan(ctx, warehouse, sku)
		if err != nil {
			return nil, false
		}
		if len(written) > 0 {
			buf.WriteByte(',')
		}
		written[f.Alias] = true
		quoted(&buf, f.Alias)
		buf.WriteByte(':')
		if !writeSuggestions(&buf, oc, f.Selections, plan) {
			return nil, false
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), true
}

// writeSuggestions writes plan's suggestions with the fields sel selects.
func writeSuggestions(buf *bytes.Buffer, oc *graphql.OperationContext, sel ast.SelectionSet, plan []*stock.TransferSuggestion) bool {
	fields := distinct(graphql.CollectFields(oc, sel, []string{"TransferSuggestion"}))
	sub := make([][]graphql.CollectedField, len(fields))
	for i, f := range fields {
		if f.Name == "from" || f.Name == "to" {
			sub[i] = distinct(graphql.CollectFields(oc, f.Selections, []string{"Warehouse"}))
		}
	}
	type shown struct { // a warehouse as one field selects it
		field int
		w     *stock.Warehouse
	}
	warehouses := map[shown][]byte{} // 24 warehouses named tens of thousands of times
	var num []byte
	buf.WriteByte('[')
	for n, s := range plan {
		if n > 0 {
			buf.WriteByte(',')
		}
		buf.WriteByte('{')
		for i, f := range fields {
			if i > 0 {
				buf.WriteByte(',')
			}
			quoted(buf, f.Alias)
			buf.WriteByte(':')
			switch f.Name {
			case "__typename":
				quoted(buf, "TransferSuggestion")
			case "sku":
				graphql.MarshalID(s.SKU).MarshalGQL(buf)
			case "quantity":
				num = strconv.AppendInt(num[:0], s.Quantity, 10)
				buf.Write(num)
			case "reason":
				graphql.MarshalString(string(s.Reason)).MarshalGQL(buf)
			case "fromDaysOfCover", "toDaysOfCover":
				d := s.FromDaysOfCover
				if f.Name == "toDaysOfCover" {
					d = s.ToDaysOfCover
				}
				if !writeFloat(buf, d) {
					return false
				}
			case "from", "to":
				w := s.FromWarehouse
				if f.Name == "to" {
					w = s.ToWarehouse
				}
				if w == nil {
					return false
				}
				k := shown{i, w}
				if warehouses[k] == nil {
					warehouses[k] = warehouseObject(w, sub[i])
				}
				buf.Write(warehouses[k])
			}
		}
		buf.WriteByte('}')
	}
	buf.WriteByte(']')
	return true
}

// warehouseObject returns the JSON of w with fields (id, name and
// __typename only).
func warehouseObject(w *stock.Warehouse, fields []graphql.CollectedField) []byte {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			buf.WriteByte(',')
		}
		quoted(&buf, f.Alias)
		buf.WriteByte(':')
		switch f.Name {
		case "__typename":
			quoted(&buf, "Warehouse")
		case "id":
			graphql.MarshalID(w.ID).MarshalGQL(&buf)
		case "name":
			graphql.MarshalString(w.Name).MarshalGQL(&buf)
		}
	}
	buf.WriteByte('}')
	return buf.Bytes()
}

// writeFloat writes an optional Float as the generated schema does (%g;
// null for nil), and reports false for a value it would refuse.
func writeFloat(buf *bytes.Buffer, d *float64) bool {
	if d == nil {
		buf.WriteString("null")
		return true
	}
	if math.IsInf(*d, 0) || math.IsNaN(*d) {
		return false
	}
	buf.Write(strconv.AppendFloat(buf.AvailableBuffer(), *d, 'g', -1, 64))
	return true
}

// quoted writes s as a JSON string, as gqlgen quotes keys and strings.
func quoted(buf *bytes.Buffer, s string) { graphql.MarshalString(s).MarshalGQL(buf) }

// distinct returns fields without those whose alias came before, which
// gqlgen does not write twice.
func distinct(fields []graphql.CollectedField) []graphql.CollectedField {
	out := fields[:0:0]
	for _, f := range fields {
		if !slices.ContainsFunc(out, func(g graphql.CollectedField) bool { return g.Alias == f.Alias }) {
			out = append(out, f)
		}
	}
	return out
}
