package rest

import "github.com/stockmesh/stockmesh/server/stock"

// Movement is a movement as the REST API shows it: every field of
// stock.Movement but its idempotency key. A key is a secret between the
// client that sent it and the node (whoever holds it can ask for that
// movement's result again), and no reader can tell which keys it sent, so
// the REST API shows none, as the GraphQL API does. The outer
// IdempotencyKey, always nil, hides the embedded one: encoding/json lets
// the shallower of two fields with one name win, so every other field of
// stock.Movement, present or future, is shown as the domain encodes it.
type Movement struct {
	stock.Movement
	IdempotencyKey *struct{} `json:"idempotencyKey,omitempty"`
}

// movementsOf returns ms as the REST API shows them.
func movementsOf(ms []stock.Movement) []Movement {
	out := make([]Movement, len(ms))
	for i, m := range ms {
		out[i] = Movement{Movement: m}
	}
	return out
}
