package store

import (
	"context"
	"fmt"

	"github.com/stockmesh/stockmesh/server/stock"
)

// handler executes one operation: a write inside the writer's batch, or a
// read on a reader. Each decodes its request, validates it with the
// domain's own rules (stock.Normalizer) and encodes its reply.
type handler struct {
	class stock.Class
	// fast marks a write that checks everything before its first write,
	// so that it runs without a savepoint (see batch.runFast).
	fast bool
	// resolve says how a lost reply of the operation's jobs is resolved
	// (see batch.outcome).
	resolve resolution
	write   func(b *batch, body []byte) ([]byte, error)
	read    func(ctx context.Context, s *Store, body []byte) ([]byte, error)
}

// registry maps an operation's name to its handler.
type registry map[string]handler

// newRegistry returns the handlers of every operation in stock.Ops.
func newRegistry() registry {
	r := registry{}
	onWrite(r, stock.OpWarehouseInit, false, (*batch).initWarehouse)
	onChange(r, stock.OpProductCreate, false, withHeld((*batch).createProduct))
	onChange(r, stock.OpProductUpdate, false, withHeld((*batch).updateProduct))
	onChange(r, stock.OpProductDelete, false, withHeld((*batch).deleteProduct))
	onChange(r, stock.OpMovementRecord, true, (*batch).recordMovement)
	onChange(r, stock.OpStockSet, true, (*batch).setStock)
	onWrite(r, stock.OpTokenEnsure, false, (*batch).ensureToken)
	onWrite(r, stock.OpApplyChanges, false, (*batch).applyChanges)
	onWrite(r, stock.OpReplicaProblem, false, (*batch).recordProblem)
	onWrite(r, stock.OpOutcome, false, (*batch).outcome)
	r.resolveBy(stock.OpOutcome.Name, unresolved)
	onWrite(r, stock.OpJoinTokenCreate, false, (*batch).createJoinToken)
	onWrite(r, stock.OpJoinRedeem, false, (*batch).redeemJoinToken)
	onWrite(r, stock.OpMemberMerge, false, (*batch).mergeMembers)
	onWrite(r, stock.OpMemberRecord, false, (*batch).recordMembers)
	onWrite(r, stock.OpMemberRemove, false, (*batch).removeMember)
	onChange(r, stock.OpTransferSend, true, (*batch).sendTransfer)
	onChange(r, stock.OpTransferReceive, false, (*batch).receiveTransfer)
	onChange(r, stock.OpTransferCancel, false, (*batch).cancelTransfer)
	onWrite(r, stock.OpTransferSettle, false, (*batch).settleTransfers)
	onChange(r, stock.OpProductImport, false, (*batch).importProducts)
	onWrite(r, stock.OpImportStage, false, (*batch).stageImport)
	onChange(r, stock.OpImportCommit, false, (*batch).commitImport)
	onChange(r, stock.OpImportApply, false, (*batch).applyImport)
	onRead(r, stock.OpImportKnown, (*Store).importKnown)
	onWrite(r, stock.OpTokenCreate, false, (*batch).createToken)
	onWrite(r, stock.OpTokenRevoke, false, (*batch).revokeToken)
	onWrite(r, stock.OpKeysRotate, false, (*batch).rotateKeys)
	onWrite(r, stock.OpKeysReseal, false, (*batch).reseal)
	r.resolveBy(stock.OpKeysRotate.Name, byRecordOrUnknown) // writes a key file
	r.resolveBy(stock.OpKeysReseal.Name, byRecordOrUnknown) // deletes retired key files
	onWrite(r, stock.OpWarehouseLeave, false, (*batch).leaveNetwork)
	onChange(r, stock.OpReservationReserve, true, (*batch).reserveStock)
	onChange(r, stock.OpReservationRelease, true, (*batch).releaseReservation)
	onChange(r, stock.OpReservationFulfil, true, (*batch).fulfilReservation)
	onWrite(r, stock.OpReservationExpire, false, (*batch).expireReservations)
	onRead(r, stock.OpReservationGet, (*Store).getReservation)
	onRead(r, stock.OpReservationList, (*Store).listReservations)
	onChange(r, stock.OpStocktakeStart, false, (*batch).startStocktake)
	onChange(r, stock.OpStocktakeCount, false, (*batch).recordCount)
	onChange(r, stock.OpStocktakeCounts, false, (*batch).recordCounts)
	onChange(r, stock.OpStocktakeFinalize, false, (*batch).finalizeStocktake)
	onChange(r, stock.OpStocktakeCancel, false, (*batch).cancelStocktake)
	onRead(r, stock.OpStocktakeGet, (*Store).getStocktake)
	onRead(r, stock.OpStocktakeList, (*Store).listStocktakes)
	onChange(r, stock.OpLocationCreate, false, (*batch).createLocation)
	onChange(r, stock.OpLocationUpdate, false, (*batch).updateLocation)
	onChange(r, stock.OpStockRelocate, false, (*batch).relocateStock)
	onRead(r, stock.OpLocationList, (*Store).listLocations)
	onRead(r, stock.OpStockExport, (*Store).exportStock)
	onRead(r, stock.OpProductLines, (*Store).productLines)
	onRead(r, stock.OpLotsExpiring, (*Store).expiringLots)
	onRead(r, stock.OpWarehouseGet, (*Store).getWarehouse)
	onRead(r, stock.OpProductGet, (*Store).getProduct)
	onRead(r, stock.OpProductList, (*Store).listProducts)
	onRead(r, stock.OpMovementList, (*Store).listMovements)
	onRead(r, stock.OpTokenLookup, (*Store).lookupToken)
	onRead(r, stock.OpChanges, (*Store).readChanges)
	onRead(r, stock.OpHeads, (*Store).heads)
	onRead(r, stock.OpHeadCheck, (*Store).checkHead)
	onRead(r, stock.OpStockLevels, (*Store).stockLevels)
	onRead(r, stock.OpReplica, (*Store).replica)
	onRead(r, stock.OpMemberList, (*Store).listMembers)
	onRead(r, stock.OpMemberRecords, (*Store).memberRecords)
	onRead(r, stock.OpTransferGet, (*Store).getTransfer)
	onRead(r, stock.OpTransferList, (*Store).listTransfers)
	onRead(r, stock.OpTransferGetMany, (*Store).transfersByID)
	onRead(r, stock.OpMovementReport, (*Store).movementReport)
	onRead(r, stock.OpMovementExport, (*Store).exportMovements)
	onRead(r, stock.OpStockAt, (*Store).stockAt)
	onRead(r, stock.OpStockHistory, (*Store).stockHistory)
	onRead(r, stock.OpStockTable, (*Store).stockTable)
	onRead(r, stock.OpLowStock, (*Store).lowStock)
	onRead(r, stock.OpProductExport, (*Store).listProducts)
	onRead(r, stock.OpProductHistory, (*Store).productHistory)
	onRead(r, stock.OpTokenList, (*Store).listTokens)
	onRead(r, stock.OpAuditLog, (*Store).auditLog)
	registerReplenish(r)
	registerRequests(r)
	return r
}

