package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/stockmesh/stockmesh/ent"
	"github.com/stockmesh/stockmesh/ent/token"
	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/stock"
)

// ensureToken stores t unless a token with its hash exists.
func (b *batch) ensureToken(t *stock.Token) (*stock.Empty, error) {
	_, err := b.insertToken(t)
	return &stock.Empty{}, err
}

// insertToken stores t, its name sealed, and returns its row; nil when a
// token with its hash exists (which it leaves as it is).
func (b *batch) insertToken(t *stock.Token) (*ent.Token, error) {
	ok, err := b.client().Token.Query().Where(token.Hash(t.Hash)).Exist(b.ctx)
	if err != nil || ok {
		return nil, err
	}
	return b.client().Token.Create().SetHash(t.Hash).SetName(b.sealer.Seal(t.Name, tokenAD(t.Hash))).SetRole(string(t.Role)).
		SetCreatedAt(b.now()).SetNillableExpiresAt(t.ExpiresAt).Save(b.ctx)
}

// createToken stores a new token and records who issued it in the audit
// log. A hash already stored is refused (it never happens by chance).
func (b *batch) createToken(t *stock.Token) (*stock.Token, error) {
	row, err := b.insertToken(t)
	if err != nil {
		return nil, err
	}
	if row == nil {
		return nil, stock.Errorf(stock.CodeAlreadyExists, "a token with this secret exists")
	}
	out, err := b.s.tokenOf(row)
	if err != nil {
		return nil, err
	}
	detail := "role " + string(out.Role)
	if out.ExpiresAt != nil {
		detail += ", expires " + out.ExpiresAt.Format(time.RFC3339)
	}
	return out, b.audit(stock.ActionTokenCreated, "token "+out.ID+" ("+out.Name+")", detail)
}

// revokeToken revokes the token with t.ID and records who did it; a
// token already revoked keeps its first revocation.
func (b *batch) revokeToken(t *stock.TokenID) (*stock.Token, error) {
	id, _ := strconv.Atoi(t.ID) // Normalize checked it
	row, err := b.client().Token.Get(b.ctx, id)
	if ent.IsNotFound(err) {
		return nil, stock.Errorf(stock.CodeNotFound, "token %s not found", t.ID)
	}
	if err != nil {
		return nil, err
	}
	if row.RevokedAt != nil {
		return b.s.tokenOf(row)
	}
	if row, err = row.Update().SetRevokedAt(b.now()).Save(b.ctx); err != nil {
		return nil, err
	}
	out, err := b.s.tokenOf(row)
	if err != nil {
		return nil, err
	}
	return out, b.audit(stock.ActionTokenRevoked, "token "+out.ID+" ("+out.Name+")", "role "+string(out.Role))
}

// listTokens returns every token, oldest first.
func (s *Store) listTokens(ctx context.Context, _ *stock.Empty) (*stock.TokenList, error) {
	rows, err := s.reader.Token.Query().Order(ent.Asc(token.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := &stock.TokenList{Tokens: make([]stock.Token, len(rows))}
	for i, r := range rows {
		t, err := s.tokenOf(r)
		if err != nil {
			return nil, err
		}
		out.Tokens[i] = *t
	}
	return out, nil
}

// lookupToken returns the live token with the hash, or NOT_FOUND when it
// is unknown, revoked or expired.
func (s *Store) lookupToken(ctx context.Context, t *stock.TokenRef) (*stock.Token, error) {
	row, err := s.reader.Token.Query().Where(token.Hash(t.Hash), token.RevokedAtIsNil()).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, stock.Errorf(stock.CodeNotFound, "token not found")
	}
	if err != nil {
		return nil, err
	}
	out, err := s.tokenOf(row)
	if err != nil {
		return nil, err
	}
	if !out.Live(time.Now()) {
		return nil, stock.Errorf(stock.CodeNotFound, "token expired")
	}
	return out, nil
}

// tokenOf converts a stored token, opening its sealed name.
func (s *Store) tokenOf(r *ent.Token) (*stock.Token, error) {
	name, err := s.keys.Open(r.Name, tokenAD(r.Hash))
	if err != nil {
		return nil, fmt.Errorf("reading the name of token %d: %w", r.ID, err)
	}
	return &stock.Token{ID: strconv.Itoa(r.ID), Hash: r.Hash, Name: name, Role: auth.Role(r.Role),
		CreatedAt: r.CreatedAt.UTC(), ExpiresAt: utcPtr(r.ExpiresAt), RevokedAt: utcPtr(r.RevokedAt)}, nil
}

// tokenAD binds a token's sealed name to its hash.
func tokenAD(hash string) string { return "token:" + hash + ":name" }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
