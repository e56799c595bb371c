package store

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/stockmesh/stockmesh/ent"
	"github.com/stockmesh/stockmesh/server/stock"
)

// movementInput is what move records besides the product.
type movementInput struct {
	kind        stock.Kind
	delta       int64 // signed change of the stock
	reference   string
	note        string
	actor       string
	key         string // idempotency key as stored (storedKey), "" for none
	fingerprint string
	held        *int64 // units reserved right after it, when the caller read them
	// Where the units go or come from (lots.go): a lot, a location, or
	// the pieces themselves (a TRANSFER_IN carrying the lots that went
	// out); none of them for the stock of no lot, unplaced, or FEFO.
	lot      *stock.LotInput
	location string
	pieces   []stock.LotQuantity
	admin    bool              // an admin named the lot: it may be expired
	moved    int64             // a RELOCATION's units (its delta is 0)
	lines    []stock.StockLine // the product's lines, when read to choose the pieces
	pack     string
	packSize int64
}

// recordMovement records a movement, or returns the stored one when its
// idempotency key was already used for the same request.
func (b *batch) recordMovement(in *stock.MovementInput) (*stock.Movement, error) {
	if err := b.own(in.Warehouse); err != nil {
		return nil, err
	}
	m := movementInput{kind: in.Kind, delta: in.Kind.Delta(in.Quantity), reference: in.Reference,
		note: in.Note, actor: b.meta.Actor, key: storedKey(in.IdempotencyKey),
		lot: in.Lot, location: in.Location, admin: in.Admin, pack: in.Pack}
	if m.key != "" {
		req := requestBytes(in)
		m.fingerprint = b.s.digest(req)
		prev, err := b.movementByKey(m.key, in.IdempotencyKey, req, m.fingerprint)
		if err != nil || prev != nil {
			return prev, err
		}
	}
	p, err := b.stockOf(in.SKU)
	if err != nil {
		return nil, err
	}
	if in.Pack != "" {
		if err := b.inPacks(p, &m); err != nil {
			return nil, err
		}
	}
	if in.Location != "" {
		if err := b.checkLocation(p.warehouse, in.Location); err != nil {
			return nil, err
		}
	}
	if in.Kind == stock.KindSale {
		if m.held, err = b.checkUnreserved(p, -m.delta); err != nil {
			return nil, err
		}
	}
	mv, err := b.move(p, m)
	if err != nil {
		return nil, err
	}
	if m.key != "" {
		b.w.addKey(m.key, mv.Seq)
	}
	return mv, nil
}

// setStock records an ADJUSTMENT that brings a product's stock to the
// counted quantity; a zero difference is recorded too, as a count that
// confirmed the stock.
func (b *batch) setStock(c *stock.StockCount) (*stock.Movement, error) {
	if err := b.own(c.Warehouse); err != nil {
		return nil, err
	}
	p, err := b.stockOf(c.SKU)
	if err != nil {
		return nil, err
	}
	return b.move(p, movementInput{kind: stock.KindAdjustment, delta: c.Quantity - p.quantity, note: c.Note, actor: b.meta.Actor})
}

// move applies m to p under the next change sequence: it updates the
// product's stock, appends the movement to the ledger and to the change
// log, which queues it for publication. It checks the stock before writing
// anything, so a move that fails with a domain error wrote nothing.
func (b *batch) move(p stockRow, m movementInput) (*stock.Movement, error) {
	balance, err := stock.Apply(p.sku, p.quantity, m.delta)
	if err != nil {
		return nil, err
	}
	pieces, err := b.pieces(p, &m)
	if err != nil {
		return nil, err
	}
	seq, now := b.w.nextSeq(), b.now()
	stamp := timestamp(now)
	if err := b.setQuantity(p, balance, seq, stamp); err != nil {
		return nil, err
	}
	if err := b.s.hooks.afterFirstWrite(); err != nil {
		return nil, err
	}
	mv := &stock.Movement{
		ID: stock.MovementID(p.warehouse, seq), Warehouse: p.warehouse, Seq: seq, SKU: p.sku,
		Kind: m.kind, Quantity: m.delta + m.moved, Balance: balance, Reference: m.reference, Note: m.note,
		Actor: m.actor, IdempotencyKey: m.key, CreatedAt: now,
		Lots: pieces, Location: m.location, Pack: m.pack, PackSize: m.packSize, NamedLot: m.lot,
	}
	if err := b.insertMovement(p.id, mv, m.fingerprint, stamp); err != nil {
		return nil, err
	}
	if err := b.movePieces(p.id, mv, m.lines); err != nil {
		return nil, err
	}
	if b.fastJob {
		b.rollUp(p.id, mv)
	} else {
		b.movedAt(seq)
	}
	e := &stock.LogEntry{Origin: p.warehouse, Seq: seq, At: now, Type: stock.EntryMovement, Movement: mv}
	if err := b.appendLog(e); err != nil {
		return nil, err
	}
	return mv, b.heldAfter(p, m.held)
}

