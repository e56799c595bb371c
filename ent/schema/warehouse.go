// Package schema is the ent schema of a stockmesh node: warehouses, their
// products, the immutable movement ledger with its idempotency keys, and
// API tokens.
package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// Warehouse holds the schema of a warehouse of the network. Its id is the
// human-readable code (MAD-1); Local marks the one this node owns.
type Warehouse struct {
	ent.Schema
}

// Fields of the Warehouse.
func (Warehouse) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").NotEmpty().MaxLen(64).Immutable(),
		field.String("name").NotEmpty(),
		field.Bool("local").Default(false),
		field.Time("created_at").Immutable(),
		field.Int64("keys_seq").Default(0).
			Comment("every idempotency key of this warehouse's movements up to this seq is in idempotency_keys"),
	}
}

// Edges of the Warehouse.
func (Warehouse) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("products", Product.Type),
		edge.To("movements", Movement.Type),
	}
}
