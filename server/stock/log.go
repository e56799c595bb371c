package stock

import "time"

// EntryType is the kind of change a log entry records.
type EntryType string

// The types of change log entries. Each carries the values its origin
// computed, never the request that produced them: a replica applies them
// as they are.
const (
	EntryProductCreated EntryType = "product.created" // Product: the new product
	EntryProductUpdated EntryType = "product.updated" // Product: its state after; Changed: the fields
	EntryProductDeleted EntryType = "product.deleted" // Product: its last state
	EntryMovement       EntryType = "movement"        // Movement: the ledger entry
	// EntryWarehouseLeft is the last entry of a warehouse that left the
	// network: its At is the departure, and it carries nothing else. Its
	// node writes no entry after it (see LeftNetwork), and replicas refuse
	// one.
	EntryWarehouseLeft EntryType = "warehouse.left"
)

// EntryRun is not a change: it names the message a node publishes once it
// has applied a run of another warehouse's log, an entry with the run's
// origin, its first seq (From) and its last (Seq) only. Whoever follows the events reads the run from
// the log (the feed's gap filling does), instead of the node encoding and
// publishing each entry it applied.
const EntryRun EntryType = "run"

// LogEntry is one change of a warehouse, as its change log keeps it: every
// change a node makes to its own warehouse takes the next number of the
// warehouse's gap-free sequence and is appended to the log in the same
// transaction. Reading a warehouse's log from seq 1 gives every seq once;
// applying it to an empty database rebuilds the warehouse's products,
// quantities and ledger.
type LogEntry struct {
	Origin   string    `json:"origin"`
	Seq      int64     `json:"seq"`
	At       time.Time `json:"at"`
	Type     EntryType `json:"type"`
	Product  *Product  `json:"product,omitempty"`
	Changed  []string  `json:"changed,omitempty"`
	Movement *Movement `json:"movement,omitempty"`
	// Transfer is the transfer a transfer entry changed, as its writer
	// saw it after the change (see Transfer).
	Transfer *Transfer `json:"transfer,omitempty"`
	// Reservation is the reservation a reservation entry changed, as it
	// is after the change (see Reservation).
	Reservation *Reservation `json:"reservation,omitempty"`
	// Stocktake is the stocktake a stocktake entry changed: its header
	// after the change, with the lines the change made or counted.
	Stocktake *Stocktake `json:"stocktake,omitempty"`
	// TransferRequest is the request a transfer request entry changed,
	// as its writer saw it after the change (see TransferRequest).
	TransferRequest *TransferRequest `json:"transferRequest,omitempty"`
	// From is, in an EntryRun message, the first seq of the run.
	From int64 `json:"from,omitempty"`
	// Actor is who made a product entry's change ("" in entries logged
	// before it was recorded; a movement names its own).
	Actor string `json:"actor,omitempty"`
	// Reserved is, in a movement entry as the node's stream carries it,
	// the units the product's active reservations held right after the
	// movement, so that each stock change says what was available then.
	// The writer adds it to the published entry (WithReserved), and the
	// node to the entries of a run it applied (ApplyResult.Held); it is
	// never stored, digested or replicated (Validate refuses it), and nil
	// in entries read back from the log.
	Reserved *int64 `json:"reserved,omitempty"`
	// Location is the location a location entry made or changed, as it
	// is after the change.
	Location *Location `json:"location,omitempty"`
}

// The product fields a product.updated entry names in Changed.
const (
	FieldName         = "name"
	FieldDescription  = "description"
	FieldPrice        = "price"
	FieldReorderPoint = "reorderPoint"
	FieldUnit         = "unit"
	FieldPacks        = "packs"
	FieldMaxStock     = "maxStock"
)

// ChangesQuery reads the log of Origin after AfterSeq, at most Limit
// entries (DefaultChangesLimit when 0).
type ChangesQuery struct {
	Origin   string `json:"origin"`
	AfterSeq int64  `json:"afterSeq"`
	Limit    int    `json:"limit,omitempty"`
}

// Limits of a ChangesQuery.
const (
	DefaultChangesLimit = 500
	MaxChangesLimit     = 10_000
)

// Normalize validates the query in place, applying the default limit.
func (q *ChangesQuery) Normalize() error {
	var err error
	if q.Origin, err = NormalizeWarehouseID(q.Origin); err != nil {
		return err
	}
	switch {
	case q.AfterSeq < 0:
		return invalid("afterSeq", "%d must not be negative", q.AfterSeq)
	case q.Limit == 0:
		q.Limit = DefaultChangesLimit
	case q.Limit < 0 || q.Limit > MaxChangesLimit:
		return invalid("limit", "%d is out of range (1 to %d)", q.Limit, MaxChangesLimit)
	}
	return nil
}

