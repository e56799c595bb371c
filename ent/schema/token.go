package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
)

// Token holds the schema of an API token: only the hash of its secret is
// stored, with the name it was issued to, the role it grants and when it
// stops working (expires_at, never when unset; revoked_at once revoked).
type Token struct {
	ent.Schema
}

// Fields of the Token.
func (Token) Fields() []ent.Field {
	return []ent.Field{
		field.String("hash").NotEmpty().Unique().Immutable(),
		field.String("name"),
		field.String("role"),
		field.Time("created_at").Immutable(),
		field.Time("revoked_at").Optional().Nillable(),
		field.Time("expires_at").Optional().Nillable().Immutable(),
	}
}
