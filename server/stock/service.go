package stock

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
)

// Queue carries jobs to the database handler and returns its replies; the
// node adapts its *jobq.Client to it. Do returns an error wrapping
// ErrNoReply when it sent the job but got no reply (the job may have run);
// any other error means the job did not run.
type Queue interface {
	Do(ctx context.Context, class Class, job []byte) ([]byte, error)
}

// Service is the inventory of the local warehouse as the API layers see it,
// with read access to the replicas of other warehouses the node holds: each
// method validates its input, sends one job over the queue and decodes the
// reply. Invalid input never reaches the queue. Service is safe for
// concurrent use.
type Service struct {
	q       Queue
	local   atomic.Pointer[Warehouse] // the local warehouse, once known
	keyBase string                    // random prefix of this Service's job keys
	keySeq  atomic.Uint64
	wrote   atomic.Int64 // when a write last started, in Unix nanoseconds (see writesFlow)
	// expiring wakes RunExpiry when a reservation that expires is made.
	expiring chan struct{}
	// StocktakeAdminAbove is the variance value (absolute) above which
	// finalizing a stocktake needs the admin role; 0: never.
	StocktakeAdminAbove Amount
	// ResolveWithin bounds how long a write whose reply was lost waits for
	// the database handler to say whether it was applied.
	ResolveWithin time.Duration
	// Directory, when set, answers Warehouse from memory (the node's
	// membership) for a warehouse other than the local one, instead of a
	// member list job per call: a field resolver asks it once per row (a
	// movement's warehouse, a transfer's ends). A warehouse it does not
	// know is looked up as without it. Set it before the Service is used.
	Directory func(id string) (Warehouse, bool)
	// SalesWindowDays is the window, in days, of the average daily sales
	// days of cover and replenishment plans are computed over (0:
	// replenish.DefaultWindowDays).
	SalesWindowDays int
	// Zone is the local warehouse's time zone, where "today" is for lots'
	// expiry (expiringLots, lotExpiring's midnight); nil: the process's.
	Zone *time.Location
}

// NewService returns a Service that sends its jobs over q.
func NewService(q Queue) *Service {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &Service{q: q, keyBase: hex.EncodeToString(b[:]) + "-", ResolveWithin: 5 * time.Second,
		expiring: make(chan struct{}, 1)}
}

// call sends op's request and returns its reply, or the error it carries.
// It checks the caller's role first (see Authorize), then validates the
// request (see Normalizer). Failures of the queue
// itself (saturated, unreachable, deadline) become UNAVAILABLE errors
// wrapping the cause; a write whose reply was lost is resolved (see
// resolve).
func call[Req, Rep any](ctx context.Context, s *Service, op Op[Req, Rep], req *Req) (*Rep, error) {
	if err := Authorize(ctx, op.Role); err != nil {
		return nil, err
	}
	if n, ok := any(req).(Normalizer); ok {
		if err := n.Normalize(); err != nil {
			return nil, err
		}
	}
	meta := JobMeta{Op: op.Name, Actor: ActorFrom(ctx)}
	if op.Class == ClassWrite {
		meta.Key = s.keyBase + strconv.FormatUint(s.keySeq.Add(1), 36)
		s.wrote.Store(time.Now().UnixNano())
	}
	job, err := EncodeJob(meta, req)
	if err != nil {
		return nil, fmt.Errorf("encoding %s job: %w", op.Name, err)
	}
	out, err := s.q.Do(ctx, op.Class, job)
	if err != nil {
		if errors.Is(err, ErrNoReply) && op.Class == ClassWrite && op.Name != OpOutcome.Name {
			return resolve(ctx, s, op, meta.Key, err)
		}
		return nil, unavailable(err)
	}
	rep := new(Rep)
	if err := DecodeReply(out, rep); err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, e
		}
		return nil, fmt.Errorf("decoding %s reply: %w", op.Name, err)
	}
	return rep, nil
}

// Call sends one operation's request over s's queue and returns its reply,
// by the path every Service method takes (see call): the role check,
// validation, and for a write whose reply was lost, its resolution. It is
// for operations without a method of their own and for tests that run
// every operation alike; the API layers call Service's methods.
func Call[Req, Rep any](ctx context.Context, s *Service, op Op[Req, Rep], req *Req) (*Rep, error) {
	return call(ctx, s, op, req)
}

