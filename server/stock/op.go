package stock

import "github.com/stockmesh/stockmesh/server/auth"

// Class says how the database handler runs a job: the one writer, a short
// read, a long read with readers of its own, or a report with readers of
// its own at idle priority, so that a report over a million movements
// never starves product lookups, peers' catch-up or the writer.
type Class uint8

// The classes of job.
const (
	ClassWrite    Class = iota // changes data: the one writer, in order
	ClassLookup                // a short read: one product, a page, a token
	ClassLongRead              // a long read: catch-up reads for peers
	ClassReport                // a report or an export a person asked for: a long read at idle priority
)

// String returns "write", "lookup", "long-read" or "report".
func (c Class) String() string {
	switch c {
	case ClassWrite:
		return "write"
	case ClassLookup:
		return "lookup"
	case ClassLongRead:
		return "long-read"
	case ClassReport:
		return "report"
	}
	return "class(?)"
}

// Op is one operation the database handler executes: a request of type Req
// answered by a reply of type Rep. The store registers one handler per Op;
// Service sends them with call, which first checks that the caller's
// principal has Role (see Authorize). Adding an operation means one Op
// value, its request and reply types, and one handler. Every Op declares its
// Role: an Op without one is refused to everyone, and a test fails on any
// operation of Ops that lacks one.
type Op[Req, Rep any] struct {
	Name  string
	Class Class
	// Role is the least role that may run the operation: auth.RoleViewer,
	// RoleOperator or RoleAdmin for what people do, auth.RoleNode for what
	// only the node itself and its peers do.
	Role auth.Role
}

// Empty is the reply of an operation that returns nothing but success.
type Empty struct{}

// The operations.
var (
	OpWarehouseInit  = Op[Warehouse, Warehouse]{"warehouse.init", ClassWrite, auth.RoleNode}
	OpWarehouseGet   = Op[Empty, Warehouse]{"warehouse.get", ClassLookup, auth.RoleViewer}
	OpProductGet     = Op[ProductRef, Product]{"product.get", ClassLookup, auth.RoleViewer}
	OpProductList    = Op[ProductQuery, ProductPage]{"product.list", ClassLookup, auth.RoleViewer}
	OpMovementList   = Op[MovementQuery, MovementPage]{"movement.list", ClassReport, auth.RoleViewer}
	OpProductCreate  = Op[CreateProductInput, Product]{"product.create", ClassWrite, auth.RoleOperator}
	OpProductUpdate  = Op[ProductUpdate, Product]{"product.update", ClassWrite, auth.RoleOperator}
	OpProductDelete  = Op[ProductRef, Product]{"product.delete", ClassWrite, auth.RoleAdmin}
	OpMovementRecord = Op[MovementInput, Movement]{"movement.record", ClassWrite, auth.RoleOperator}
	OpStockSet       = Op[StockCount, Movement]{"stock.set", ClassWrite, auth.RoleOperator}
	OpChanges        = Op[ChangesQuery, ChangePage]{"log.changes", ClassLongRead, auth.RoleNode}
	OpApplyChanges   = Op[ChangeBatch, ApplyResult]{"log.apply", ClassWrite, auth.RoleNode}
	OpReplicaProblem = Op[ProblemReport, Empty]{"replica.problem", ClassWrite, auth.RoleNode}
	OpHeadCheck      = Op[HeadCheck, HeadVerdict]{"log.check", ClassLongRead, auth.RoleNode}
	OpOutcome        = Op[OutcomeQuery, Outcome]{"job.outcome", ClassWrite, auth.RoleNode}
	OpHeads          = Op[Empty, Heads]{"log.heads", ClassLookup, auth.RoleNode}
	OpStockLevels    = Op[StockLevelQuery, StockLevels]{"stock.levels", ClassLookup, auth.RoleViewer}
	OpReplica        = Op[ReplicaQuery, Replica]{"log.digest", ClassLongRead, auth.RoleViewer}
	OpKeysRotate     = Op[Empty, KeyRotation]{"keys.rotate", ClassWrite, auth.RoleAdmin}
	OpKeysReseal     = Op[ResealRequest, ResealReport]{"keys.reseal", ClassWrite, auth.RoleNode}
)

