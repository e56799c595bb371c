package console

import (
	"context"
	"strings"

	"github.com/stockmesh/stockmesh/client/remote"
)

// A warehouse may be named by its id as the node writes it (VLC-1), its
// id in another case (vlc-1) or its name (Valencia), as long as only one
// warehouse answers to it; anything else is refused with the warehouses
// it most likely meant, never guessed.

// warehouseMatch is what a warehouse typed by a person names: the one
// found (ok), or the candidates to suggest, which all answered to it when
// ambiguous.
type warehouseMatch struct {
	found     remote.Warehouse
	ok        bool
	ambiguous bool
	close     []remote.Warehouse
}

// matchWarehouse returns the warehouse of ws that text names: the one
// whose id is text, else the only one whose id or name equals text
// ignoring case. When several do, the match is ambiguous and lists them;
// when none does, it lists those whose id or name contains text (or the
// other way round) or is at most two edits from it.
func matchWarehouse(ws []remote.Warehouse, text string) warehouseMatch {
	text = strings.TrimSpace(text)
	for _, w := range ws {
		if w.ID == text {
			return warehouseMatch{found: w, ok: true}
		}
	}
	var m warehouseMatch
	for _, w := range ws {
		if strings.EqualFold(w.ID, text) || strings.EqualFold(strings.TrimSpace(w.Name), text) {
			m.close = append(m.close, w)
		}
	}
	switch {
	case len(m.close) == 1:
		return warehouseMatch{found: m.close[0], ok: true}
	case len(m.close) > 1:
		m.ambiguous = true
		return m
	}
	lower := strings.ToLower(text)
	for _, w := range ws {
		for _, s := range []string{strings.ToLower(w.ID), strings.ToLower(w.Name)} {
			if s != "" && lower != "" && (strings.Contains(s, lower) || strings.Contains(lower, s) || edits(s, lower) <= 2) {
				m.close = append(m.close, w)
				break
			}
		}
	}
	return m
}

// edits returns the Levenshtein distance between a and b, in runes.
func edits(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}

// warehouseLabel writes a warehouse as "VLC-1 (Valencia)", or its id alone
// when it has no other name.
func warehouseLabel(w remote.Warehouse) string {
	if w.Name == "" || w.Name == w.ID {
		return w.ID
	}
	return w.ID + " (" + w.Name + ")"
}

// labels joins the warehouses' labels with the language's "or".
func labels(p Printer, ws []remote.Warehouse) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = warehouseLabel(w)
	}
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + p.T(msgOr) + parts[len(parts)-1]
}

// warehouseID returns the id of the warehouse text names among those the
// node knows (see matchWarehouse), or a refusal that says what it might
// have meant.
func (a *app) warehouseID(ctx context.Context, c *remote.Client, text string) (string, error) {
	ws, err := c.Warehouses(ctx)
	if err != nil {
		return "", err
	}
	m := matchWarehouse(ws, text)
	switch {
	case m.ok:
		return m.found.ID, nil
	case m.ambiguous:
		return "", &refusal{a.p.T(msgWarehouseAmbiguous, text, labels(a.p, m.close))}
	case len(m.close) > 0:
		return "", &refusal{a.p.T(msgWarehouseDidYouMean, text, labels(a.p, m.close))}
	}
	return "", &refusal{a.p.T(msgWarehouseUnknown, text, labels(a.p, ws))}
}

// askWarehouse offers the warehouses other than the node's own that have
// not left the network, numbered, and returns the id of the one chosen.
func (a *app) askWarehouse(ctx context.Context, c *remote.Client) (string, error) {
	ws, err := c.Warehouses(ctx)
	if err != nil {
		return "", err
	}
	var ids, names []string
	for _, w := range ws {
		if !w.Local && !w.Departed {
			ids, names = append(ids, w.ID), append(names, warehouseLabel(w))
		}
	}
	if len(ids) == 0 {
		return "", &refusal{a.p.T(msgNoOtherWarehouse)}
	}
	k, err := a.prompts().Choice(ctx, a.p.T(msgFieldTo), names, -1)
	if err != nil {
		return "", err
	}
	return ids[k], nil
}
