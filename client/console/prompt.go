package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
)

// Prompter asks a person for values, one line at a time, and re-asks until
// the answer is valid. A single goroutine reads the input, so a prompt can be
// abandoned (its context cancelled) without losing the next line.
type Prompter struct {
	lines <-chan string
	done  chan struct{}
	out   io.Writer
	p     Printer
}

// NewPrompter reads lines from in and writes prompts to out. Call Close when
// done with it.
func NewPrompter(in io.Reader, out io.Writer, p Printer) *Prompter {
	lines := make(chan string)
	done := make(chan struct{})
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			select {
			case lines <- strings.TrimRight(sc.Text(), "\r"):
			case <-done:
				return
			}
		}
	}()
	return &Prompter{lines: lines, done: done, out: out, p: p}
}

// Close stops the reading goroutine once its current read returns.
func (pr *Prompter) Close() { close(pr.done) }

// Next returns the next input line, io.EOF at the end of the input, or
// ctx.Err() when ctx ends first.
func (pr *Prompter) Next(ctx context.Context) (string, error) {
	select {
	case line, ok := <-pr.lines:
		if !ok {
			return "", io.EOF
		}
		return line, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// ask shows label (with def in brackets when set), reads a line, and returns
// parse's value for it, or for def when the line is empty. When parse fails
// it prints its message and asks again.
func ask[T any](ctx context.Context, pr *Prompter, label, def string, parse func(string) (T, string)) (T, error) {
	for {
		if def != "" {
			fmt.Fprintf(pr.out, "%s [%s]: ", label, def)
		} else {
			fmt.Fprintf(pr.out, "%s: ", label)
		}
		line, err := pr.Next(ctx)
		if err != nil {
			fmt.Fprintln(pr.out)
			var zero T
			return zero, err
		}
		line = strings.TrimSpace(line)
		if line == "" {
			line = def
		}
		v, problem := parse(line)
		if problem == "" {
			return v, nil
		}
		fmt.Fprintln(pr.out, "  "+problem)
	}
}

// Text asks for optional free text; an empty answer gives def.
func (pr *Prompter) Text(ctx context.Context, label, def string) (string, error) {
	return ask(ctx, pr, label, def, func(s string) (string, string) { return s, "" })
}

// Required asks for text that may not be empty.
func (pr *Prompter) Required(ctx context.Context, label, def string) (string, error) {
	return ask(ctx, pr, label, def, func(s string) (string, string) {
		if s == "" {
			return "", pr.p.T(msgRequired)
		}
		return s, ""
	})
}

// Int asks for a whole number of at least min; def "" means no default.
func (pr *Prompter) Int(ctx context.Context, label, def string, min int) (int, error) {
	return ask(ctx, pr, label, def, func(s string) (int, string) {
		return pr.checkInt(s, min)
	})
}

// checkInt parses s as an int of at least min, or says what is wrong.
func (pr *Prompter) checkInt(s string, min int) (int, string) {
	if s == "" {
		return 0, pr.p.T(msgRequired)
	}
	n, err := ParseInt(s)
	if err != nil {
		return 0, pr.p.T(msgBadInt, s)
	}
	if n < min {
		return 0, pr.p.T(msgBadMin, min)
	}
	return n, ""
}

// Price asks for a price and returns it in Decimal form.
func (pr *Prompter) Price(ctx context.Context, label, def string) (string, error) {
	return ask(ctx, pr, label, def, func(s string) (string, string) {
		if s == "" {
			return "", pr.p.T(msgRequired)
		}
		v, err := ParsePrice(pr.p.Lang(), s)
		if err != nil {
			return "", priceProblem(pr.p, s, err)
		}
		return v, ""
	})
}

// Choice shows options numbered from 1 and returns the chosen index (0-based).
// def is the 0-based default, or -1 for none.
func (pr *Prompter) Choice(ctx context.Context, label string, options []string, def int) (int, error) {
	for i, o := range options {
		fmt.Fprintf(pr.out, "  %d  %s\n", i+1, o)
	}
	d := ""
	if def >= 0 {
		d = fmt.Sprint(def + 1)
	}
	return ask(ctx, pr, label, d, func(s string) (int, string) {
		n, err := ParseInt(s)
		if err != nil || n < 1 || n > len(options) {
			return 0, pr.p.T(msgBadChoice)
		}
		return n - 1, ""
	})
}

// Confirm asks a yes/no question whose default is no.
func (pr *Prompter) Confirm(ctx context.Context, question string) (bool, error) {
	return ask(ctx, pr, question, "", func(s string) (bool, string) {
		switch strings.ToLower(s) {
		case "y", "yes", "s", "si", "sí":
			return true, ""
		case "", "n", "no":
			return false, ""
		}
		return false, pr.p.T(msgBadYesNo)
	})
}
