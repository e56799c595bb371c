package stock

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"
)

// This file holds what a node knows of the other warehouses of the
// network: it reads their replicas as it reads its own warehouse, and it
// never changes them (each warehouse has one writer, its own node).

// normalizeWarehouse trims and validates an optional warehouse id in
// place: "" names the local warehouse.
func normalizeWarehouse(id *string) error {
	if *id == "" {
		return nil
	}
	var err error
	*id, err = NormalizeWarehouseID(*id)
	return err
}

// UnknownWarehouse returns the NOT_FOUND error for a warehouse this node
// holds nothing of.
func UnknownWarehouse(id string) *Error {
	e := Errorf(CodeNotFound, "warehouse %s is not known to this node", id)
	e.Elsewhere = &Elsewhere{Warehouse: id}
	return e
}

// CheckOwner is the one rule for changes named for a warehouse: a node
// changes only its own warehouse, local. It returns nil when id is "" (the
// local warehouse) or local's id. Otherwise it looks the warehouse up and
// refuses with FORBIDDEN, naming the node that owns it (its URL when
// known, also in the error's Elsewhere), or NOT_FOUND when lookup finds no
// such warehouse (nil, nil).
func CheckOwner(local *Warehouse, id string, lookup func(id string) (*Warehouse, error)) error {
	if id == "" || id == local.ID {
		return nil
	}
	w, err := lookup(id)
	if err != nil {
		return err
	}
	if w == nil {
		return UnknownWarehouse(id)
	}
	node := "of " + w.ID
	if w.URL != "" {
		node = w.URL
	}
	e := Errorf(CodeForbidden, "warehouse %s belongs to node %s; this node holds a read-only copy, make this change there", w.ID, node)
	e.Elsewhere = &Elsewhere{Warehouse: w.ID, Node: w.URL}
	return e
}

// StockLevelQuery asks for the stock of SKU in every warehouse the node
// holds.
type StockLevelQuery struct {
	SKU string `json:"sku"`
	// WindowDays is the window of the average daily sales of DaysOfCover
	// (0: replenish.DefaultWindowDays).
	WindowDays int `json:"windowDays,omitempty"`
}

// Normalize trims and validates the sku in place.
func (q *StockLevelQuery) Normalize() (err error) {
	if q.SKU, err = NormalizeSKU(q.SKU); err != nil {
		return err
	}
	return normalizeWindow(&q.WindowDays)
}

// StockLevel is the stock of one sku in one warehouse, as this node holds
// it. AsOf says how fresh it is: for the local warehouse the time it was
// read; for a replica the time of the last change applied from its
// origin's log (nil when none is held).
type StockLevel struct {
	Warehouse string     `json:"warehouse"`
	Quantity  int64      `json:"quantity"`
	AsOf      *time.Time `json:"asOf,omitempty"`
	// InTransit is the units of transfers on their way to the warehouse
	// (see Transfer.InTransit), as this node knows them.
	InTransit int64 `json:"inTransit"`
	// Reserved is the units the warehouse's active reservations of the
	// sku hold (see Reservation).
	Reserved int64 `json:"reserved"`
	// DaysOfCover is the available units divided by the average daily
	// SALE units over the query's window (replenish.Level.DaysOfCover);
	// nil when nothing was sold.
	DaysOfCover *float64 `json:"daysOfCover,omitempty"`
}

// Available returns the units of the level not held by reservations.
func (l *StockLevel) Available() int64 { return Available(l.Quantity, l.Reserved) }

// OverReserved returns the reserved units the level's stock no longer covers.
func (l *StockLevel) OverReserved() int64 { return OverReserved(l.Quantity, l.Reserved) }

// StockLevels is the reply of OpStockLevels: one level per warehouse with
// a live product of the sku or units of it in transit to it, the local
// warehouse first, then by id.
type StockLevels struct {
	Levels []StockLevel `json:"levels"`
}

// ReplicaQuery asks for the state of the log of Origin this node holds.
type ReplicaQuery struct {
	Origin string `json:"origin"`
}

// Normalize validates the origin in place.
func (q *ReplicaQuery) Normalize() (err error) {
	q.Origin, err = NormalizeWarehouseID(q.Origin)
	return err
}

// Replica is how far a node holds a warehouse's log: Seq is the last seq
// it has (0 for none), Digest a LogDigest of every entry it holds up to
// Seq, and AsOf the time of that entry. Two nodes with the same Seq and
// Digest of a warehouse hold the same history of it.
type Replica struct {
	Origin string     `json:"origin"`
	Seq    int64      `json:"seq"`
	Digest string     `json:"digest"`
	AsOf   *time.Time `json:"asOf,omitempty"`
	// Problem, when set, is why this node stopped applying Origin's log.
	Problem *ReplicaProblem `json:"problem,omitempty"`
}

// LogDigest chains SHA-256 over a log's entries, in seq order: each step
// hashes the digest so far, the length of the entry's canonical encoding
// (EncodeValue of the LogEntry as the log reads it) and that encoding. A
// node computes the same digest of a warehouse's log as its origin
// exactly when it holds the same entries. The zero value is the digest of
// no entries; a LogDigest can resume from a stored Sum.
type LogDigest struct {
	sum [sha256.Size]byte
	buf []byte
}

// ResumeDigest returns a LogDigest that continues from sum, a Sum taken
// earlier.
func ResumeDigest(sum [sha256.Size]byte) *LogDigest {
	return &LogDigest{sum: sum}
}

// Add chains e into the digest.
func (d *LogDigest) Add(e *LogEntry) error {
	var err error
	if d.buf, err = EncodeValue(d.buf[:0], e); err != nil {
		return fmt.Errorf("encoding log entry %s:%d: %w", e.Origin, e.Seq, err)
	}
	d.AddEncoded(d.buf)
	return nil
}

// AddEncoded chains an entry given as its canonical encoding (EncodeValue
// of the LogEntry), as the writer already has it.
func (d *LogDigest) AddEncoded(data []byte) {
	h := sha256.New()
	h.Write(d.sum[:])
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(data)))
	h.Write(n[:])
	h.Write(data)
	h.Sum(d.sum[:0])
}

// Sum returns the digest so far.
func (d *LogDigest) Sum() [sha256.Size]byte { return d.sum }

// String returns the digest so far in hexadecimal.
func (d *LogDigest) String() string { return hex.EncodeToString(d.sum[:]) }
