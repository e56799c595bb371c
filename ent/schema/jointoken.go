package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
)

// JoinToken holds the schema of a one-time token that lets a new node join
// the network: only the SHA-256 hash of its secret is stored, with when it
// expires, the warehouse id it admits ("" for one of the joiner's choosing
// that has never been a member), whether that id may be a warehouse that is
// or was a member (rejoin), which member asked for it ("" when issued on
// this node), and, once redeemed, by which warehouse and when. Every token
// of a network lives on the node holding the CA, which redeems it.
type JoinToken struct {
	ent.Schema
}

// Fields of the JoinToken.
func (JoinToken) Fields() []ent.Field {
	return []ent.Field{
		field.String("hash").NotEmpty().Unique().Immutable(),
		field.Time("created_at").Immutable(),
		field.Time("expires_at").Immutable(),
		field.String("warehouse").Default("").Immutable().Comment("the only warehouse id it admits; empty: any that has never been a member"),
		field.Bool("rejoin").Default(false).Immutable().Comment("whether it may admit a warehouse that is or was a member"),
		field.String("asked_by").Default("").Immutable().Comment("the member that asked the CA holder for it; empty: issued here"),
		field.Time("used_at").Optional().Nillable(),
		field.String("used_by").Default("").Comment("the id of the warehouse that joined with it"),
	}
}
