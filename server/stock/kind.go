package stock

import "github.com/stockmesh/stockmesh/internal/api"

// Kind is the kind of a stock movement.
type Kind string

// The movement kinds (spelled once, in internal/api, which the console
// client shares). TRANSFER_OUT and TRANSFER_IN are reserved for
// transfers between warehouses and cannot be recorded directly.
const (
	KindPurchase    Kind = api.KindPurchase
	KindSale        Kind = api.KindSale
	KindReturn      Kind = api.KindReturn
	KindAdjustment  Kind = api.KindAdjustment
	KindTransferOut Kind = api.KindTransferOut
	KindTransferIn  Kind = api.KindTransferIn
	// KindRelocation moves units between locations of a warehouse: its
	// quantity is the units moved, and it changes no stock.
	KindRelocation Kind = api.KindRelocation
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
	if k.takes() {
		return -q
	}
	if k == KindRelocation { // units move between locations; the stock stays
		return 0
	}
	return q
}

// Quantity returns the quantity a request of kind k gave for a movement
// that changed the stock by delta: Delta's inverse.
func (k Kind) Quantity(delta int64) int64 {
	if k.takes() {
		return -delta
	}
	return delta
}

// takes reports whether a movement of kind k takes units out of stock.
func (k Kind) takes() bool { return k == KindSale || k == KindTransferOut }
