package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
)

// JoinToken holds the schema of a one-time token that lets a new node join
// the network: only the SHA-256 hash of its secret is stored, with when it
// expires and, once redeemed, by which warehouse and when.
type JoinToken struct {
	ent.Schema
}

// Fields of the JoinToken.
func (JoinToken) Fields() []ent.Field {
	return []ent.Field{
		field.String("hash").NotEmpty().Unique().Immutable(),
		field.Time("created_at").Immutable(),
		field.Time("expires_at").Immutable(),
		field.Time("used_at").Optional().Nillable(),
		field.String("used_by").Default("").Comment("the id of the warehouse that joined with it"),
	}
}