// unavailable is the error for a job that did not run.
func unavailable(cause error) error {
	return fmt.Errorf("%w: %w", Errorf(CodeUnavailable, "the database is busy or unreachable, try again"), cause)
}

// InitWarehouse creates the local warehouse on first start, or confirms the
// stored one. An empty id or name keeps the stored value. It refuses an id
// that differs from the stored one: the data belongs to another warehouse.
func (s *Service) InitWarehouse(ctx context.Context, id, name string) (*Warehouse, error) {
	w, err := call(ctx, s, OpWarehouseInit, &Warehouse{ID: id, Name: name, Local: true})
	if err != nil {
		return nil, err
	}
	s.local.Store(w)
	return w, nil
}

// LocalWarehouse returns the warehouse this node owns.
func (s *Service) LocalWarehouse(ctx context.Context) (*Warehouse, error) {
	if err := Authorize(ctx, auth.RoleViewer); err != nil {
		return nil, err
	}
	if w := s.local.Load(); w != nil {
		return w, nil
	}
	w, err := s.Ping(ctx)
	if err != nil {
		return nil, err
	}
	s.local.Store(w)
	return w, nil
}

// Ping checks that the database handler answers, bypassing every cache, and
// returns the local warehouse.
func (s *Service) Ping(ctx context.Context) (*Warehouse, error) {
	return call(ctx, s, OpWarehouseGet, &Empty{})
}

// Warehouse returns the warehouse with id: the local one, a member this
// node knows, or for a warehouse it holds no record of, one named by its id.
func (s *Service) Warehouse(ctx context.Context, id string) (*Warehouse, error) {
	w, err := s.LocalWarehouse(ctx)
	if err != nil || id == "" || w.ID == id {
		return w, err
	}
	if s.Directory != nil {
		if d, ok := s.Directory(id); ok {
			return &d, nil
		}
	}
	ws, err := s.Members(ctx)
	if err != nil {
		return nil, err
	}
	for i := range ws {
		if ws[i].ID == id {
			return &ws[i], nil
		}
	}
	return &Warehouse{ID: id, Name: id}, nil
}

// Warehouses returns the warehouses this node holds, its own first, then
// by id.
func (s *Service) Warehouses(ctx context.Context) ([]*Warehouse, error) {
	ws, err := s.Members(ctx)
	if err != nil {
		return nil, err
	}
	return Pointers(ws), nil
}

// Product returns the live product r names, in the local warehouse or a
// replica, or a NOT_FOUND error.
func (s *Service) Product(ctx context.Context, r ProductRef) (*Product, error) {
	return call(ctx, s, OpProductGet, &r)
}

// Products returns a page of products of one warehouse ordered by sku. An
// unknown warehouse is a NOT_FOUND error.
func (s *Service) Products(ctx context.Context, q ProductQuery) (*ProductPage, error) {
	return call(ctx, s, OpProductList, &q)
}

// Movements returns a page of movements of one warehouse, newest first. An
// unknown warehouse is a NOT_FOUND error.
func (s *Service) Movements(ctx context.Context, q MovementQuery) (*MovementPage, error) {
	return call(ctx, s, OpMovementList, &q)
}

// StockLevels returns the stock of sku in every warehouse this node holds
// a live product of it in, the local warehouse first, each with how fresh
// it is.
func (s *Service) StockLevels(ctx context.Context, sku string) ([]*StockLevel, error) {
	l, err := call(ctx, s, OpStockLevels, &StockLevelQuery{SKU: sku, WindowDays: s.SalesWindowDays})
	if err != nil {
		return nil, err
	}
	return Pointers(l.Levels), nil
}

// Replica returns how far this node holds origin's log, with its digest
// (see LogDigest). It is a long read; the store keeps the digests it
// computed, so asking again costs the entries added since.
func (s *Service) Replica(ctx context.Context, origin string) (*Replica, error) {
	return call(ctx, s, OpReplica, &ReplicaQuery{Origin: origin})
}

// CreateProduct creates a product; a live product with the same sku is an
// ALREADY_EXISTS error.
func (s *Service) CreateProduct(ctx context.Context, in CreateProductInput) (*Product, error) {
	return call(ctx, s, OpProductCreate, &in)
}

