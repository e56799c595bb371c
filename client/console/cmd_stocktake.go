package console

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/client/remote"
	"github.com/stockmesh/stockmesh/internal/api"
)

// setupStocktakeStart: stocktake start [--sku A,B] [--note N].
func setupStocktakeStart(fs *flag.FlagSet) runFunc {
	skus := fs.String("sku", "", "the skus to count, comma-separated (default: every live product)")
	note := fs.String("note", "", "note")
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args); err != nil {
			return err
		}
		var list []string
		for _, s := range strings.Split(*skus, ",") {
			if s = strings.TrimSpace(s); s != "" {
				list = append(list, s)
			}
		}
		c, err := a.node()
		if err != nil {
			return err
		}
		st, err := c.StartStocktake(ctx, list, *note)
		if err != nil {
			return err
		}
		a.say(msgStocktakeStarted, st.ID, FormatInt(a.p.Lang(), len(st.Lines)))
		return a.showStocktake(st)
	}
}

// setupStocktakeShow: stocktake show [ID] (no ID: the newest stocktakes).
func setupStocktakeShow(fs *flag.FlagSet) runFunc {
	first := fs.String("first", "20", "without ID: how many, newest first")
	return func(ctx context.Context, a *app, args []string) error {
		if len(args) > 1 {
			return usageT(msgUsageUnexpected, args[1])
		}
		c, err := a.node()
		if err != nil {
			return err
		}
		if len(args) == 1 {
			st, err := c.Stocktake(ctx, args[0])
			if err != nil {
				return err
			}
			return a.showStocktake(st)
		}
		n, err := intArg("--first", *first, 1)
		if err != nil {
			return err
		}
		ss, err := c.Stocktakes(ctx, "", "", n)
		if err != nil {
			return err
		}
		return a.show(ss, func(out io.Writer) {
			if len(ss) == 0 {
				fmt.Fprintln(out, a.p.T(msgNoStocktakes))
			}
			for i := range ss {
				fmt.Fprintln(out, stocktakeSummary(a.p, &ss[i]))
			}
		})
	}
}

// setupStocktakeEnd: stocktake finalize ID, or stocktake cancel ID.
func setupStocktakeEnd(finalize bool) func(*flag.FlagSet) runFunc {
	return func(*flag.FlagSet) runFunc {
		return func(ctx context.Context, a *app, args []string) error {
			if err := wantArgs(args, "ID"); err != nil {
				return err
			}
			c, err := a.node()
			if err != nil {
				return err
			}
			before, err := c.Stocktake(ctx, args[0])
			if err != nil {
				return err
			}
			end := c.CancelStocktake
			if finalize {
				end = c.FinalizeStocktake
			}
			st, err := end(ctx, args[0])
			switch {
			case err != nil:
				return err
			case before.Status != remote.StocktakeOpen:
				a.say(msgStocktakeEnded, st.ID, stocktakeStatusName(a.p, st.Status))
			case finalize:
				a.say(msgStocktakeFinalized, st.ID, formatAmount(a.p, st.VarianceValue))
			default:
				a.say(msgStocktakeCancelled, st.ID)
			}
			return a.showStocktake(st)
		}
	}
}

// setupCount: count [ID], for the floor: pick an open stocktake (or start
// one of every product), then a sku and what the shelf holds, one after
// another, until an empty sku or the end of the input.
func setupCount(*flag.FlagSet) runFunc {
	return func(ctx context.Context, a *app, args []string) error {
		if len(args) > 1 {
			return usageT(msgUsageUnexpected, args[1])
		}
		c, err := a.node()
		if err != nil {
			return err
		}
		id := ""
		if len(args) == 1 {
			id = args[0]
		} else if id, err = a.pickStocktake(ctx, c); err != nil {
			return err
		}
		return a.countLoop(ctx, c, id)
	}
}

// pickStocktake asks which open stocktake of the local warehouse to count,
// or starts one of every product.
func (a *app) pickStocktake(ctx context.Context, c *remote.Client) (string, error) {
	w, err := c.LocalWarehouse(ctx)
	if err != nil {
		return "", err
	}
	open, err := c.Stocktakes(ctx, remote.StocktakeOpen, w.ID, 20)
	if err != nil {
		return "", err
	}
	options := make([]string, 0, len(open)+1)
	for i := range open {
		options = append(options, a.p.T(msgStocktakeOption, open[i].ID, FormatTime(open[i].CreatedAt, time.Now()),
			FormatInt(a.p.Lang(), counted(open[i].Lines)), FormatInt(a.p.Lang(), len(open[i].Lines))))
	}
	options = append(options, a.p.T(msgStocktakeNew))
	k, err := a.prompts().Choice(ctx, a.p.T(msgStocktakePick), options, 0)
	if err != nil {
		return "", err
	}
	if k < len(open) {
		return open[k].ID, nil
	}
	st, err := c.StartStocktake(ctx, nil, "")
	if err != nil {
		return "", err
	}
	a.say(msgStocktakeStarted, st.ID, FormatInt(a.p.Lang(), len(st.Lines)))
	return st.ID, nil
}

