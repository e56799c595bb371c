package main

import (
	"regexp"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// TestMenuE2E drives the interactive menu in tmux: bad input re-prompts,
// actions answer with tables and sentences, deleting asks first, Ctrl-C in
// an action returns to the menu, and Ctrl-C at the menu exits.
func TestMenuE2E(t *testing.T) {
	node := testnode.Start(t)
	if r := runClient(t, node, "product", "add", "--sku", "A1", "--name", "Bolt M6", "--price", "9.99", "--quantity", "10"); r.code != 0 {
		t.Fatalf("adding A1: %+v", r)
	}
	s := startTmux(t, node)
	s.expect("Choose an option:")
	for _, want := range []string{"1  Add product", "3  Update stock", "8  Transfer to another warehouse", "10  Warehouses", "0  Exit"} {
		s.expect(want)
	}

	s.line("x")
	s.expect(`There is no option "x"`)

	// 3 Update stock: a letter where a number belongs re-prompts.
	s.line("3")
	s.expect("SKU:")
	s.line("A1")
	s.expect("New quantity [10]:")
	s.line("abc")
	s.expect(`"abc" is not a whole number`)
	s.expect("New quantity [10]:")
	s.line("25")
	s.expect("Note:")
	s.line("")
	s.expect("Stock of A1 is now 25.")
	s.expect("Choose an option:")

	// 1 Add product: a sku that exists is refused at once, then a bad
	// price and a bad quantity on the way.
	s.line("1")
	s.expect("SKU:")
	s.line("A1")
	s.expect("A product A1 already exists (Bolt M6, 25 in stock); choose another SKU.")
	s.expect("SKU:")
	s.line("B2")
	s.expect("Name:")
	s.line("Nut M6")
	s.expect("Description:")
	s.line("")
	s.expect("Price:")
	s.line("cheap")
	s.expect(`"cheap" is not a price`)
	s.line("0,25")
	s.expect(`"0,25" is ambiguous as a price`)
	s.line("0.25")
	s.expect("Quantity [0]:")
	s.line("five")
	s.expect(`"five" is not a whole number`)
	s.line("5")
	s.expect("Reorder point [0]:")
	s.line("")
	s.expect("Created B2.")

	// 6 Record a movement: an unknown sku is refused at once, with a hint
	// when it differs only in case; a sale beyond the stock is refused as
	// a sentence and may be corrected on the spot.
	s.line("6")
	s.expect("SKU:")
	s.line("b2")
	s.expect("No product b2; did you mean B2?")
	s.expect("SKU:")
	s.line("B2")
	s.expect("Kind [2]:")
	s.line("")
	s.expect("Units:")
	s.line("50")
	s.expect("Reference (order number):")
	s.line("ORD-9")
	s.expect("Note:")
	s.line("")
	s.expect("Not enough stock of B2: 5 in stock, 50 requested.")
	s.expect("Change the quantity? [y/N]:")
	s.line("y")
	s.expect("Units (at most 5):")
	s.line("6")
	s.expect("The number must be at most 5.")
	s.line("2")
	s.expect("Recorded. Stock of B2 is now 3.")

	// The same sale with the same reference asks before applying again.
	s.line("6")
	s.expect("SKU:")
	s.line("B2")
	s.expect("Kind [2]:")
	s.line("")
	s.expect("Units:")
	s.line("2")
	s.expect("Reference (order number):")
	s.line("ORD-9")
	s.expect("Note:")
	s.line("")
	s.expect("The sale of 2 × B2 with reference ORD-9 was already recorded (")
	s.expect("Record it again? [y/N]:")
	s.line("")
	s.expect("Not recorded again.")

	// 7 History, filtered as the command filters: one kind, one day (a
	// bad day re-prompts), every warehouse.
	today := time.Now().Format(time.DateOnly)
	s.line("7")
	s.expect("SKU:")
	s.line("B2")
	s.expect("7  transfer in")
	s.expect("Kind [1]:")
	s.line("3")
	s.expect("From day (2026-11-01; empty: from the first):")
	s.line("yesterday")
	s.expect(`"yesterday" is not a day`)
	s.line(today)
	s.expect("To day, included (empty: until now):")
	s.line(today)
	s.expect("1  every warehouse this node holds")
	s.expect("Warehouse [1]:")
	s.line("")
	s.expect("How many [20]:")
	s.line("")
	s.expect("ORD-9")
	s.expect("Choose an option:")

	// 2 Get a product that does not exist.
	s.line("2")
	s.expect("SKU:")
	s.line("ZZ")
	s.expect("Product not found.")

	// 5 Delete asks for confirmation; no keeps the product.
	s.line("5")
	s.expect("SKU:")
	s.line("B2")
	s.expect("Delete B2 (Nut M6, 3 in stock)? [y/N]:")
	s.line("n")
	s.expect("nothing was deleted")

	// 4 List products.
	s.line("4")
	s.expect("Search (empty for all):")
	s.line("")
	s.expect("Products: 2.")

	// 8 Transfers: the incoming ones (none on a node alone).
	s.line("8")
	s.expect("What to do [2]:")
	s.line("2")
	s.expect("No transfers.")

	// 9 Watch live stock, left with q + Enter.
	s.line("9")
	s.expect("SKU:")
	s.line("")
	s.expect("2  every warehouse this node holds")
	s.expect("Warehouse [1]:")
	s.line("2")
	s.expect("connected, 2 products")
	s.line("q")
	s.expect("Choose an option:")

	// Ctrl-C inside an action returns to the menu.
	s.line("2")
	s.expect("SKU:")
	s.send("C-c")
	s.expect("Interrupted; back to the menu.")
	s.expect("Choose an option:")

	// Ctrl-C at the menu exits.
	s.send("C-c")
	s.expect("Goodbye.")
	s.expect("[exit 0]")

	if r := runClient(t, node, "product", "get", "B2"); r.code != 0 || !regexp.MustCompile(`QUANTITY\s+3\n`).MatchString(r.stdout) {
		t.Fatalf("B2 should still exist with 3 after declining the delete and the repeat: %+v", r)
	}
}