// UpdateProduct changes a product's fields; a new quantity is recorded as an
// ADJUSTMENT of the difference. A product of another warehouse is refused
// (see CheckOwner).
func (s *Service) UpdateProduct(ctx context.Context, u ProductUpdate) (*Product, error) {
	return call(ctx, s, OpProductUpdate, &u)
}

// DeleteProduct deletes a product and returns its last state. Its active
// reservations are released and units still in stock recorded as leaving
// (an ADJUSTMENT to zero), in the same write, so the ledger keeps adding
// up and a sku created again holds nothing; its movements stay readable
// and the sku can be created again. A product of another warehouse is refused (see
// CheckOwner).
func (s *Service) DeleteProduct(ctx context.Context, r ProductRef) (*Product, error) {
	return call(ctx, s, OpProductDelete, &r)
}

// RecordMovement records a movement. A sale beyond the stock is an
// INSUFFICIENT_STOCK error. With an idempotency key, a repeated request
// returns the first result without applying again, and the same key with a
// different request is an INVALID_INPUT error. A movement of another
// warehouse is refused (see CheckOwner).
func (s *Service) RecordMovement(ctx context.Context, in MovementInput) (*Movement, error) {
	if in.Lot != nil { // an admin naming a lot may take it expired
		p, _ := auth.FromContext(ctx)
		in.Admin = p.Role.AtLeast(auth.RoleAdmin)
	}
	return call(ctx, s, OpMovementRecord, &in)
}

// SetStock sets a product's quantity by recording an ADJUSTMENT of the
// difference, and returns that movement. When the stock already equals
// quantity, the adjustment records 0: a count that confirmed the stock. A
// product of another warehouse is refused (see CheckOwner).
func (s *Service) SetStock(ctx context.Context, c StockCount) (*Movement, error) {
	return call(ctx, s, OpStockSet, &c)
}

// Changes returns the change log of origin after afterSeq, oldest first, at
// most limit entries (0: DefaultChangesLimit).
func (s *Service) Changes(ctx context.Context, origin string, afterSeq int64, limit int) (*ChangePage, error) {
	return call(ctx, s, OpChanges, &ChangesQuery{Origin: origin, AfterSeq: afterSeq, Limit: limit})
}

// ApplyChanges verifies a run of one origin's log and applies it to its
// replica, skipping entries already applied. A run that fails verification
// changes nothing and comes back as a *RejectError. Once applied, each
// movement entry of b carries the units reserved right after it
// (LogEntry.Reserved), for the node's stream.
func (s *Service) ApplyChanges(ctx context.Context, b *ChangeBatch) error {
	r, err := call(ctx, s, OpApplyChanges, b)
	if err != nil {
		return err
	}
	if r.Rejected == nil {
		for i := range b.Entries {
			if e := &b.Entries[i]; e.Movement != nil {
				held := r.Held[e.Seq]
				e.Reserved = &held
			}
		}
		return nil
	}
	e := &RejectError{Reason: r.Rejected.Reason, Detail: r.Rejected.Detail}
	if len(b.Entries) > 0 {
		e.Origin = b.Entries[0].Origin
	}
	if b.Proof != nil {
		e.ServedBy = b.Proof.ServedBy
	}
	return e
}

// CheckHead tells whether h, a signed head of origin's log a member holds,
// shows a fork of the history this node holds (see HeadVerdict).
func (s *Service) CheckHead(ctx context.Context, origin, epoch string, h SignedHead) (*HeadVerdict, error) {
	return call(ctx, s, OpHeadCheck, &HeadCheck{Origin: origin, Epoch: epoch, Head: h})
}

// ReportProblem records that a run of a warehouse's log was refused (see
// ProblemReport), for warehouses { replica { problem } } and the audit log.
func (s *Service) ReportProblem(ctx context.Context, e *RejectError) error {
	_, err := call(ctx, s, OpReplicaProblem, &ProblemReport{Origin: e.Origin, Reason: e.Reason, ServedBy: e.ServedBy, Detail: e.Detail})
	return err
}

// Heads returns how far the node holds each warehouse's log.
func (s *Service) Heads(ctx context.Context) (*Heads, error) {
	return call(ctx, s, OpHeads, &Empty{})
}

// Pointers returns pointers to the elements of s, in order: the shape the
// API layers hand lists out in.
func Pointers[T any](s []T) []*T {
	out := make([]*T, len(s))
	for i := range s {
		out[i] = &s[i]
	}
	return out
}
