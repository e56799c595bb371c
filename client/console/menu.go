package console

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// menuItem is one numbered entry of the interactive menu.
type menuItem struct {
	key   string
	label msg
	act   func(ctx context.Context) error // nil for Exit
}

// menuItems lists the menu in the exercise's order, then the weekly work
// of lots, replenishment and the requests to decide.
func (a *app) menuItems() []menuItem {
	return []menuItem{
		{"1", msgMenuAdd, a.actAdd},
		{"2", msgMenuGet, a.actGet},
		{"3", msgMenuUpdateStock, a.actUpdateStock},
		{"4", msgMenuList, a.actList},
		{"5", msgMenuDelete, a.actDelete},
		{"6", msgMenuMove, a.actMove},
		{"7", msgMenuHistory, a.actHistory},
		{"8", msgMenuTransfer, a.actTransfer},
		{"9", msgMenuWatch, a.actWatch},
		{"10", msgMenuWarehouses, a.warehouses},
		{"11", msgMenuLots, a.actLots},
		{"12", msgMenuReplenish, a.actReplenish},
		{"13", msgMenuRequests, a.actRequests},
		{"0", msgMenuExit, nil},
	}
}

// menu runs the interactive menu until Exit, end of input, or Ctrl-C at the
// menu prompt. Ctrl-C inside an action returns to the menu.
func (a *app) menu(ctx context.Context) int {
	items := a.menuItems()
	for {
		a.printMenu(items)
		mctx, stop := withInterrupt(ctx, a.env.Interrupts)
		choice, err := a.prompts().Text(mctx, a.p.T(msgMenuChoose), "")
		stop()
		if err != nil {
			fmt.Fprintln(a.env.Stdout, a.p.T(msgBye))
			return ExitOK
		}
		item, ok := findItem(items, strings.TrimSpace(choice))
		switch {
		case choice == "":
			continue
		case !ok:
			fmt.Fprintln(a.env.Stdout, a.p.T(msgMenuBadChoice, choice))
			continue
		case item.act == nil:
			fmt.Fprintln(a.env.Stdout, a.p.T(msgBye))
			return ExitOK
		}
		if a.runAction(ctx, item.act) {
			fmt.Fprintln(a.env.Stdout, a.p.T(msgBye))
			return ExitOK
		}
	}
}

// runAction runs one menu action with Ctrl-C cancelling it, prints its error
// as a sentence, and reports whether the menu should end (end of input).
func (a *app) runAction(ctx context.Context, act func(context.Context) error) bool {
	actx, stop := withInterrupt(ctx, a.env.Interrupts)
	err := act(actx)
	interrupted := actx.Err() != nil && ctx.Err() == nil
	stop()
	fmt.Fprintln(a.env.Stdout)
	switch {
	case interrupted:
		fmt.Fprintln(a.env.Stdout, a.p.T(msgInterrupted))
	case errors.Is(err, io.EOF):
		return true
	case err != nil:
		fmt.Fprintln(a.env.Stdout, "! "+a.sentence(err))
	}
	fmt.Fprintln(a.env.Stdout)
	return ctx.Err() != nil
}

// printMenu shows the numbered options.
func (a *app) printMenu(items []menuItem) {
	fmt.Fprintln(a.env.Stdout, style(a.env.Terminal, ansiBold, a.p.T(msgMenuTitle, a.settings.Server)))
	for _, it := range items {
		fmt.Fprintf(a.env.Stdout, "%3s  %s\n", it.key, a.p.T(it.label))
	}
}

// findItem returns the item whose key is choice.
func findItem(items []menuItem, choice string) (menuItem, bool) {
	choice = strings.TrimLeft(choice, "0")
	if choice == "" {
		choice = "0"
	}
	for _, it := range items {
		if it.key == choice {
			return it, true
		}
	}
	return menuItem{}, false
}
