package stock

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"

	"github.com/stockmesh/stockmesh/server/jobq"
)

// Queue carries jobs to the database handler and returns its replies; the
// node's *jobq.Client implements it.
type Queue interface {
	Do(ctx context.Context, class jobq.Class, job []byte) ([]byte, error)
}

// Service is the inventory of the local warehouse as the API layers see it:
// each method validates its input, sends one job over the queue and decodes
// the reply. Invalid input never reaches the queue. Service is safe for
// concurrent use.
type Service struct {
	q     Queue
	local atomic.Pointer[Warehouse] // the local warehouse, once known
}

// NewService returns a Service that sends its jobs over q.
func NewService(q Queue) *Service { return &Service{q: q} }

// do sends job and returns the handler's reply, or the error it carries.
// Failures of the queue itself (saturated, unreachable, deadline) become
// UNAVAILABLE errors wrapping the cause.
func (s *Service) do(ctx context.Context, job *Job) (*Reply, error) {
	if job.Actor == "" {
		job.Actor = ActorFrom(ctx)
	}
	b, err := json.Marshal(job)
	if err != nil {
		return nil, fmt.Errorf("encoding %s job: %w", job.Op, err)
	}
	class := jobq.Read
	if job.Op.Writes() {
		class = jobq.Write
	}
	out, err := s.q.Do(ctx, class, b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", Errorf(CodeUnavailable, "the database is busy or unreachable, try again"), err)
	}
	var r Reply
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("decoding %s reply: %w", job.Op, err)
	}
	if r.Err != nil {
		return nil, r.Err
	}
	return &r, nil
}

// InitWarehouse creates the local warehouse on first start, or confirms the
// stored one. An empty id or name keeps the stored value. It refuses an id
// that differs from the stored one: the data belongs to another warehouse.
func (s *Service) InitWarehouse(ctx context.Context, id, name string) (*Warehouse, error) {
	r, err := s.do(ctx, &Job{Op: OpWarehouseInit, Warehouse: &Warehouse{ID: id, Name: name, Local: true}})
	if err != nil {
		return nil, err
	}
	s.local.Store(r.Warehouse)
	return r.Warehouse, nil
}

// LocalWarehouse returns the warehouse this node owns.
func (s *Service) LocalWarehouse(ctx context.Context) (*Warehouse, error) {
	if w := s.local.Load(); w != nil {
		return w, nil
	}
	r, err := s.do(ctx, &Job{Op: OpWarehouseGet})
	if err != nil {
		return nil, err
	}
	s.local.Store(r.Warehouse)
	return r.Warehouse, nil
}

// Ping checks that the database handler answers, bypassing every cache, and
// returns the local warehouse.
func (s *Service) Ping(ctx context.Context) (*Warehouse, error) {
	r, err := s.do(ctx, &Job{Op: OpWarehouseGet})
	if err != nil {
		return nil, err
	}
	return r.Warehouse, nil
}

// Warehouse returns the warehouse with id: the local one, or for a warehouse
// this node holds no record of yet, one named by its id.
func (s *Service) Warehouse(ctx context.Context, id string) (*Warehouse, error) {
	w, err := s.LocalWarehouse(ctx)
	if err != nil || w.ID == id {
		return w, err
	}
	return &Warehouse{ID: id, Name: id}, nil
}

// Warehouses returns the warehouses this node knows, its own first.
func (s *Service) Warehouses(ctx context.Context) ([]*Warehouse, error) {
	w, err := s.LocalWarehouse(ctx)
	if err != nil {
		return nil, err
	}
	return []*Warehouse{w}, nil
}

// Product returns the product with sku, or a NOT_FOUND error.
func (s *Service) Product(ctx context.Context, sku string) (*Product, error) {
	sku, err := NormalizeSKU(sku)
	if err != nil {
		return nil, err
	}
	r, err := s.do(ctx, &Job{Op: OpProductGet, SKU: sku})
	if err != nil {
		return nil, err
	}
	return r.Product, nil
}

