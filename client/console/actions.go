package console

import (
	"context"
	"strconv"

	"github.com/stockmesh/stockmesh/client/remote"
	"github.com/stockmesh/stockmesh/internal/api"
)

// actAdd is menu 1: prompt for a new product and create it.
func (a *app) actAdd(ctx context.Context) error {
	pr := a.prompts()
	var in remote.NewProduct
	c, err := a.node()
	if err != nil {
		return err
	}
	if in.SKU, err = a.askNewSKU(ctx, c); err != nil {
		return err
	}
	if in.Name, err = pr.Required(ctx, a.p.T(msgFieldName), ""); err != nil {
		return err
	}
	desc, err := pr.Text(ctx, a.p.T(msgFieldDescription), "")
	if err != nil {
		return err
	}
	in.Description = optString(desc)
	if in.Price, err = pr.Price(ctx, a.p.T(msgFieldPrice), ""); err != nil {
		return err
	}
	qty, err := pr.Int(ctx, a.p.T(msgFieldQuantity), "0", 0)
	if err != nil {
		return err
	}
	reorder, err := pr.Int(ctx, a.p.T(msgFieldReorderPoint), "0", 0)
	if err != nil {
		return err
	}
	in.InitialQuantity, in.ReorderPoint = &qty, &reorder
	return a.createProduct(ctx, in)
}

// actGet is menu 2: show one product.
func (a *app) actGet(ctx context.Context) error {
	sku, err := a.prompts().Required(ctx, a.p.T(msgFieldSKU), "")
	if err != nil {
		return err
	}
	c, err := a.node()
	if err != nil {
		return err
	}
	p, err := c.Product(ctx, sku)
	if err != nil {
		return a.hintSKU(ctx, c, sku, err)
	}
	return a.showProduct(p)
}

// actUpdateStock is menu 3: set a product's quantity, its current one as
// the default.
func (a *app) actUpdateStock(ctx context.Context) error {
	pr := a.prompts()
	sku, err := pr.Required(ctx, a.p.T(msgFieldSKU), "")
	if err != nil {
		return err
	}
	c, err := a.node()
	if err != nil {
		return err
	}
	p, err := c.Product(ctx, sku)
	if err != nil {
		return a.hintSKU(ctx, c, sku, err)
	}
	qty, err := pr.Int(ctx, a.p.T(msgFieldNewQuantity), strconv.Itoa(p.Quantity), 0)
	if err != nil {
		return err
	}
	note, err := pr.Text(ctx, a.p.T(msgFieldNote), "")
	if err != nil {
		return err
	}
	return a.setStock(ctx, sku, qty, note)
}

// actList is menu 4: list products, optionally filtered.
func (a *app) actList(ctx context.Context) error {
	search, err := a.prompts().Text(ctx, a.p.T(msgFieldSearch), "")
	if err != nil {
		return err
	}
	return a.listProducts(ctx, "", search)
}

// actDelete is menu 5: delete a product after confirmation.
func (a *app) actDelete(ctx context.Context) error {
	sku, err := a.prompts().Required(ctx, a.p.T(msgFieldSKU), "")
	if err != nil {
		return err
	}
	return a.deleteProduct(ctx, sku, false)
}

// actMove is menu 6: record a purchase, sale, return or adjustment.
func (a *app) actMove(ctx context.Context) error {
	pr := a.prompts()
	c, err := a.node()
	if err != nil {
		return err
	}
	p, err := a.askExistingSKU(ctx, c)
	if err != nil {
		return err
	}
	in := remote.NewMovement{SKU: p.SKU}
	kinds := []string{api.KindPurchase, api.KindSale, api.KindReturn, api.KindAdjustment}
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = kindName(a.p, k)
	}
	k, err := pr.Choice(ctx, a.p.T(msgFieldKind), names, 1)
	if err != nil {
		return err
	}
	in.Kind = kinds[k]
	if in.Quantity, err = a.askUnits(ctx, in.Kind); err != nil {
		return err
	}
	if in.Reference, in.Note, err = a.askReferenceAndNote(ctx, pr); err != nil {
		return err
	}
	return a.recordInMenu(ctx, c, in)
}

// askUnits asks for a movement's quantity: positive, or signed and non-zero
// for an adjustment.
func (a *app) askUnits(ctx context.Context, kind string) (int, error) {
	pr := a.prompts()
	if kind != api.KindAdjustment {
		return pr.Int(ctx, a.p.T(msgFieldAmount), "", 1)
	}
	return ask(ctx, pr, a.p.T(msgFieldSignedAmount), "", func(s string) (int, string) {
		n, problem := pr.checkInt(s, -1<<31)
		if problem == "" && n == 0 {
			return 0, pr.p.T(msgNotZero)
		}
		return n, problem
	})
}

// askReferenceAndNote asks for a movement's or transfer's optional
// reference and note; nil for an empty answer.
func (a *app) askReferenceAndNote(ctx context.Context, pr *Prompter) (ref, note *string, err error) {
	r, err := pr.Text(ctx, a.p.T(msgFieldReference), "")
	if err != nil {
		return nil, nil, err
	}
	n, err := pr.Text(ctx, a.p.T(msgFieldNote), "")
	if err != nil {
		return nil, nil, err
	}
	return optString(r), optString(n), nil
}