// countLoop records counts of stocktake id until an empty sku or the end
// of the input. A sku the node does not know is said so (with the sku
// hint) and asked again; so is a refused count.
func (a *app) countLoop(ctx context.Context, c *remote.Client, id string) error {
	a.say(msgCountCounting, id)
	pr, n := a.prompts(), 0
	for {
		sku, err := pr.Text(ctx, a.p.T(msgFieldCountSKU), "")
		if errors.Is(err, io.EOF) || (err == nil && strings.TrimSpace(sku) == "") {
			a.say(msgCountDone, FormatInt(a.p.Lang(), n), id)
			return nil
		}
		if err != nil {
			return err
		}
		qty, err := pr.Int(ctx, a.p.T(msgFieldCounted), "", 0)
		if err != nil {
			return err
		}
		l, err := c.RecordCount(ctx, id, strings.TrimSpace(sku), qty)
		if err != nil {
			if remote.Code(err) == api.CodeUnauthenticated || remote.Code(err) == "" {
				return err
			}
			a.tell(Sentence(a.p, a.settings.Server, a.hintSKU(ctx, c, strings.TrimSpace(sku), err)))
			continue
		}
		n++
		a.tell(a.p.T(msgCountRecorded, l.SKU, FormatInt(a.p.Lang(), *l.Counted), FormatInt(a.p.Lang(), *l.Expected), signed(a.p, *l.Variance)))
	}
}

// counted returns how many lines are counted.
func counted(lines []remote.StocktakeLine) int {
	n := 0
	for _, l := range lines {
		if l.Counted != nil {
			n++
		}
	}
	return n
}

// signed formats n with its sign: +2, -1, 0.
func signed(p Printer, n int) string {
	if n > 0 {
		return "+" + FormatInt(p.Lang(), n)
	}
	return FormatInt(p.Lang(), n)
}

// formatAmount writes a decimal the node sent ("-9.99") in p's language.
func formatAmount(p Printer, s string) string {
	if p.Lang() == Spanish {
		return strings.ReplaceAll(s, ".", ",")
	}
	return s
}

// stocktakeStatusName names a stocktake's status in p's language.
func stocktakeStatusName(p Printer, status string) string {
	switch status {
	case remote.StocktakeOpen:
		return p.T(msgStocktakeOpenStatus)
	case remote.StocktakeFinalized:
		return p.T(msgStocktakeFinalizedStatus)
	case remote.StocktakeCancelled:
		return p.T(msgStocktakeCancelledStatus)
	}
	return status
}

// stocktakeSummary is one line about a stocktake.
func stocktakeSummary(p Printer, st *remote.Stocktake) string {
	return p.T(msgStocktakeSummary, st.ID, stocktakeStatusName(p, st.Status), FormatTime(st.CreatedAt, time.Now()),
		FormatInt(p.Lang(), counted(st.Lines)), FormatInt(p.Lang(), len(st.Lines)), formatAmount(p, st.VarianceValue))
}

// showStocktake prints a stocktake and its lines, or its JSON.
func (a *app) showStocktake(st *remote.Stocktake) error {
	return a.show(st, func(out io.Writer) {
		fmt.Fprintln(out, stocktakeSummary(a.p, st))
		t := newTable(a.p.T(msgColSKU), a.p.T(msgColSnapshot), a.p.T(msgColCounted), a.p.T(msgColExpected),
			a.p.T(msgColVariance), a.p.T(msgColCountedBy)).alignRight(1, 2, 3, 4)
		for _, l := range st.Lines {
			row := []string{l.SKU, FormatInt(a.p.Lang(), l.Snapshot), "", "", "", ""}
			if l.Counted != nil {
				row[2], row[3], row[4], row[5] = FormatInt(a.p.Lang(), *l.Counted), FormatInt(a.p.Lang(), *l.Expected),
					signed(a.p, *l.Variance), deref(l.CountedBy)
			}
			t.add(row...)
		}
		t.write(out, a.env.Terminal)
	})
}