// Products returns a page of products ordered by sku.
func (s *Service) Products(ctx context.Context, q ProductQuery) (*ProductPage, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	if q.After != "" {
		if _, err := DecodeProductCursor(q.After); err != nil {
			return nil, err
		}
	}
	r, err := s.do(ctx, &Job{Op: OpProductList, Products: &q})
	if err != nil {
		return nil, err
	}
	return r.ProductPage, nil
}

// Movements returns a page of movements, newest first.
func (s *Service) Movements(ctx context.Context, q MovementQuery) (*MovementPage, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	if q.After != "" {
		if _, err := DecodeMovementCursor(q.After); err != nil {
			return nil, err
		}
	}
	r, err := s.do(ctx, &Job{Op: OpMovementList, Movements: &q})
	if err != nil {
		return nil, err
	}
	return r.MovementPage, nil
}

// CreateProduct creates a product; a live product with the same sku is an
// ALREADY_EXISTS error.
func (s *Service) CreateProduct(ctx context.Context, in CreateProductInput) (*Product, error) {
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	r, err := s.do(ctx, &Job{Op: OpProductCreate, Create: &in})
	if err != nil {
		return nil, err
	}
	return r.Product, nil
}

// UpdateProduct changes a product's fields; a new quantity is recorded as an
// ADJUSTMENT of the difference.
func (s *Service) UpdateProduct(ctx context.Context, sku string, in UpdateProductInput) (*Product, error) {
	sku, err := NormalizeSKU(sku)
	if err != nil {
		return nil, err
	}
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	r, err := s.do(ctx, &Job{Op: OpProductUpdate, SKU: sku, Update: &in})
	if err != nil {
		return nil, err
	}
	return r.Product, nil
}

// DeleteProduct deletes a product and returns its last state. Its movements
// stay readable and the sku can be created again.
func (s *Service) DeleteProduct(ctx context.Context, sku string) (*Product, error) {
	sku, err := NormalizeSKU(sku)
	if err != nil {
		return nil, err
	}
	r, err := s.do(ctx, &Job{Op: OpProductDelete, SKU: sku})
	if err != nil {
		return nil, err
	}
	return r.Product, nil
}

// RecordMovement records a movement. A sale beyond the stock is an
// INSUFFICIENT_STOCK error. With an idempotency key, a repeated request
// returns the first result without applying again, and the same key with a
// different request is an INVALID_INPUT error.
func (s *Service) RecordMovement(ctx context.Context, in MovementInput) (*Movement, error) {
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	r, err := s.do(ctx, &Job{Op: OpMovementRecord, Movement: &in})
	if err != nil {
		return nil, err
	}
	return r.Movement, nil
}

// SetStock sets a product's quantity by recording an ADJUSTMENT of the
// difference, and returns that movement. When the stock already equals
// quantity, the adjustment records 0: a count that confirmed the stock.
func (s *Service) SetStock(ctx context.Context, sku string, quantity int64, note string) (*Movement, error) {
	sku, err := NormalizeSKU(sku)
	if err != nil {
		return nil, err
	}
	if err := checkQuantity("quantity", quantity, 0, MaxStock); err != nil {
		return nil, err
	}
	if note, err = text("note", note, MaxNoteLen, false); err != nil {
		return nil, err
	}
	r, err := s.do(ctx, &Job{Op: OpStockSet, SKU: sku, Quantity: quantity, Note: note})
	if err != nil {
		return nil, err
	}
	return r.Movement, nil
}

// LookupToken returns the stored token with hash, or a NOT_FOUND error.
func (s *Service) LookupToken(ctx context.Context, hash string) (*Token, error) {
	r, err := s.do(ctx, &Job{Op: OpTokenLookup, Token: &Token{Hash: hash}})
	if err != nil {
		return nil, err
	}
	return r.Token, nil
}

// EnsureToken stores t unless a token with its hash exists.
func (s *Service) EnsureToken(ctx context.Context, t Token) error {
	_, err := s.do(ctx, &Job{Op: OpTokenEnsure, Token: &t})
	return err
}
