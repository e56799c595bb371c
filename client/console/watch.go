package console

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/client/remote"
)

// setupWatch: watch [--sku SKU].
func setupWatch(fs *flag.FlagSet) runFunc {
	sku := fs.String("sku", "", "only this product")
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args); err != nil {
			return err
		}
		return a.watch(ctx, *sku)
	}
}

// watch shows live stock until ctx ends, "q" + Enter is typed, or the watch
// fails for good. Losing the node is not an error: the screen says
// reconnecting… and recovers by itself.
func (a *app) watch(ctx context.Context, sku string) error {
	c, err := a.node()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	quit := a.quitOnQ(ctx)
	events := c.Watch(ctx, remote.WatchScope{SKU: sku})
	defer func() {
		cancel()
		for range events { // let the watcher finish
		}
	}()
	screen := newWatchScreen(a.p, a.settings.Server)
	if !a.json {
		screen.render(a.env.Stdout, time.Now())
	}
	for {
		select {
		case <-quit:
			return nil
		case <-ctx.Done():
			return nil
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

// fillNames looks up the names of products that appeared after the snapshot.
func (a *app) fillNames(ctx context.Context, c *remote.Client, screen *watchScreen) {
	for _, sku := range screen.unnamed() {
		lctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		p, err := c.Product(lctx, sku)
		cancel()
		if err == nil {
			screen.name(sku, p.Name)
		} else if remote.Code(err) == remote.CodeNotFound {
			screen.name(sku, "—")
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

// watchJSON is the --json form of a watch event, one per line.
func watchJSON(ev remote.WatchEvent) map[string]any {
	switch ev.Kind {
	case remote.WatchSnapshot:
		ps := ev.Products
		if ps == nil {
			ps = []remote.Product{}
		}
		return map[string]any{"type": "snapshot", "products": ps}
	case remote.WatchChange:
		return map[string]any{"type": "change", "change": ev.Change}
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
