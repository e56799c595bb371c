package console

import (
	"context"
	"strings"

	"github.com/stockmesh/stockmesh/client/remote"
	"github.com/stockmesh/stockmesh/internal/api"
)

// skuHint is a NOT_FOUND refusal for a sku whose warehouse holds a
// product whose sku differs from it only in case: skus are
// case-sensitive, so "a1" is not "A1", but the person most likely meant
// it. It unwraps to the node's error, keeping its code and exit status.
type skuHint struct {
	sku, suggestion string
	err             error
}

// Error returns the node's error with the suggestion.
func (e *skuHint) Error() string { return e.err.Error() + "; did you mean " + e.suggestion + "?" }

// Unwrap returns the node's error.
func (e *skuHint) Unwrap() error { return e.err }

// hintSKU returns err, or, when err says the node's own warehouse has no
// product sku but has one whose sku differs only in case, a *skuHint
// naming it. The lookup is best effort: when it fails, err is returned.
func (a *app) hintSKU(ctx context.Context, c *remote.Client, sku string, err error) error {
	if remote.Code(err) != api.CodeNotFound || remote.UnknownWarehouse(err) || sku == "" {
		return err
	}
	ps, _, _, lerr := c.ProductPage(ctx, "", sku, 100, "") // search ignores case
	if lerr != nil {
		return err
	}
	for _, p := range ps {
		if p.SKU != sku && strings.EqualFold(p.SKU, sku) {
			return &skuHint{sku: sku, suggestion: p.SKU, err: err}
		}
	}
	return err
}
