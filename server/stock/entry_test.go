package stock

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestErrorIs: a generic sentinel matches every error of its code, wrapped
// or decoded from a reply; ErrEpoch and ErrInvalidEntry match only errors
// of their own reason, so a seq gap is not an epoch change.
func TestErrorIs(t *testing.T) {
	decoded := func(e *Error) error { return DecodeReply(EncodeError(e), new(Empty)) }
	epoch := *ErrEpoch
	epoch.Message = "the log of MAD-1 was begun again"
	entry := InvalidEntry(&LogEntry{Origin: "MAD-1", Seq: 3}, "movement.note", "too long")
	gap := Errorf(CodeInvalidInput, "the log of MAD-1 continues at 4 here, not 9")
	cases := []struct {
		name   string
		err    error
		target error
		want   bool
	}{
		{"gap is invalid input", gap, ErrInvalidInput, true},
		{"gap is no epoch change", gap, ErrEpoch, false},
		{"gap is no invalid entry", gap, ErrInvalidEntry, false},
		{"epoch copy is an epoch change", &epoch, ErrEpoch, true},
		{"decoded epoch is an epoch change", decoded(&epoch), ErrEpoch, true},
		{"wrapped epoch is an epoch change", fmt.Errorf("applying: %w", &epoch), ErrEpoch, true},
		{"epoch is invalid input", &epoch, ErrInvalidInput, true},
		{"epoch is no invalid entry", &epoch, ErrInvalidEntry, false},
		{"invalid entry", entry, ErrInvalidEntry, true},
		{"decoded invalid entry", decoded(entry), ErrInvalidEntry, true},
		{"invalid entry is invalid input", entry, ErrInvalidInput, true},
		{"invalid entry is no epoch change", decoded(entry), ErrEpoch, false},
		{"field error is no invalid entry", invalid("sku", "must not be empty"), ErrInvalidEntry, false},
		{"not found is not found", Errorf(CodeNotFound, "product A not found"), ErrNotFound, true},
		{"not found is no invalid input", Errorf(CodeNotFound, "x"), ErrInvalidInput, false},
		{"unavailable is no missing warehouse", Errorf(CodeUnavailable, "busy"), ErrNoWarehouse, false},
		{"missing warehouse is unavailable", decoded(ErrNoWarehouse), ErrUnavailable, true},
		{"missing warehouse", decoded(ErrNoWarehouse), ErrNoWarehouse, true},
		{"plain error", errors.New("x"), ErrInvalidInput, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := errors.Is(c.err, c.target); got != c.want {
				t.Errorf("errors.Is(%v, %v) = %v, want %v", c.err, c.target, got, c.want)
			}
		})
	}
}

