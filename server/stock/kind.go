package stock

// Kind is the kind of a stock movement.
type Kind string

// The movement kinds. TRANSFER_OUT and TRANSFER_IN are reserved for
// transfers between warehouses and cannot be recorded directly.
const (
	KindPurchase    Kind = "PURCHASE"
	KindSale        Kind = "SALE"
	KindReturn      Kind = "RETURN"
	KindAdjustment  Kind = "ADJUSTMENT"
	KindTransferOut Kind = "TRANSFER_OUT"
	KindTransferIn  Kind = "TRANSFER_IN"
	// KindRelocation moves units between locations of a warehouse: its
	// quantity is the units moved, and it changes no stock.
	KindRelocation Kind = "RELOCATION"
)

// Kinds lists every kind in a stable order.
var Kinds = []Kind{KindPurchase, KindSale, KindReturn, KindAdjustment, KindTransferOut, KindTransferIn, KindRelocation}

// Valid reports whether k is one of the known kinds.
func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if k == v {
			return true
		}
	}
	return false
}

// Recordable reports whether recordMovement accepts k (transfers are not).
func (k Kind) Recordable() bool {
	return k == KindPurchase || k == KindSale || k == KindReturn || k == KindAdjustment
}

// Delta returns the signed change a movement of kind k and quantity q makes.
// q is positive for every kind but ADJUSTMENT, whose q is already signed.
func (k Kind) Delta(q int64) int64 {
	switch k {
	case KindSale, KindTransferOut:
		return -q
	case KindRelocation:
		return 0
	default:
		return q
	}
}
