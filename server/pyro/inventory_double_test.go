package pyro

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/stockmesh/stockmesh/internal/api"
)

// Sentinels of the in-memory Inventory double, classified like the domain's.
var (
	errNotFound  = errors.New("double: not found")
	errExists    = errors.New("double: already exists")
	errInvalid   = errors.New("double: invalid input")
	errBreakdown = errors.New("double: disk on fire")
)

// classifyDouble is the Classify function for memInventory's errors.
func classifyDouble(err error) string {
	switch {
	case errors.Is(err, errNotFound):
		return api.CodeNotFound
	case errors.Is(err, errExists):
		return api.CodeAlreadyExists
	case errors.Is(err, errInvalid):
		return api.CodeInvalidInput
	}
	return ""
}

// memInventory is an in-memory Inventory that also counts stock updates,
// standing in for the node's ledger.
type memInventory struct {
	mu       sync.Mutex
	products map[string]Product
	sets     int // SetStock calls that succeeded
}

var _ Inventory = (*memInventory)(nil)

func newMemInventory() *memInventory { return &memInventory{products: map[string]Product{}} }

func (m *memInventory) AddProduct(_ context.Context, id, name string, stock int64) (Product, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case id == "" || name == "":
		return Product{}, fmt.Errorf("adding %q: sku and name must not be empty: %w", id, errInvalid)
	case id == "boom":
		return Product{}, errBreakdown
	}
	if _, ok := m.products[id]; ok {
		return Product{}, fmt.Errorf("adding %s: %w", id, errExists)
	}
	p := Product{ID: id, Name: name, Stock: stock, Price: "0.00"}
	m.products[id] = p
	return p, nil
}

func (m *memInventory) GetProduct(_ context.Context, id string) (Product, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.products[id]
	if !ok {
		return Product{}, fmt.Errorf("getting %s: %w", id, errNotFound)
	}
	return p, nil
}

func (m *memInventory) SetStock(_ context.Context, id string, stock int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.products[id]
	if !ok {
		return fmt.Errorf("setting %s: %w", id, errNotFound)
	}
	p.Stock = stock
	m.products[id] = p
	m.sets++
	return nil
}

func (m *memInventory) ListProducts(context.Context) ([]Product, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Product, 0, len(m.products))
	for _, p := range m.products {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (m *memInventory) DeleteProduct(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.products[id]; !ok {
		return fmt.Errorf("deleting %s: %w", id, errNotFound)
	}
	delete(m.products, id)
	return nil
}

func (m *memInventory) stock(id string) (int64, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.products[id]
	return p.Stock, ok
}
