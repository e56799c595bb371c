package console

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/client/remote"
	"github.com/stockmesh/stockmesh/internal/api"
)

// setupWatch: watch [--sku SKU] [--warehouse ID|all].
func setupWatch(fs *flag.FlagSet) runFunc {
	sku := fs.String("sku", "", "only this product")
	warehouse := fs.String("warehouse", "", `a warehouse the node holds, or "all" (default: its own)`)
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args); err != nil {
			return err
		}
		return a.watch(ctx, watchScope(*sku, *warehouse))
	}
}

// watchScope is what watch --sku sku --warehouse warehouse follows: the
// node's own warehouse for "", every warehouse the node holds for "all"
// (or "todos"), else the warehouse with that id.
func watchScope(sku, warehouse string) remote.WatchScope {
	warehouse = strings.TrimSpace(warehouse)
	switch strings.ToLower(warehouse) {
	case "all", "todos":
		return remote.WatchScope{SKU: sku, All: true}
	}
	return remote.WatchScope{SKU: sku, Warehouse: warehouse}
}

// watch shows the live stock of scope until ctx ends, "q" + Enter is typed,
// or the watch fails for good. Losing the node is not an error: the screen
// says reconnecting… and recovers by itself.
func (a *app) watch(ctx context.Context, scope remote.WatchScope) error {
	c, err := a.node()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	quit := a.quitOnQ(ctx)
	events := c.Watch(ctx, scope)
	defer func() {
		cancel()
		for range events { // let the watcher finish
		}
	}()
	screen := newWatchScreen(a.p, a.settings.Server, scope)
	if !a.json {
		screen.render(a.env.Stdout, time.Now())
	}
	tick := time.NewTicker(time.Second) // counts down to the next attempt
	defer tick.Stop()
	for {
		select {
		case <-quit:
			return nil
		case <-ctx.Done():
			return nil
		case now := <-tick.C:
			if !a.json && !screen.live {
				screen.render(a.env.Stdout, now)
			}
		case ev, ok := <-events:
			if !ok {
				return nil
			}
			if err := a.watchEvent(ctx, c, screen, ev); err != nil {
				return err
			}
		}
	}
}

// watchEvent shows one event, as JSON or on the screen.
func (a *app) watchEvent(ctx context.Context, c *remote.Client, screen *watchScreen, ev remote.WatchEvent) error {
	if a.json {
		if err := json.NewEncoder(a.env.Stdout).Encode(watchJSON(ev)); err != nil {
			return err
		}
	} else {
		screen.apply(ev)
		a.fillNames(ctx, c, screen)
		screen.render(a.env.Stdout, time.Now())
	}
	if ev.Kind == remote.WatchFailed {
		return ev.Err
	}
	return nil
}

// fillNames looks up, in their warehouses, the names of products that
// appeared after the snapshot.
func (a *app) fillNames(ctx context.Context, c *remote.Client, screen *watchScreen) {
	for _, k := range screen.unnamed() {
		lctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		p, err := c.ProductIn(lctx, k.warehouse, k.sku)
		cancel()
		if err == nil {
			screen.name(k, p.Name)
			screen.reorder(k, p.ReorderPoint)
		} else if remote.Code(err) == api.CodeNotFound {
			screen.name(k, "—")
		}
	}
}

// quitOnQ returns a channel closed when a line "q" is read.
func (a *app) quitOnQ(ctx context.Context) <-chan struct{} {
	quit := make(chan struct{})
	pr := a.prompts()
	go func() {
		for {
			line, err := pr.Next(ctx)
			if err != nil {
				return
			}
			switch strings.ToLower(strings.TrimSpace(line)) {
			case "q", "quit", "salir", "s":
				close(quit)
				return
			}
		}
	}()
	return quit
}

// watchJSON is the --json form of a watch event, one per line: a snapshot
// names the warehouses it covers and each product its warehouse; a change
// names its warehouse beside the change itself.
func watchJSON(ev remote.WatchEvent) map[string]any {
	switch ev.Kind {
	case remote.WatchSnapshot:
		ps, ws := ev.Products, ev.Warehouses
		if ps == nil {
			ps = []remote.Product{}
		}
		if ws == nil {
			ws = []string{}
		}
		return map[string]any{"type": "snapshot", "warehouses": ws, "products": ps}
	case remote.WatchChange:
		return map[string]any{"type": "change", "warehouse": ev.Change.Warehouse.ID, "change": ev.Change}
	case remote.WatchReorderPoint:
		return map[string]any{"type": "reorderPoint", "warehouse": ev.Point.Warehouse.ID, "sku": ev.Point.SKU, "reorderPoint": ev.Point.Point}
	case remote.WatchReconnecting:
		return map[string]any{"type": "reconnecting", "attempt": ev.Attempt, "waitMs": ev.Wait.Milliseconds(), "error": errString(ev.Err)}
	}
	return map[string]any{"type": "failed", "error": errString(ev.Err)}
}

// errString returns err's text, or "" for nil.
func errString(err error) string {
	if err == nil || errors.Is(err, context.Canceled) {
		return ""
	}
	return err.Error()
}
