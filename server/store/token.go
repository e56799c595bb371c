package store

import (
	"context"

	"github.com/stockmesh/stockmesh/ent"
	"github.com/stockmesh/stockmesh/ent/token"
	"github.com/stockmesh/stockmesh/server/stock"
)

// ensureToken stores t unless a token with its hash exists.
func (b *batch) ensureToken(t *stock.Token) (*stock.Empty, error) {
	ok, err := b.client().Token.Query().Where(token.Hash(t.Hash)).Exist(b.ctx)
	if err != nil || ok {
		return &stock.Empty{}, err
	}
	err = b.client().Token.Create().SetHash(t.Hash).SetName(t.Name).SetRole(t.Role).SetCreatedAt(b.now()).Exec(b.ctx)
	return &stock.Empty{}, err
}

// lookupToken returns the live token with the hash, or NOT_FOUND when it
// is unknown or revoked.
func (s *Store) lookupToken(ctx context.Context, t *stock.TokenRef) (*stock.Token, error) {
	row, err := s.reader.Token.Query().Where(token.Hash(t.Hash), token.RevokedAtIsNil()).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, stock.Errorf(stock.CodeNotFound, "token not found")
	}
	if err != nil {
		return nil, err
	}
	return &stock.Token{Hash: row.Hash, Name: row.Name, Role: row.Role}, nil
}
