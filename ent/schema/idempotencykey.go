package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// IdempotencyKey holds the schema of the index from a movement's
// idempotency key to its seq. The writer fills it in sorted bulk, not one
// row per movement: a unique index over keys that arrive in no order
// would dirty one page per movement in every group commit. Keys recorded
// since the last flush (the movements after the warehouse's keys_seq) are
// in the writer's memory, rebuilt from the ledger on start.
type IdempotencyKey struct {
	ent.Schema
}

// Fields of the IdempotencyKey.
func (IdempotencyKey) Fields() []ent.Field {
	return []ent.Field{
		field.String("warehouse_id").Immutable(),
		field.String("key").NotEmpty().Immutable(),
		field.Int64("seq").Immutable().Comment("the seq of the movement recorded with the key"),
	}
}

// Indexes of the IdempotencyKey.
func (IdempotencyKey) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("warehouse_id", "key").Unique(),
	}
}
