// Package schema is the ent schema of a stockmesh node: warehouses, their
// products, the immutable movement ledger with its idempotency keys, API
// tokens and the one-time tokens new nodes join the network with.
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
		field.String("url").Default("").
			Comment("the base URL its node advertises to the network, \"\" when unknown"),
		field.String("epoch").Default("").
			Comment("random id of this warehouse's change log, made when its log began; a log seen with another epoch was reset"),
		field.Bool("holds_ca").Default(false).
			Comment("its node keeps the network CA's key and signs members' certificates"),
		field.Time("departed_at").Optional().Nillable().
			Comment("when it left the network; its data stays, read-only, and its certificate is refused"),
	}
}

// Edges of the Warehouse.
func (Warehouse) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("products", Product.Type),
		edge.To("movements", Movement.Type),
	}
}