// TestValidateEntry: entries as writers make them pass; each forgery is
// refused as ErrInvalidEntry naming the entry and the field.
func TestValidateEntry(t *testing.T) {
	at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	later := at.Add(time.Hour)
	movement := func() *LogEntry {
		return &LogEntry{Origin: "MAD-1", Seq: 7, At: at, Type: EntryMovement, Movement: &Movement{
			ID: "MAD-1:7", Warehouse: "MAD-1", Seq: 7, SKU: "A-1", Kind: KindSale, Quantity: -3, Balance: 2,
			Reference: "PO-1", Note: "n", Actor: "ana", IdempotencyKey: "k", CreatedAt: at}}
	}
	product := func(typ EntryType) *LogEntry {
		e := &LogEntry{Origin: "MAD-1", Seq: 7, At: at, Type: typ, Actor: "ana", Product: &Product{
			Warehouse: "MAD-1", SKU: "A-1", Name: "Anvil", Price: 19_9900, ReorderPoint: 4, Seq: 7, CreatedAt: at, UpdatedAt: at}}
		if typ == EntryProductUpdated {
			e.Changed = []string{FieldName, FieldPrice}
		}
		return e
	}
	transfer := func(typ EntryType) *LogEntry {
		tr := &Transfer{ID: "MAD-1:T5", SKU: "A-1", Quantity: 3, From: "MAD-1", To: "BCN-1", CreatedAt: at,
			OutMovement: "MAD-1:5", Product: &Product{Warehouse: "MAD-1", SKU: "A-1", Name: "Anvil", Price: 1}}
		origin := "MAD-1"
		switch typ {
		case EntryTransferCancelRequested:
			tr.CancelRequestedAt = &later
		case EntryTransferReceived:
			tr.ReceivedAt, tr.InMovement, origin = &later, "BCN-1:9", "BCN-1"
		case EntryTransferCancelled:
			tr.CancelledAt, origin = &later, "BCN-1"
		case EntryTransferReturned:
			tr.CancelledAt, tr.ReturnedAt, tr.ReturnMovement = &later, &later, "MAD-1:12"
		}
		tr.Status = tr.StatusOf()
		return &LogEntry{Origin: origin, Seq: 7, At: at, Type: typ, Transfer: tr}
	}
	with := func(e *LogEntry, change func(*LogEntry)) *LogEntry { change(e); return e }
	mv := func(change func(*Movement)) *LogEntry { e := movement(); change(e.Movement); return e }
	long := strings.Repeat("x", 200<<10)
	cases := []struct {
		name  string
		e     *LogEntry
		field string // "" when valid
	}{
		{"sale", movement(), ""},
		{"purchase of a product's largest stock", mv(func(m *Movement) { m.Kind, m.Quantity, m.Balance = KindPurchase, MaxStock, MaxStock }), ""},
		{"adjustment that confirmed a count", mv(func(m *Movement) { m.Kind, m.Quantity = KindAdjustment, 0 }), ""},
		{"adjustment to zero of a full stock", mv(func(m *Movement) { m.Kind, m.Quantity, m.Balance = KindAdjustment, -MaxStock, 0 }), ""},
		{"transfer out", mv(func(m *Movement) { m.Kind, m.Quantity = KindTransferOut, -MaxQuantity }), ""},
		{"product created", product(EntryProductCreated), ""},
		{"product updated", product(EntryProductUpdated), ""},
		{"product deleted", product(EntryProductDeleted), ""},
		{"transfer created", transfer(EntryTransferCreated), ""},
		{"transfer cancel requested", transfer(EntryTransferCancelRequested), ""},
		{"transfer received", transfer(EntryTransferReceived), ""},
		{"transfer cancelled", transfer(EntryTransferCancelled), ""},
		{"transfer returned", transfer(EntryTransferReturned), ""},
		{"warehouse left", &LogEntry{Origin: "MAD-1", Seq: 7, At: at, Type: EntryWarehouseLeft}, ""},
		{"departure carrying a product", with(product(EntryProductCreated), func(e *LogEntry) { e.Type = EntryWarehouseLeft }), "type"},
		{"departure carrying a transfer", with(transfer(EntryTransferCreated), func(e *LogEntry) { e.Type = EntryWarehouseLeft }), "type"},

		{"sale with a negative balance", mv(func(m *Movement) { m.Balance = -3 }), "movement.balance"},
		{"purchase of 2^63-1", mv(func(m *Movement) { m.Kind, m.Quantity, m.Balance = KindPurchase, 1<<63-1, 1<<63-1 }), "movement.quantity"},
		{"sale beyond a movement's quantity", mv(func(m *Movement) { m.Quantity = -MaxQuantity - 1 }), "movement.quantity"},
		{"sale of positive quantity", mv(func(m *Movement) { m.Quantity = 3 }), "movement.quantity"},
		{"purchase of negative quantity", mv(func(m *Movement) { m.Kind = KindPurchase }), "movement.quantity"},
		{"return of zero", mv(func(m *Movement) { m.Kind, m.Quantity = KindReturn, 0 }), "movement.quantity"},
		{"balance beyond a product's stock", mv(func(m *Movement) { m.Balance = MaxStock + 1 }), "movement.balance"},
		{"200 KiB note", mv(func(m *Movement) { m.Note = long }), "movement.note"},
		{"note one over", mv(func(m *Movement) { m.Note = strings.Repeat("é", MaxNoteLen/2) + "x" }), "movement.note"},
		{"note with leading spaces", mv(func(m *Movement) { m.Note = "  n" }), "movement.note"},
		{"reference of invalid UTF-8", mv(func(m *Movement) { m.Reference = "\xffPO" }), "movement.reference"},
		{"actor with U+FFFD", mv(func(m *Movement) { m.Actor = "an\uFFFDa" }), "movement.actor"},
		{"long idempotency key", mv(func(m *Movement) { m.IdempotencyKey = strings.Repeat("k", MaxKeyLen+1) }), "movement.idempotencyKey"},
		{"empty sku", mv(func(m *Movement) { m.SKU = "" }), "movement.sku"},
		{"sku with a space", mv(func(m *Movement) { m.SKU = "A 1" }), "movement.sku"},
		{"unknown kind", mv(func(m *Movement) { m.Kind = "THEFT" }), "movement.kind"},
		{"movement of another warehouse", mv(func(m *Movement) { m.Warehouse = "BCN-1" }), "movement.warehouse"},
		{"movement of another seq", mv(func(m *Movement) { m.Seq = 8 }), "movement.seq"},
		{"movement of another id", mv(func(m *Movement) { m.ID = "BCN-1:7" }), "movement.id"},
		{"movement of another time", mv(func(m *Movement) { m.CreatedAt = later }), "movement.createdAt"},
		{"movement entry with a product", with(movement(), func(e *LogEntry) { e.Product = product(EntryProductCreated).Product }), "type"},
		{"zero time", with(movement(), func(e *LogEntry) { e.At, e.Movement.CreatedAt = time.Time{}, time.Time{} }), "at"},
		{"time beyond 2262", with(movement(), func(e *LogEntry) { e.At = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC) }), "at"},
		{"unknown type", with(product(EntryProductCreated), func(e *LogEntry) { e.Type = "product.renamed" }), "type"},
		{"run message", with(movement(), func(e *LogEntry) { e.Type, e.From = EntryRun, 3 }), "from"},
		{"published reserved", with(movement(), func(e *LogEntry) { e.Reserved = new(int64) }), "reserved"},
		{"no origin", with(movement(), func(e *LogEntry) { e.Origin = "" }), "origin"},
		{"origin with '..'", with(movement(), func(e *LogEntry) { e.Origin = "../etc" }), "origin"},
		{"origin of 200 KiB", with(movement(), func(e *LogEntry) { e.Origin = long }), "origin"},
		{"seq 0", with(movement(), func(e *LogEntry) { e.Seq = 0 }), "seq"},
		{"entry actor too long", with(product(EntryProductCreated), func(e *LogEntry) { e.Actor = strings.Repeat("a", MaxTokenNameLen+1) }), "actor"},
		{"product created with stock", with(product(EntryProductCreated), func(e *LogEntry) { e.Product.Quantity = 1000 }), "product.quantity"},
		{"product of another warehouse", with(product(EntryProductCreated), func(e *LogEntry) { e.Product.Warehouse = "BCN-1" }), "product.warehouse"},
		{"product without a name", with(product(EntryProductCreated), func(e *LogEntry) { e.Product.Name = "" }), "product.name"},
		{"long description", with(product(EntryProductUpdated), func(e *LogEntry) { e.Product.Description = long }), "product.description"},
		{"negative price", with(product(EntryProductUpdated), func(e *LogEntry) { e.Product.Price = -1 }), "product.price"},
		{"negative reorder point", with(product(EntryProductUpdated), func(e *LogEntry) { e.Product.ReorderPoint = -1 }), "product.reorderPoint"},
		{"stock beyond a product's", with(product(EntryProductUpdated), func(e *LogEntry) { e.Product.Quantity = MaxStock + 1 }), "product.quantity"},
		{"product created at zero", with(product(EntryProductCreated), func(e *LogEntry) { e.Product.CreatedAt = time.Time{} }), "product.createdAt"},
		{"update of an unknown field", with(product(EntryProductUpdated), func(e *LogEntry) { e.Changed = []string{"quantity"} }), "changed"},
		{"update naming a field twice", with(product(EntryProductUpdated), func(e *LogEntry) { e.Changed = []string{FieldName, FieldName} }), "changed"},
		{"update naming nothing", with(product(EntryProductUpdated), func(e *LogEntry) { e.Changed = nil }), "changed"},
		{"deletion naming fields", with(product(EntryProductDeleted), func(e *LogEntry) { e.Changed = []string{FieldName} }), "changed"},
		{"transfer of negative quantity", with(transfer(EntryTransferCreated), func(e *LogEntry) { e.Transfer.Quantity = -5 }), "transfer.quantity"},
		{"transfer of unknown status", with(transfer(EntryTransferCreated), func(e *LogEntry) { e.Transfer.Status = "LOST" }), "transfer.status"},
		{"transfer to itself", with(transfer(EntryTransferCreated), func(e *LogEntry) { e.Transfer.To = "MAD-1" }), "transfer.to"},
		{"transfer to a bad id", with(transfer(EntryTransferCreated), func(e *LogEntry) { e.Transfer.To = "../../etc" }), "transfer.to"},
		{"transfer created by the receiver", with(transfer(EntryTransferCreated), func(e *LogEntry) { e.Origin = "BCN-1" }), "type"},
		{"transfer received by the sender", with(transfer(EntryTransferReceived), func(e *LogEntry) { e.Origin = "MAD-1" }), "type"},
		{"transfer of another sender's id", with(transfer(EntryTransferCreated), func(e *LogEntry) { e.Transfer.ID = "BCN-1:T5" }), "transfer.id"},
		{"transfer with a long id", with(transfer(EntryTransferCreated), func(e *LogEntry) { e.Transfer.ID = long }), "transfer.id"},
		{"transfer of another out movement", with(transfer(EntryTransferCreated), func(e *LogEntry) { e.Transfer.OutMovement = "MAD-1:6" }), "transfer.outMovement"},
		{"received without its movement", with(transfer(EntryTransferReceived), func(e *LogEntry) { e.Transfer.InMovement = "" }), "transfer.inMovement"},
		{"received into the sender", with(transfer(EntryTransferReceived), func(e *LogEntry) { e.Transfer.InMovement = "MAD-1:9" }), "transfer.inMovement"},
		{"received and cancelled", with(transfer(EntryTransferReceived), func(e *LogEntry) { e.Transfer.CancelledAt = &later }), "transfer.cancelledAt"},
		{"returned, never cancelled", with(transfer(EntryTransferCreated), func(e *LogEntry) {
			e.Transfer.ReturnedAt, e.Transfer.ReturnMovement = &later, "MAD-1:12"
		}), "transfer.returnedAt"},
		{"cancelled without the fact", with(transfer(EntryTransferCancelled), func(e *LogEntry) {
			e.Transfer.CancelledAt, e.Transfer.Status = nil, TransferInTransit
		}), "transfer.cancelledAt"},
		{"transfer note of 200 KiB", with(transfer(EntryTransferCreated), func(e *LogEntry) { e.Transfer.Note = long }), "transfer.note"},
		{"transfer fingerprint of 200 KiB", with(transfer(EntryTransferCreated), func(e *LogEntry) { e.Transfer.Fingerprint = long }), "transfer.fingerprint"},
		{"catalogue of another sku", with(transfer(EntryTransferCreated), func(e *LogEntry) { e.Transfer.Product.SKU = "B-1" }), "transfer.product.sku"},
		{"catalogue with a long name", with(transfer(EntryTransferCreated), func(e *LogEntry) { e.Transfer.Product.Name = long }), "transfer.product.name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.e.Validate()
			switch {
			case c.field == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case c.field == "":
				return
			case !errors.Is(err, ErrInvalidEntry):
				t.Fatalf("Validate() = %v, want an invalid entry", err)
			case !strings.Contains(err.Error(), ": "+c.field+": "):
				t.Errorf("Validate() = %v, want it to name the field %s", err, c.field)
			case len(err.Error()) > 500:
				t.Errorf("the error is %d bytes long: it quotes what it refuses", len(err.Error()))
			}
		})
	}
}

