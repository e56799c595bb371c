package node

import (
	"github.com/stockmesh/stockmesh/server/member"
	"github.com/stockmesh/stockmesh/server/stock"
)

// directory answers stock.Service.Warehouse from the membership net keeps
// in memory (stock.Service.Directory), so that a page of 500 movements of
// another warehouse costs no member list job per row. A warehouse from it
// carries what membership knows (no log epoch, which no caller of
// Warehouse reads).
func directory(net *member.Network) func(id string) (stock.Warehouse, bool) {
	return func(id string) (stock.Warehouse, bool) {
		w, ok := net.Warehouse(id)
		if !ok {
			return stock.Warehouse{}, false
		}
		return stock.Warehouse{ID: w.ID, Name: w.Name, Local: w.Local, URL: w.URL, HoldsCA: w.HoldsCA,
			DepartedAt: w.DepartedAt}, true
	}
}