// onWrite registers fn as the write handler of op; a lost reply of its
// jobs is resolved by their recorded replies (byRecord).
func onWrite[Req, Rep any](r registry, op stock.Op[Req, Rep], fast bool, fn func(*batch, *Req) (*Rep, error)) {
	r[op.Name] = handler{class: op.Class, fast: fast, write: func(b *batch, body []byte) ([]byte, error) {
		req, err := decodeRequest[Req](body)
		if err != nil {
			return nil, err
		}
		rep, err := fn(b, req)
		if err != nil {
			return nil, err
		}
		return stock.EncodeReply(rep), nil
	}}
}

// onChange registers fn as the write handler of op, a change of the local
// warehouse: refused, before fn runs, once the warehouse left the network
// (see batch.writable). A lost reply of its jobs is resolved from the log
// entries they appended when the reply can be rebuilt from them
// (stock.ReplyFromLog), else by their recorded replies.
func onChange[Req, Rep any](r registry, op stock.Op[Req, Rep], fast bool, fn func(*batch, *Req) (*Rep, error)) {
	onWrite(r, op, fast, func(b *batch, req *Req) (*Rep, error) {
		if _, err := b.writable(); err != nil {
			return nil, err
		}
		return fn(b, req)
	})
	if stock.ReplyFromLog(new(Rep)) {
		r.resolveBy(op.Name, byLog)
	}
}

// resolveBy sets how a lost reply of op's jobs is resolved.
func (r registry) resolveBy(op string, how resolution) {
	h := r[op]
	h.resolve = how
	r[op] = h
}

// onRead registers fn as the read handler of op.
func onRead[Req, Rep any](r registry, op stock.Op[Req, Rep], fn func(*Store, context.Context, *Req) (*Rep, error)) {
	r[op.Name] = handler{class: op.Class, read: func(ctx context.Context, s *Store, body []byte) ([]byte, error) {
		req, err := decodeRequest[Req](body)
		if err != nil {
			return nil, err
		}
		rep, err := fn(s, ctx, req)
		if err != nil {
			return nil, err
		}
		return stock.EncodeReply(rep), nil
	}}
}

// decodeRequest decodes and validates a request.
func decodeRequest[Req any](body []byte) (*Req, error) {
	req := new(Req)
	if err := stock.DecodeValue(body, req); err != nil {
		return nil, stock.Errorf(stock.CodeInvalidInput, "malformed request: %v", err)
	}
	if n, ok := any(req).(stock.Normalizer); ok {
		if err := n.Normalize(); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// lookup returns the handler of the job's operation, checking its class.
func (r registry) lookup(op string, write bool) (handler, error) {
	h, ok := r[op]
	switch {
	case !ok:
		return h, stock.Errorf(stock.CodeInvalidInput, "unknown job %q", op)
	case write != (h.class == stock.ClassWrite):
		return h, stock.Errorf(stock.CodeInvalidInput, "%q is not a %s job", op, map[bool]string{true: "write", false: "read"}[write])
	}
	return h, nil
}

// check reports an operation of stock.Ops that has no handler: a broken
// build, caught by Open.
func (r registry) check() error {
	for _, op := range stock.Ops {
		if h, ok := r[op.Name]; !ok || h.class != op.Class {
			return fmt.Errorf("store: no %s handler for operation %s", op.Class, op.Name)
		} else if h.fast && h.resolve != byLog {
			// A fast job runs without a savepoint: its record could not be undone alone.
			return fmt.Errorf("store: fast operation %s must be resolved by the log", op.Name)
		}
	}
	return nil
}
