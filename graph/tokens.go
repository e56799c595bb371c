package graph

import (
	"context"

	"github.com/stockmesh/stockmesh/graph/model"
	"github.com/stockmesh/stockmesh/server/stock"
)

// tokens returns the token manager, or UNAVAILABLE when the schema serves
// none (as in tests). The role is checked by the service's operations.
func (r *Resolver) tokens() (Tokens, error) {
	if r.Tokens == nil {
		return nil, stock.Errorf(stock.CodeUnavailable, "this node manages no tokens")
	}
	return r.Tokens, nil
}

// createdToken is the answer to createToken.
func createdToken(secret string, t *stock.Token) *model.CreatedToken {
	return &model.CreatedToken{ID: t.ID, Token: secret, Name: t.Name, Role: t.Role, ExpiresAt: t.ExpiresAt}
}

// listTokens returns every token as pointers.
func (r *Resolver) listTokens(ctx context.Context) ([]*stock.Token, error) {
	m, err := r.tokens()
	if err != nil {
		return nil, err
	}
	ts, err := m.List(ctx)
	if err != nil {
		return nil, err
	}
	return stock.Pointers(ts), nil
}

// auditConnection turns a page of the audit log into a Relay connection.
func auditConnection(p *stock.AuditPage, after string) *model.AuditConnection {
	if p == nil {
		return nil
	}
	edges, info := connection(p.Entries, p.HasNext, after,
		func(x *stock.AuditEntry) string { return x.Cursor },
		func(x *stock.AuditEntry, c string) *model.AuditEdge { return &model.AuditEdge{Node: x, Cursor: c} })
	return &model.AuditConnection{Edges: edges, PageInfo: info}
}