// moveProduct moves p, a product read through ent, and updates it in place.
func (b *batch) moveProduct(p *ent.Product, m movementInput) error {
	mv, err := b.move(stockRow{id: p.ID, warehouse: p.WarehouseID, sku: p.Sku, quantity: p.Quantity}, m)
	if err != nil {
		return err
	}
	p.Quantity, p.Seq, p.UpdatedAt = mv.Balance, mv.Seq, mv.CreatedAt
	return nil
}

// recordedRequest returns what makes the request that recorded m the
// same one (requestBytes, or relocationBytes for a RELOCATION). A replica
// fingerprints its movements with it, so that a node that restored its
// warehouse's history from the network still recognises a retried
// request by its idempotency key.
func recordedRequest(m *stock.Movement) []byte {
	if m.Kind != stock.KindRelocation {
		return requestBytes(requestOf(m))
	}
	in := &stock.RelocateStockInput{SKU: m.SKU, Quantity: m.Quantity, To: m.Location}
	if len(m.Lots) > 0 { // a relocation's units all leave one location
		in.From = m.Lots[0].Location
	}
	if m.NamedLot != nil {
		in.Lot = m.NamedLot.Code
	}
	return relocationBytes(in)
}

// requestOf returns the request that recorded m: its quantity as the
// request gave it (positive, signed only for an ADJUSTMENT), and the lot
// it named.
func requestOf(m *stock.Movement) *stock.MovementInput {
	in := &stock.MovementInput{SKU: m.SKU, Kind: m.Kind, Quantity: m.Kind.Quantity(m.Quantity), Reference: m.Reference, Note: m.Note,
		Location: m.Location, Pack: m.Pack}
	if m.NamedLot != nil {
		l := *m.NamedLot
		in.Lot = &l
	}
	if n := m.PackQuantity(); n > 0 {
		in.Quantity = n
		if m.Quantity < 0 && m.Kind == stock.KindAdjustment {
			in.Quantity = -n
		}
	}
	return in
}

// keyedPrefix starts a keyed fingerprint; the unkeyed ones of a database
// older than sealing have none (hex digits only) until resealed.
const keyedPrefix = "k"

// digest is the keyed fingerprint of a request's bytes (movements' and
// transfers' alike), keyed with the node's index key (seal.go): an unkeyed
// digest would let whoever holds the database confirm a guessed reference
// or note, the other fields of the request being in clear beside it.
func (s *Store) digest(req []byte) string {
	return keyedPrefix + hex.EncodeToString(s.keys.Hash(fieldFingerprint, string(req)))
}

// sameDigest reports whether stored, a fingerprint (keyed, or unkeyed in a
// database older than sealing), digests req.
func (s *Store) sameDigest(stored string, req []byte) bool {
	if strings.HasPrefix(stored, keyedPrefix) {
		return stored == s.digest(req)
	}
	return stored == legacyDigest(req)
}

// legacyDigest is the unkeyed digest databases older than sealing stored.
func legacyDigest(req []byte) string {
	sum := sha256.Sum256(req)
	return hex.EncodeToString(sum[:16])
}

// requestBytes encodes what makes two requests to record a movement the
// same one: every field but the key, the warehouse and the caller's role.
// A request naming no lot, location or pack encodes as it did before
// those existed, and one naming no lot as before lots counted, so the
// fingerprints stored then still match.
func requestBytes(in *stock.MovementInput) []byte {
	buf := make([]byte, 0, 64+len(in.SKU)+len(in.Reference)+len(in.Note))
	for _, s := range []string{in.SKU, string(in.Kind)} {
		buf = append(append(buf, s...), 0)
	}
	buf = append(strconv.AppendInt(buf, in.Quantity, 10), 0)
	for _, s := range []string{in.Reference, in.Note} {
		buf = append(append(buf, s...), 0)
	}
	if in.Location != "" || in.Pack != "" || in.Lot != nil {
		buf = append(append(append(append(buf, in.Location...), 0), in.Pack...), 0)
	}
	if in.Lot != nil {
		buf = append(append(append(append(buf, in.Lot.Code...), 0), in.Lot.ExpiresOn...), 0)
	}
	return buf
}

// relocationBytes encodes what makes two relocations the same one: every
// field but the key. Its kind, RELOCATION, which no movement request can
// name, keeps it apart from requestBytes's.
func relocationBytes(in *stock.RelocateStockInput) []byte {
	buf := make([]byte, 0, 48+len(in.SKU)+len(in.From)+len(in.To)+len(in.Lot))
	buf = append(append(append(buf, in.SKU...), 0), stock.KindRelocation...)
	buf = strconv.AppendInt(append(buf, 0), in.Quantity, 10)
	for _, s := range []string{in.From, in.To, in.Lot} {
		buf = append(append(buf, 0), s...)
	}
	return append(buf, 0)
}