// TestBatchNormalizeNamesTheEntry: a batch is refused at its first invalid
// entry, or where its entries stop following each other, as
// ErrInvalidEntry naming that entry.
func TestBatchNormalizeNamesTheEntry(t *testing.T) {
	at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	entry := func(seq int64, qty int64) LogEntry {
		return LogEntry{Origin: "MAD-1", Seq: seq, At: at, Type: EntryMovement, Movement: &Movement{
			ID: MovementID("MAD-1", seq), Warehouse: "MAD-1", Seq: seq, SKU: "A", Kind: KindPurchase, Quantity: qty, Balance: qty, CreatedAt: at}}
	}
	cases := []struct {
		name    string
		entries []LogEntry
		want    string // "" when valid
	}{
		{"valid", []LogEntry{entry(1, 1), entry(2, 1)}, ""},
		{"second invalid", []LogEntry{entry(1, 1), entry(2, -1)}, `entry "MAD-1":2: movement.quantity`},
		{"gap", []LogEntry{entry(1, 1), entry(3, 1)}, `entry "MAD-1":3: seq`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := (&ChangeBatch{Entries: c.entries}).Normalize()
			if c.want == "" {
				if err != nil {
					t.Fatalf("Normalize() = %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidEntry) || !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("Normalize() = %v, want an invalid entry starting %q", err, c.want)
			}
		})
	}
}
