package stock

// Op names a job the database handler executes.
type Op string

// The jobs. Reads may run concurrently on WAL snapshots; writes run one
// after another in the single writer.
const (
	OpWarehouseInit  Op = "warehouse.init" // write: create or confirm the local warehouse
	OpWarehouseGet   Op = "warehouse.get"
	OpProductGet     Op = "product.get"
	OpProductList    Op = "product.list"
	OpMovementList   Op = "movement.list"
	OpProductCreate  Op = "product.create"
	OpProductUpdate  Op = "product.update"
	OpProductDelete  Op = "product.delete"
	OpMovementRecord Op = "movement.record"
	OpStockSet       Op = "stock.set"
	OpTokenLookup    Op = "token.lookup"
	OpTokenEnsure    Op = "token.ensure" // write: store a token hash if absent
)

// Writes reports whether op changes the database.
func (op Op) Writes() bool {
	switch op {
	case OpWarehouseInit, OpProductCreate, OpProductUpdate, OpProductDelete,
		OpMovementRecord, OpStockSet, OpTokenEnsure:
		return true
	}
	return false
}

// Job is the message Service sends over the queue; the fields an Op needs are
// set, the rest are empty. It travels as JSON.
type Job struct {
	Op        Op                  `json:"op"`
	Actor     string              `json:"actor,omitempty"`
	SKU       string              `json:"sku,omitempty"`
	Quantity  int64               `json:"quantity,omitempty"`
	Note      string              `json:"note,omitempty"`
	Create    *CreateProductInput `json:"create,omitempty"`
	Update    *UpdateProductInput `json:"update,omitempty"`
	Movement  *MovementInput      `json:"movement,omitempty"`
	Products  *ProductQuery       `json:"products,omitempty"`
	Movements *MovementQuery      `json:"movements,omitempty"`
	Warehouse *Warehouse          `json:"warehouse,omitempty"`
	Token     *Token              `json:"token,omitempty"`
}

// Reply is the database handler's answer to a Job: Err, or the result the Op
// produces.
type Reply struct {
	Err          *Error        `json:"err,omitempty"`
	Warehouse    *Warehouse    `json:"warehouse,omitempty"`
	Product      *Product      `json:"product,omitempty"`
	Movement     *Movement     `json:"movement,omitempty"`
	ProductPage  *ProductPage  `json:"productPage,omitempty"`
	MovementPage *MovementPage `json:"movementPage,omitempty"`
	Token        *Token        `json:"token,omitempty"`
}

// Token is an API token as stored: only its hash, with who it names and the
// role it grants.
type Token struct {
	Hash string `json:"hash"`
	Name string `json:"name"`
	Role string `json:"role"`
}
