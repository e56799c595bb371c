package store

import (
	"github.com/stockmesh/stockmesh/server/stock"
)

// importProducts creates or updates every row's product in the local
// warehouse. It runs in one savepoint (a slow write job), so a row that
// fails undoes the rows before it: the import applies whole or not at all.
func (b *batch) importProducts(im *stock.ProductImport) (*stock.ImportResult, error) {
	out := &stock.ImportResult{}
	for i := range im.Rows {
		r := &im.Rows[i]
		before, err := b.liveProduct(r.SKU)
		switch {
		case isNotFound(err):
			in := r.Create()
			_, err = b.createProduct(&in)
			out.Created++
		case err == nil:
			var after *stock.Product
			after, err = b.updateProduct(&stock.ProductUpdate{SKU: r.SKU, Update: r.Update()})
			if err == nil && after.Seq != before.Seq {
				out.Updated++
			} else {
				out.Unchanged++
			}
		}
		if err != nil {
			if e, ok := err.(*stock.Error); ok {
				return nil, stock.Errorf(e.Code, "line %d (%s): %s; nothing was imported", r.Line, r.SKU, e.Message)
			}
			return nil, err
		}
	}
	return out, nil
}
