package console

import (
	"context"
	"errors"
	"fmt"

	"github.com/stockmesh/stockmesh/client/remote"
	"github.com/stockmesh/stockmesh/internal/api"
)

// The menu's data entry checks what it can as soon as it is typed, so that
// nothing typed after it is thrown away: the sku of a new product must be
// free, that of a movement must exist, and a refused sale may be corrected
// on the spot.

// askNewSKU asks for the sku of a new product until it names none that
// exists (Ctrl-C returns to the menu).
func (a *app) askNewSKU(ctx context.Context, c *remote.Client) (string, error) {
	for {
		sku, err := a.prompts().Required(ctx, a.p.T(msgFieldSKU), "")
		if err != nil {
			return "", err
		}
		p, err := c.Product(ctx, sku)
		switch {
		case remote.Code(err) == api.CodeNotFound:
			return sku, nil
		case err != nil:
			return "", err
		}
		a.tell(a.p.T(msgSKUExists, p.SKU, p.Name, FormatInt(a.p.Lang(), p.Quantity)))
	}
}

// askExistingSKU asks for the sku of a product until it names one that
// exists, and returns that product.
func (a *app) askExistingSKU(ctx context.Context, c *remote.Client) (*remote.Product, error) {
	for {
		sku, err := a.prompts().Required(ctx, a.p.T(msgFieldSKU), "")
		if err != nil {
			return nil, err
		}
		p, err := c.Product(ctx, sku)
		if err == nil {
			return p, nil
		}
		if err = a.hintSKU(ctx, c, sku, err); remote.Code(err) != api.CodeNotFound || remote.UnknownWarehouse(err) {
			return nil, err
		}
		a.tell(Sentence(a.p, a.settings.Server, err))
	}
}

// recordInMenu records in and shows it. A movement with a reference that
// was already recorded is recorded again only if the person says so; a
// sale beyond the stock may be corrected to fewer units.
func (a *app) recordInMenu(ctx context.Context, c *remote.Client, in remote.NewMovement) error {
	for {
		m, err := a.recordOnce(ctx, c, in)
		var repeated *errRepeated
		switch {
		case errors.As(err, &repeated):
			again, err := a.prompts().Confirm(ctx, a.p.T(msgRepeatAsk, repeatedWhat(a.p, repeated)...))
			if err != nil || !again {
				a.tell(a.p.T(msgRepeatKept))
				return err
			}
			in.IdempotencyKey = remote.NewIdempotencyKey()
			continue
		case remote.Code(err) == api.CodeInsufficientStock:
			units, ok, err2 := a.correctUnits(ctx, in, err)
			if err2 != nil || !ok {
				return err2
			}
			in.Quantity, in.IdempotencyKey = units, ""
			continue
		case err != nil:
			return err
		}
		return a.showMovement(m)
	}
}

// correctUnits shows why a movement was refused for want of stock and
// offers to change its units; it reports false when the person declines
// (the refusal already shown) or nothing would do (none in stock).
func (a *app) correctUnits(ctx context.Context, in remote.NewMovement, refusal error) (int, bool, error) {
	a.tell(Sentence(a.p, a.settings.Server, refusal))
	var re *remote.Error
	inStock := -1
	if errors.As(refusal, &re) && re.Shortfall != nil {
		inStock = int(re.Shortfall.InStock)
	}
	if inStock == 0 && in.Kind != api.KindAdjustment {
		return 0, false, nil
	}
	change, err := a.prompts().Confirm(ctx, a.p.T(msgOversaleRetry))
	if err != nil || !change {
		return 0, false, err
	}
	if in.Kind == api.KindAdjustment || inStock < 0 {
		units, err := a.askUnits(ctx, in.Kind)
		return units, err == nil, err
	}
	pr := a.prompts()
	units, err := ask(ctx, pr, a.p.T(msgNewUnits, FormatInt(a.p.Lang(), inStock)), "", func(s string) (int, string) {
		n, problem := pr.checkInt(s, 1)
		if problem == "" && n > inStock {
			return 0, a.p.T(msgBadMax, inStock)
		}
		return n, problem
	})
	return units, err == nil, err
}

// tell prints one line of the menu's conversation.
func (a *app) tell(line string) {
	fmt.Fprintln(a.env.Stdout, "  "+line)
}
