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

// pageSize converts a page-size argument; out-of-range values are passed on
// for the domain to refuse.
func pageSize(first *int64) int {
	switch {
	case first == nil:
		return 0
	case *first > stock.MaxPageSize || *first < 0:
		return -1
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

// productConnection turns a page of products into a Relay connection.
func productConnection(p *stock.ProductPage, after string) *model.ProductConnection {
	if p == nil {
		return nil
	}
	c := &model.ProductConnection{Edges: make([]*model.ProductEdge, len(p.Products)), TotalCount: int64(p.Total)}
	for i := range p.Products {
		c.Edges[i] = &model.ProductEdge{Node: &p.Products[i], Cursor: stock.ProductCursor(p.Products[i].SKU)}
	}
	var start, end string
	if n := len(c.Edges); n > 0 {
		start, end = c.Edges[0].Cursor, c.Edges[n-1].Cursor
	}
	c.PageInfo = pageInfo(start, end, p.HasNext, after)
	return c
}

// movementConnection turns a page of movements into a Relay connection.
func movementConnection(p *stock.MovementPage, after string) *model.MovementConnection {
	if p == nil {
		return nil
	}
	c := &model.MovementConnection{Edges: make([]*model.MovementEdge, len(p.Movements))}
	for i := range p.Movements {
		c.Edges[i] = &model.MovementEdge{Node: &p.Movements[i], Cursor: stock.MovementCursor(p.Movements[i].Seq)}
	}
	var start, end string
	if n := len(c.Edges); n > 0 {
		start, end = c.Edges[0].Cursor, c.Edges[n-1].Cursor
	}
	c.PageInfo = pageInfo(start, end, p.HasNext, after)
	return c
}
