package pyro

import (
	"context"
	"log/slog"
	"math/big"
	"strconv"
)

// ObjectName is the name inventario.servicio is registered under and its
// object id in the daemon.
const ObjectName = "inventario.servicio"

// Inventory is what inventario.servicio serves; the node adapts its
// stock.Service to it. Errors are classified by Config.Classify.
type Inventory interface {
	AddProduct(ctx context.Context, id, name string, stock int64) (Product, error)
	GetProduct(ctx context.Context, id string) (Product, error)
	// SetStock sets the stock of id, recording the difference in the ledger.
	SetStock(ctx context.Context, id string, stock int64) error
	ListProducts(ctx context.Context) ([]Product, error)
	DeleteProduct(ctx context.Context, id string) error
}

// Product is what the Python client sees as a dict: id, nombre, stock, plus
// harmless extras (precio as a string, descripcion).
type Product struct {
	ID, Name, Description, Price string
	Stock                        int64
}

// Error codes Config.Classify returns (those of the stock package).
const (
	CodeNotFound          = "NOT_FOUND"
	CodeAlreadyExists     = "ALREADY_EXISTS"
	CodeInvalidInput      = "INVALID_INPUT"
	CodeInsufficientStock = "INSUFFICIENT_STOCK"
	CodeUnavailable       = "UNAVAILABLE"
	CodeOutcomeUnknown    = "OUTCOME_UNKNOWN"
	CodeForbidden         = "FORBIDDEN"
	CodeExpired           = "EXPIRED"
)

// inventoryParams returns the parameters of an inventario.servicio method.
func inventoryParams(method string) ([]param, bool) {
	switch method {
	case "agregar_producto":
		return []param{{name: "id"}, {name: "nombre"}, {name: "stock"}}, true
	case "obtener_producto", "eliminar_producto":
		return []param{{name: "id"}}, true
	case "actualizar_stock":
		return []param{{name: "id"}, {name: "nuevo_stock"}}, true
	case "listar_productos":
		return nil, true
	}
	return nil, false
}

// inventoryObject adapts an Inventory to the Pyro method table.
type inventoryObject struct {
	inv      Inventory
	classify func(error) string
	log      *slog.Logger
}

var _ object = (*inventoryObject)(nil)

func (o *inventoryObject) methods() []string {
	return []string{"agregar_producto", "obtener_producto", "actualizar_stock", "listar_productos", "eliminar_producto"}
}

func (o *inventoryObject) invoke(ctx context.Context, method string, args []any, kwargs Dict) (any, error) {
	params, ok := inventoryParams(method)
	if !ok {
		return nil, pyErrorf(pyAttributeError, "remote object '%s' has no exposed attribute or method '%s'", ObjectName, method)
	}
	a, err := bind(method, params, args, kwargs)
	if err != nil {
		return nil, err
	}
	switch method {
	case "agregar_producto":
		return o.add(ctx, a[0], a[1], a[2])
	case "obtener_producto":
		return o.get(ctx, a[0])
	case "actualizar_stock":
		return o.setStock(ctx, a[0], a[1])
	case "listar_productos":
		return o.list(ctx)
	default:
		return o.delete(ctx, a[0])
	}
}

func (o *inventoryObject) add(ctx context.Context, rawID, rawName, rawStock any) (any, error) {
	id, err := productID(rawID)
	if err != nil {
		return nil, err
	}
	name, ok := rawName.(string)
	if !ok {
		return nil, invalidInput("el nombre debe ser un texto, no %s", pyTypeName(rawName))
	}
	n, err := stockValue(rawStock)
	if err != nil {
		return nil, err
	}
	_, err = o.inv.AddProduct(ctx, id, name, n)
	return nil, o.domainError(err, id)
}

func (o *inventoryObject) get(ctx context.Context, rawID any) (any, error) {
	id, err := productID(rawID)
	if err != nil {
		return nil, err
	}
	p, err := o.inv.GetProduct(ctx, id)
	if err != nil {
		return nil, o.domainError(err, id)
	}
	return productDict(p), nil
}

func (o *inventoryObject) setStock(ctx context.Context, rawID, rawStock any) (any, error) {
	id, err := productID(rawID)
	if err != nil {
		return nil, err
	}
	n, err := stockValue(rawStock)
	if err != nil {
		return nil, err
	}
	return nil, o.domainError(o.inv.SetStock(ctx, id, n), id)
}

func (o *inventoryObject) list(ctx context.Context) (any, error) {
	ps, err := o.inv.ListProducts(ctx)
	if err != nil {
		return nil, o.domainError(err, "")
	}
	out := make(List, len(ps))
	for i, p := range ps {
		out[i] = productDict(p)
	}
	return out, nil
}

func (o *inventoryObject) delete(ctx context.Context, rawID any) (any, error) {
	id, err := productID(rawID)
	if err != nil {
		return nil, err
	}
	return nil, o.domainError(o.inv.DeleteProduct(ctx, id), id)
}

// productDict is the dict a client receives for p. The id is the sku the
// product is stored under, always a str.
func productDict(p Product) Dict {
	return Dict{
		{"id", p.ID},
		{"nombre", p.Name},
		{"stock", p.Stock},
		{"precio", p.Price},
		{"descripcion", p.Description},
	}
}

// productID turns an id argument into a sku: an int becomes its decimal
// form, a str is kept; anything else is invalid input.
func productID(v any) (string, error) {
	switch t := v.(type) {
	case int64:
		return strconv.FormatInt(t, 10), nil
	case *big.Int:
		return t.String(), nil
	case string:
		return t, nil
	}
	return "", invalidInput("el id debe ser un entero o un texto, no %s", pyTypeName(v))
}

// stockValue checks a stock argument: a non-negative int (not bool, float
// or str) that fits in int64.
func stockValue(v any) (int64, error) {
	switch t := v.(type) {
	case int64:
		if t < 0 {
			return 0, invalidInput("el stock no puede ser negativo: %d", t)
		}
		return t, nil
	case *big.Int:
		return 0, invalidInput("el stock %s es demasiado grande", t)
	}
	return 0, invalidInput("el stock debe ser un entero, no %s", pyTypeName(v))
}

func invalidInput(format string, args ...any) *PyError {
	return pyErrorf(pyValueError, "entrada inválida: "+format, args...)
}

// pyTypeName names v's Python type for messages.
func pyTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "None"
	case bool:
		return "bool"
	case int64, *big.Int:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case Tuple:
		return "tuple"
	case List:
		return "list"
	case Set:
		return "set"
	case Dict:
		return "dict"
	}
	return "object"
}
