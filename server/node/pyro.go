package node

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/pyro"
	"github.com/stockmesh/stockmesh/server/stock"
)

// pyroActor names Pyro4 clients on the movements they record: Pyro4
// carries no user identity, so every client is the one principal pyroActor
// with the role --pyro-role gives.
const pyroActor = "pyro4"

// inventory serves inventario.servicio over the stock service, so Pyro4
// changes go through the same queue, rules and feed as every other change.
// Its methods get the ctx startPyro gives srv.Run, which names pyroActor.
type inventory struct{ svc *stock.Service }

var _ pyro.Inventory = inventory{}

// AddProduct creates a product with a zero price; stock is its initial quantity.
func (i inventory) AddProduct(ctx context.Context, id, name string, qty int64) (pyro.Product, error) {
	p, err := i.svc.CreateProduct(ctx, stock.CreateProductInput{SKU: id, Name: name, InitialQuantity: qty})
	return pyroProduct(p), err
}

// GetProduct returns the product with sku id.
func (i inventory) GetProduct(ctx context.Context, id string) (pyro.Product, error) {
	p, err := i.svc.Product(ctx, stock.ProductRef{SKU: id})
	return pyroProduct(p), err
}

// SetStock sets the stock, recorded as an ADJUSTMENT of the difference
// (of zero when the stock was already right: the count is on record). It
// takes the writer's fast path, setStock, rather than a product update.
func (i inventory) SetStock(ctx context.Context, id string, qty int64) error {
	_, err := i.svc.SetStock(ctx, stock.StockCount{SKU: id, Quantity: qty, Note: "actualizar_stock (Pyro4)"})
	return err
}

// ListProducts returns every product, following the pages.
func (i inventory) ListProducts(ctx context.Context) ([]pyro.Product, error) {
	var out []pyro.Product
	q := stock.ProductQuery{First: stock.MaxPageSize}
	for {
		page, err := i.svc.Products(ctx, q)
		if err != nil {
			return nil, err
		}
		for k := range page.Products {
			out = append(out, pyroProduct(&page.Products[k]))
		}
		if !page.HasNext || len(page.Products) == 0 {
			return out, nil
		}
		q.After = stock.ProductCursor(page.Products[len(page.Products)-1].SKU)
	}
}

// DeleteProduct deletes the product with sku id.
func (i inventory) DeleteProduct(ctx context.Context, id string) error {
	_, err := i.svc.DeleteProduct(ctx, stock.ProductRef{SKU: id})
	return err
}

// pyroProduct converts p to its Pyro4 form; nil gives the zero Product.
func pyroProduct(p *stock.Product) pyro.Product {
	if p == nil {
		return pyro.Product{}
	}
	return pyro.Product{ID: p.SKU, Name: p.Name, Description: p.Description, Price: p.Price.String(), Stock: p.Quantity}
}

// startPyro listens for Pyro4 clients when cfg asks for it; the returned
// run serves them until its ctx is done (at once when Pyro4 is off).
func startPyro(cfg Config, svc *stock.Service) (run func(context.Context) error, err error) {
	role, err := auth.ParseRole(cfg.PyroRole)
	if err != nil {
		return nil, fmt.Errorf("checking --pyro-role (viewer, operator or admin): %w", err)
	}
	if cfg.Pyro == "" {
		if cfg.PyroNS != "" || cfg.PyroNSEmbedded != "" {
			return nil, errors.New("node: --pyro-ns and --pyro-ns-embedded need --pyro HOST:PORT")
		}
		return func(context.Context) error { return nil }, nil
	}
	var key []byte
	if cfg.PyroHMACKeyFile != "" {
		b, err := os.ReadFile(cfg.PyroHMACKeyFile)
		if err != nil {
			return nil, fmt.Errorf("reading --pyro-hmac-key-file: %w", err)
		}
		key = []byte(strings.TrimRight(string(b), "\r\n"))
	}
	srv, err := pyro.NewServer(pyro.Config{Listen: cfg.Pyro, NameServer: cfg.PyroNS, EmbeddedNS: cfg.PyroNSEmbedded,
		HMACKey: key, Classify: func(err error) string { return string(stock.CodeOf(err)) }, Logger: cfg.Logger}, inventory{svc})
	if err != nil {
		return nil, fmt.Errorf("starting Pyro4 service: %w", err)
	}
	return func(ctx context.Context) error {
		cfg.Logger.Info("serving Pyro4", "object", pyro.ObjectName, "addr", srv.Addr().String(),
			"name_server", cfg.PyroNS, "embedded_name_server", cfg.PyroNSEmbedded)
		ctx = stock.WithActor(auth.WithPrincipal(ctx, auth.Principal{Name: pyroActor, Role: role}), pyroActor)
		if err := srv.Run(ctx); err != nil {
			return fmt.Errorf("serving Pyro4: %w", err)
		}
		return nil
	}, nil
}
