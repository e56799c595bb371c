package console

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"

	"github.com/stockmesh/stockmesh/client/remote"
)

// setupProductAdd: product add --sku --name --price [--quantity --description --reorder].
func setupProductAdd(fs *flag.FlagSet) runFunc {
	sku := fs.String("sku", "", "product SKU")
	name := fs.String("name", "", "product name")
	desc := fs.String("description", "", "description")
	price := fs.String("price", "", "price such as 9.99")
	qty := fs.String("quantity", "", "initial quantity")
	reorder := fs.String("reorder", "", "reorder point")
	unit := fs.String("unit", "", "the base unit every quantity is in (default unit)")
	packs := fs.String("packs", "", "named packs of the base unit, such as box=12,tray=30")
	maxStock := fs.String("max", "", "maximum stock a replenishment plan brings it to (0: none)")
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args); err != nil {
			return err
		}
		if *sku == "" || *name == "" || *price == "" {
			return usageT(msgUsageProductAdd)
		}
		in := remote.NewProduct{SKU: *sku, Name: *name, Description: optString(*desc), Unit: *unit}
		var err error
		if in.Packs, err = packsArg(*packs); err != nil {
			return err
		}
		if in.Price, err = priceArg(a.p, *price); err != nil {
			return err
		}
		if in.InitialQuantity, err = optInt("quantity", *qty, 0); err != nil {
			return err
		}
		if in.ReorderPoint, err = optInt("reorder", *reorder, 0); err != nil {
			return err
		}
		if in.MaxStock, err = optInt("max", *maxStock, 0); err != nil {
			return err
		}
		return a.createProduct(ctx, in)
	}
}

// createProduct creates a product and shows it.
func (a *app) createProduct(ctx context.Context, in remote.NewProduct) error {
	c, err := a.node()
	if err != nil {
		return err
	}
	p, err := c.CreateProduct(ctx, in)
	if err != nil {
		return err
	}
	a.say(msgCreated, p.SKU)
	return a.showProduct(p)
}

// showProduct prints one product.
func (a *app) showProduct(p *remote.Product) error {
	return a.show(p, func(out io.Writer) { writeProduct(out, a.p, a.env.Terminal, p) })
}

// setupProductGet: product get SKU.
func setupProductGet(*flag.FlagSet) runFunc {
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args, "SKU"); err != nil {
			return err
		}
		c, err := a.node()
		if err != nil {
			return err
		}
		p, err := c.Product(ctx, args[0])
		if err != nil {
			return a.hintSKU(ctx, c, args[0], err)
		}
		return a.showProduct(p)
	}
}

// setupProductUpdate: product update SKU [--name --description --price --quantity --reorder --note].
func setupProductUpdate(fs *flag.FlagSet) runFunc {
	name := fs.String("name", "", "new name")
	desc := fs.String("description", "", "new description")
	price := fs.String("price", "", "new price")
	qty := fs.String("quantity", "", "new quantity (recorded as an adjustment)")
	reorder := fs.String("reorder", "", "new reorder point")
	maxStock := fs.String("max", "", "new maximum stock (0: none)")
	note := fs.String("note", "", "note for the adjustment")
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args, "SKU"); err != nil {
			return err
		}
		if !slices.ContainsFunc([]string{"name", "description", "price", "quantity", "reorder", "max"}, func(f string) bool { return isSet(fs, f) }) {
			return usagef("%s", a.p.T(msgNothingToUpdate, args[0]))
		}
		var in remote.ProductChanges
		if isSet(fs, "name") {
			in.Name = name
		}
		if isSet(fs, "description") {
			in.Description = desc
		}
		in.Note = optString(*note)
		var err error
		if *price != "" {
			p, err := priceArg(a.p, *price)
			if err != nil {
				return err
			}
			in.Price = &p
		}
		if in.Quantity, err = optInt("quantity", *qty, 0); err != nil {
			return err
		}
		if in.ReorderPoint, err = optInt("reorder", *reorder, 0); err != nil {
			return err
		}
		if in.MaxStock, err = optInt("max", *maxStock, 0); err != nil {
			return err
		}
		return a.updateProduct(ctx, args[0], in)
	}
}

// updateProduct changes a product and shows it.
func (a *app) updateProduct(ctx context.Context, sku string, in remote.ProductChanges) error {
	c, err := a.node()
	if err != nil {
		return err
	}
	p, err := c.UpdateProduct(ctx, sku, in)
	if err != nil {
		return a.hintSKU(ctx, c, sku, err)
	}
	a.say(msgUpdated, p.SKU)
	return a.showProduct(p)
}

// setupProductDelete: product delete SKU [--yes].
func setupProductDelete(fs *flag.FlagSet) runFunc {
	yes := fs.Bool("yes", false, "do not ask for confirmation")
	fs.BoolVar(yes, "y", false, "do not ask for confirmation")
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args, "SKU"); err != nil {
			return err
		}
		return a.deleteProduct(ctx, args[0], *yes)
	}
}

// deleteProduct asks for confirmation unless yes, deletes the product and
// shows its last state.
func (a *app) deleteProduct(ctx context.Context, sku string, yes bool) error {
	c, err := a.node()
	if err != nil {
		return err
	}
	if !yes {
		p, err := c.Product(ctx, sku)
		if err != nil {
			return a.hintSKU(ctx, c, sku, err)
		}
		ok, err := a.prompts().Confirm(ctx, a.p.T(msgConfirmDelete, p.SKU, p.Name, p.Quantity))
		if err != nil || !ok {
			return fmt.Errorf("deleting %s: %w", sku, errCancelled)
		}
	}
	p, err := c.DeleteProduct(ctx, sku)
	if err != nil {
		return a.hintSKU(ctx, c, sku, err)
	}
	a.say(msgDeleted, p.SKU)
	if a.json {
		return a.show(p, nil)
	}
	return nil
}

// setupProducts: products [--warehouse ID|all] [--search TEXT].
func setupProducts(fs *flag.FlagSet) runFunc {
	search := fs.String("search", "", "match sku, name or description")
	warehouse := fs.String("warehouse", "", `a warehouse the node holds (default: its own), or "all": every one, side by side`)
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args); err != nil {
			return err
		}
		if isAll(*warehouse) {
			return a.listCatalogue(ctx, *search)
		}
		return a.listProducts(ctx, *warehouse, *search)
	}
}

// listProducts shows every product of warehouse ("" for the node's own)
// matching search.
func (a *app) listProducts(ctx context.Context, warehouse, search string) error {
	c, err := a.node()
	if err != nil {
		return err
	}
	ps, err := c.Products(ctx, warehouse, search)
	if err != nil {
		return err
	}
	if ps == nil {
		ps = []remote.Product{}
	}
	return a.show(ps, func(out io.Writer) { writeProducts(out, a.p, a.env.Terminal, ps) })
}
