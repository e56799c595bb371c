package console

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

// runFunc runs a command with its positional arguments (after its words).
type runFunc func(ctx context.Context, a *app, args []string) error

// command is one subcommand: the words that name it and a setup that adds
// its flags to a FlagSet and returns how to run it.
type command struct {
	words []string
	// interruptible commands end on Ctrl-C (watch ends cleanly instead).
	interruptible bool
	setup         func(fs *flag.FlagSet) runFunc
}

// commands lists every subcommand.
func commands() []command {
	return []command{
		{words: []string{"product", "add"}, interruptible: true, setup: setupProductAdd},
		{words: []string{"product", "get"}, interruptible: true, setup: setupProductGet},
		{words: []string{"product", "update"}, interruptible: true, setup: setupProductUpdate},
		{words: []string{"product", "delete"}, interruptible: true, setup: setupProductDelete},
		{words: []string{"product", "history"}, interruptible: true, setup: setupProductHistory},
		{words: []string{"products"}, interruptible: true, setup: setupProducts},
		{words: []string{"stock", "set"}, interruptible: true, setup: setupStockSet},
		{words: []string{"stock", "levels"}, interruptible: true, setup: setupStockLevels},
		{words: []string{"move"}, interruptible: true, setup: setupMove},
		{words: []string{"history"}, interruptible: true, setup: setupHistory},
		{words: []string{"report"}, interruptible: true, setup: setupReport},
		{words: []string{"import"}, interruptible: true, setup: setupImport},
		{words: []string{"watch"}, interruptible: true, setup: setupWatch},
		{words: []string{"warehouses"}, interruptible: true, setup: setupWarehouses},
		{words: []string{"transfer"}, interruptible: true, setup: setupTransfer},
		{words: []string{"transfers"}, interruptible: true, setup: setupTransfers},
		{words: []string{"receive"}, interruptible: true, setup: setupReceive},
		{words: []string{"cancel"}, interruptible: true, setup: setupCancel},
		{words: []string{"reserve"}, interruptible: true, setup: setupReserve},
		{words: []string{"reservations"}, interruptible: true, setup: setupReservations},
		{words: []string{"release"}, interruptible: true, setup: setupRelease},
		{words: []string{"fulfil"}, interruptible: true, setup: setupFulfil},
		{words: []string{"who-has"}, interruptible: true, setup: setupWhoHas},
		{words: []string{"count"}, interruptible: true, setup: setupCount},
		{words: []string{"replenish"}, interruptible: true, setup: setupReplenish},
		{words: []string{"requests"}, interruptible: true, setup: setupRequests},
		{words: []string{"accept"}, interruptible: true, setup: setupAccept},
		{words: []string{"decline"}, interruptible: true, setup: setupDecline},
		{words: []string{"stocktake", "start"}, interruptible: true, setup: setupStocktakeStart},
		{words: []string{"stocktake", "show"}, interruptible: true, setup: setupStocktakeShow},
		{words: []string{"stocktake", "finalize"}, interruptible: true, setup: setupStocktakeEnd(true)},
		{words: []string{"stocktake", "cancel"}, interruptible: true, setup: setupStocktakeEnd(false)},
		{words: []string{"token", "create"}, interruptible: true, setup: setupTokenCreate},
		{words: []string{"token", "list"}, interruptible: true, setup: setupTokenList},
		{words: []string{"token", "revoke"}, interruptible: true, setup: setupTokenRevoke},
		{words: []string{"config", "init"}, setup: setupConfigInit},
		{words: []string{"lots"}, interruptible: true, setup: setupLots},
		{words: []string{"bins"}, interruptible: true, setup: setupBins},
		{words: []string{"bins", "add"}, interruptible: true, setup: setupBinAdd},
		{words: []string{"relocate"}, interruptible: true, setup: setupRelocate},
		{words: []string{"version"}, setup: func(*flag.FlagSet) runFunc { return runVersion }},
	}
}

// lookup finds the command named by the leading words.
func lookup(words []string) (command, bool) {
	for _, n := range []int{2, 1} {
		if len(words) < n {
			continue
		}
		for _, c := range commands() {
			if strings.Join(c.words, " ") == strings.Join(words[:n], " ") {
				return c, true
			}
		}
	}
	return command{}, false
}

// wantArgs checks that exactly the named positional arguments are present.
func wantArgs(args []string, names ...string) error {
	if len(args) < len(names) {
		return usageT(msgUsageMissing, strings.Join(names[len(args):], ", "))
	}
	if len(args) > len(names) {
		return usageT(msgUsageUnexpected, args[len(names)])
	}
	return nil
}

// intArg parses a number argument of at least min, naming it in errors.
func intArg(name, s string, min int) (int, error) {
	n, err := ParseInt(s)
	if err != nil {
		return 0, usageT(msgUsageNotWhole, name, s)
	}
	if n < min {
		return 0, usageT(msgUsageAtLeast, name, min)
	}
	return n, nil
}

// optInt parses an optional number flag; "" gives nil.
func optInt(name, s string, min int) (*int, error) {
	if s == "" {
		return nil, nil
	}
	n, err := intArg("--"+name, s, min)
	if err != nil {
		return nil, err
	}
	return &n, nil
}

// priceArg parses a price flag in p's language.
func priceArg(p Printer, s string) (string, error) {
	v, err := ParsePrice(p.Lang(), s)
	if err != nil {
		return "", usagef("%s", p.T(msgPriceFlag, priceProblem(p, s, err)))
	}
	return v, nil
}

// optString returns &s, or nil for "".
func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// isSet reports whether the flag name was given on the command line.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// runVersion prints the version.
func runVersion(_ context.Context, a *app, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	return a.show(map[string]string{"version": a.env.Version}, func(out io.Writer) {
		fmt.Fprintln(out, "stockmesh", a.env.Version)
	})
}
