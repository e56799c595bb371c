package graph

import (
	"github.com/stockmesh/stockmesh/graph/model"
	"github.com/stockmesh/stockmesh/server/stock"
)

// deref returns *s, or "" for nil.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// pageSize passes a page-size argument on as sent (nil as 0); the domain
// applies the default and refuses what is out of range, for every API alike.
// The Int scalar has already kept it within 32 bits.
func pageSize(first *int64) int {
	if first == nil {
		return 0
	}
	return int(*first)
}

func pageInfo(start, end string, hasNext bool, after string) *model.PageInfo {
	pi := &model.PageInfo{HasNextPage: hasNext, HasPreviousPage: after != ""}
	if start != "" {
		pi.StartCursor, pi.EndCursor = &start, &end
	}
	return pi
}

// connection builds the edges of a page, each with its cursor, and the
// page's PageInfo.
func connection[T, E any](items []T, hasNext bool, after string, cursor func(*T) string, edge func(*T, string) *E) ([]*E, *model.PageInfo) {
	edges := make([]*E, len(items))
	var start, end string
	for i := range items {
		c := cursor(&items[i])
		edges[i] = edge(&items[i], c)
		if i == 0 {
			start = c
		}
		end = c
	}
	return edges, pageInfo(start, end, hasNext, after)
}

// productConnection turns a page of products into a Relay connection.
func productConnection(p *stock.ProductPage, after string) *model.ProductConnection {
	if p == nil {
		return nil
	}
	edges, info := connection(p.Products, p.HasNext, after,
		func(x *stock.Product) string { return stock.ProductCursor(x.SKU) },
		func(x *stock.Product, c string) *model.ProductEdge { return &model.ProductEdge{Node: x, Cursor: c} })
	return &model.ProductConnection{Edges: edges, PageInfo: info, TotalCount: int64(p.Total)}
}

// movementConnection turns a page of movements into a Relay connection.
func movementConnection(p *stock.MovementPage, after string) *model.MovementConnection {
	if p == nil {
		return nil
	}
	edges, info := connection(p.Movements, p.HasNext, after,
		stock.MovementCursor,
		func(x *stock.Movement, c string) *model.MovementEdge { return &model.MovementEdge{Node: x, Cursor: c} })
	return &model.MovementConnection{Edges: edges, PageInfo: info}
}