// ChangePage is a run of consecutive log entries of one origin, oldest
// first. LastSeq is the origin's last seq when the page was read, so a
// reader knows how far behind it is.
type ChangePage struct {
	Entries []LogEntry `json:"entries"`
	LastSeq int64      `json:"lastSeq"`
	// Proof lets a replica verify the page: the page ends at its signed
	// head (nil when the node holds no signed head of the log after the
	// query's seq).
	Proof *LogProof `json:"proof,omitempty"`
}

// ChangeBatch is a run of consecutive log entries of one origin to apply
// to its replica (or to an empty database, to rebuild it). Entries the
// replica already has are skipped; a gap is refused. Epoch, when set, is
// the origin's log epoch: the replica records it with its first entries
// and refuses a batch of another epoch (the origin's log was begun again).
type ChangeBatch struct {
	Epoch   string     `json:"epoch,omitempty"`
	Entries []LogEntry `json:"entries"`
	// Proof is what the replica verifies the run with before applying it
	// (see LogProof); a run without one is refused.
	Proof *LogProof `json:"proof,omitempty"`
	// Encoded, when set, is the batch as a member served it, the bytes it
	// was decoded from: EncodeValue writes them instead of encoding the
	// batch again (the writer decodes them as it would the encoding).
	// Proof.ServedBy, set by the node that fetched the run, is not in
	// them; only the fetching node reads it. Whoever changes the batch
	// after decoding it clears Encoded.
	Encoded []byte `json:"-" wire:"encoded"`
}

// Head is how far this node holds one warehouse's log: its last seq, the
// time of that entry, and the log's epoch.
type Head struct {
	Origin  string    `json:"origin"`
	Epoch   string    `json:"epoch,omitempty"`
	LastSeq int64     `json:"lastSeq"`
	At      time.Time `json:"at"`
	// Signed is the origin's signed head at LastSeq when the node holds
	// it: a member comparing it with its own history detects a fork even
	// when the forked log is behind its own copy.
	Signed *SignedHead `json:"signed,omitempty"`
}

// Heads lists the head of every warehouse log the node holds, its own
// first.
type Heads struct {
	Heads []Head `json:"heads"`
}

// Head returns the head of origin's log, and false when the node holds
// none of it.
func (h *Heads) Head(origin string) (Head, bool) {
	for _, x := range h.Heads {
		if x.Origin == origin {
			return x, true
		}
	}
	return Head{}, false
}

// ErrEpoch is the error a replica answers a batch of another epoch with:
// the origin's log was begun again under the same id, and mixing the two
// histories would corrupt both. It has CodeInvalidInput; errors.Is tells it
// from every other INVALID_INPUT error by its Reason.
var ErrEpoch = &Error{Code: CodeInvalidInput, Reason: "epoch", Message: "stock: the log's epoch differs"}

// Normalize checks that the batch is one origin's consecutive entries,
// each of them valid (see LogEntry.Validate), whoever served or signed
// them; the first that is not is refused with an ErrInvalidEntry error
// naming it and its field.
func (b *ChangeBatch) Normalize() error {
	for i := range b.Entries {
		e := &b.Entries[i]
		if err := e.Validate(); err != nil {
			return err
		}
		if i > 0 && (e.Origin != b.Entries[0].Origin || e.Seq != b.Entries[i-1].Seq+1) {
			return InvalidEntry(e, "seq", "entry %d of the batch does not follow the one before (%s:%d)", i, b.Entries[i-1].Origin, b.Entries[i-1].Seq)
		}
	}
	return nil
}

// Change returns the stock change a movement entry made, or the deletion
// a product.deleted entry made (Deleted set, Quantity 0), and false for
// entries of other types.
func (e *LogEntry) Change() (Change, bool) {
	switch {
	case e.Movement != nil:
		c := ChangeOf(e.Movement)
		c.Reserved = e.Reserved
		return c, true
	case e.Type == EntryProductDeleted && e.Product != nil:
		return Change{Warehouse: e.Origin, SKU: e.Product.SKU, Deleted: true, Seq: e.Seq, At: e.At}, true
	case e.Reservation != nil:
		return reservationChange(e), true
	}
	return Change{}, false
}
