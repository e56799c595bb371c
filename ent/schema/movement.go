package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Movement holds the schema of one immutable entry of a warehouse's ledger.
// Seq numbers every change of a warehouse gap-free; Quantity is signed and
// Balance is the product's stock right after the movement.
type Movement struct {
	ent.Schema
}

// Fields of the Movement.
func (Movement) Fields() []ent.Field {
	return []ent.Field{
		field.String("warehouse_id").Immutable(),
		field.Int64("seq").Immutable(),
		field.Int("product_id").Immutable(),
		field.String("sku").Immutable(),
		field.Enum("kind").
			Values("PURCHASE", "SALE", "RETURN", "ADJUSTMENT", "TRANSFER_OUT", "TRANSFER_IN", "RELOCATION").
			Immutable(),
		field.Int64("quantity").Immutable(),
		field.Int64("balance").Immutable(),
		// Sealed (internal/sealing, server/store/seal.go): AES-256-GCM
		// under the node's key, or clear in a database older than that
		// until the background reseal reaches them.
		field.String("reference").Default("").Immutable(),
		field.String("note").Default("").Immutable(),
		field.String("actor").Default("").Immutable(),
		// Keyed hashes (HMAC-SHA256, 16 bytes) of reference and actor,
		// what filters look up; NULL when the field is empty.
		field.Bytes("reference_hash").Optional().Nillable().
			Comment("HMAC of the reference under the node's index key"),
		field.Bytes("actor_hash").Optional().Nillable().
			Comment("HMAC of the actor under the node's index key"),
		field.String("idempotency_key").Optional().Nillable().Immutable().
			Comment("unique per warehouse; looked up through IdempotencyKey"),
		field.String("fingerprint").Default("").Immutable().
			Comment("digest of the request, to tell a retry from a reused idempotency key"),
		field.Time("created_at").Immutable(),
		field.Int64("price").Default(0).Immutable().
			Comment("the product's price when the movement was recorded, for reports (stock.Price)"),
		// NULL for a movement of no lot, location or pack (every one
		// before issue 29): the hot path writes nothing more.
		field.String("detail").Optional().Nillable().Immutable().
			Comment("the movement's lots, location and pack as JSON (server/store/lots.go)"),
	}
}

// Edges of the Movement.
func (Movement) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("warehouse", Warehouse.Type).Ref("movements").Field("warehouse_id").
			Unique().Required().Immutable(),
		edge.From("product", Product.Type).Ref("movements").Field("product_id").
			Unique().Required().Immutable(),
	}
}

// Indexes of the Movement.
func (Movement) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("warehouse_id", "seq").Unique(),
		// Listings go newest first by (created_at, warehouse_id, seq):
		// an index for each filter that leads them (server/store/history.go).
		// The warehouse's is appended to at its end, as the time index is.
		index.Fields("created_at", "warehouse_id", "seq"),
		index.Fields("warehouse_id", "created_at", "seq"),
		index.Fields("sku", "created_at", "warehouse_id", "seq"),
		// Partial: a movement without a reference or actor is never
		// looked up by it, and costs these indexes nothing. They hold
		// keyed hashes, never the clear text.
		index.Fields("reference_hash", "created_at", "warehouse_id", "seq").
			Annotations(entsql.IndexWhere("reference_hash IS NOT NULL")),
		index.Fields("actor_hash", "created_at", "warehouse_id", "seq").
			Annotations(entsql.IndexWhere("actor_hash IS NOT NULL")),
	}
}