// Ops lists the name and class of every operation, with a zero request
// and reply, for the handler's registry check and the wire tests.
var Ops = []OpInfo{
	info(OpWarehouseInit), info(OpWarehouseGet), info(OpProductGet), info(OpProductList),
	info(OpMovementList), info(OpProductCreate), info(OpProductUpdate), info(OpProductDelete),
	info(OpMovementRecord), info(OpStockSet), info(OpTokenLookup), info(OpTokenEnsure),
	info(OpChanges), info(OpApplyChanges), info(OpReplicaProblem), info(OpHeadCheck), info(OpOutcome), info(OpHeads),
	info(OpStockLevels), info(OpReplica),
	info(OpJoinTokenCreate), info(OpJoinRedeem), info(OpMemberList), info(OpMemberMerge),
	info(OpMemberRecord), info(OpMemberRecords), info(OpMemberRemove),
	info(OpTransferSend), info(OpTransferReceive), info(OpTransferCancel), info(OpTransferSettle),
	info(OpTransferGet), info(OpTransferList), info(OpTransferGetMany),
	info(OpMovementReport), info(OpMovementExport), info(OpStockAt), info(OpLowStock), info(OpProductImport),
	info(OpImportStage), info(OpImportCommit), info(OpImportApply), info(OpImportKnown),
	info(OpProductExport), info(OpProductHistory),
	info(OpTokenCreate), info(OpTokenList), info(OpTokenRevoke), info(OpAuditLog),
	info(OpKeysRotate), info(OpKeysReseal), info(OpWarehouseLeave),
	info(OpReservationReserve), info(OpReservationRelease), info(OpReservationFulfil), info(OpReservationExpire),
	info(OpReservationGet), info(OpReservationList),
	info(OpStocktakeStart), info(OpStocktakeCount), info(OpStocktakeCounts), info(OpStocktakeFinalize),
	info(OpStocktakeCancel), info(OpStocktakeGet), info(OpStocktakeList),
	info(OpProductLines), info(OpLotsExpiring),
	info(OpStockExport), info(OpLocationCreate), info(OpLocationUpdate), info(OpLocationList), info(OpStockRelocate),
	info(OpStockHistory), info(OpStockTable),
}

// OpInfo describes an operation without its types: its name, class, role,
// and a new zero request and reply.
type OpInfo struct {
	Name     string
	Class    Class
	Role     auth.Role
	NewReq   func() any
	NewReply func() any
}

func info[Req, Rep any](op Op[Req, Rep]) OpInfo {
	return OpInfo{Name: op.Name, Class: op.Class, Role: op.Role,
		NewReq: func() any { return new(Req) }, NewReply: func() any { return new(Rep) }}
}

// ProductRef names a product by sku in Warehouse: "" is the local
// warehouse. A read may name any warehouse the node holds; a change only
// the local one (see CheckOwner).
type ProductRef struct {
	SKU       string `json:"sku"`
	Warehouse string `json:"warehouse,omitempty"`
}

// Normalize trims and validates the sku and warehouse in place.
func (r *ProductRef) Normalize() (err error) {
	if r.SKU, err = NormalizeSKU(r.SKU); err != nil {
		return err
	}
	return normalizeWarehouse(&r.Warehouse)
}

// ProductUpdate is a request to change the product with SKU of Warehouse
// ("" or the local one: see CheckOwner).
type ProductUpdate struct {
	SKU       string             `json:"sku"`
	Warehouse string             `json:"warehouse,omitempty"`
	Update    UpdateProductInput `json:"update"`
}

// Normalize trims and validates the request in place.
func (u *ProductUpdate) Normalize() (err error) {
	if u.SKU, err = NormalizeSKU(u.SKU); err != nil {
		return err
	}
	if err = normalizeWarehouse(&u.Warehouse); err != nil {
		return err
	}
	return u.Update.Normalize()
}

// StockCount sets a product's stock to Quantity, as counted; the writer
// records an ADJUSTMENT of the difference with Note. Warehouse is "" or
// the local one (see CheckOwner).
type StockCount struct {
	SKU       string `json:"sku"`
	Quantity  int64  `json:"quantity"`
	Note      string `json:"note,omitempty"`
	Warehouse string `json:"warehouse,omitempty"`
}

// Normalize trims and validates the count in place.
func (c *StockCount) Normalize() (err error) {
	if c.SKU, err = NormalizeSKU(c.SKU); err != nil {
		return err
	}
	if err = normalizeWarehouse(&c.Warehouse); err != nil {
		return err
	}
	if err = checkQuantity("quantity", c.Quantity, 0, MaxStock); err != nil {
		return err
	}
	c.Note, err = text("note", c.Note, MaxNoteLen, false)
	return err
}

// OutcomeQuery asks whether the write job with Key, an Op operation, was
// applied. The writer answers after every job sent before it, so "not
// applied" is final.
type OutcomeQuery struct {
	Key string `json:"key"`
	Op  string `json:"op,omitempty"`
}

// Normalize checks that the key is set.
func (q *OutcomeQuery) Normalize() error {
	if q.Key == "" {
		return invalid("key", "must not be empty")
	}
	return nil
}

// Outcome answers an OutcomeQuery. A change of the local warehouse is
// found by the log entries it appended: Origin, the first Seq and Count;
// one that changed nothing (an update to the values a product has, a
// repeated idempotency key) reads as not applied, which is true in effect:
// it is safe to send again. Every other write has its reply recorded by
// the writer in the job's transaction: Reply is that reply, as the job
// answered it. Unknown says the writer cannot tell: the operation acts
// outside the database (a key file) and left no record.
type Outcome struct {
	Applied bool   `json:"applied"`
	Origin  string `json:"origin,omitempty"`
	Seq     int64  `json:"seq,omitempty"`
	Count   int    `json:"count,omitempty"` // log entries the job appended
	Reply   []byte `json:"reply,omitempty"` // the recorded reply (EncodeReply)
	Unknown bool   `json:"unknown,omitempty"`
}

// Normalizer is a request that validates and normalizes itself; both
// Service (before sending) and the database handler (after decoding) call
// it, so each rule lives once.
type Normalizer interface {
	Normalize() error
}
