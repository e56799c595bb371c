package console

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestPrompts(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		lang    Lang
		ask     func(ctx context.Context, pr *Prompter) (any, error)
		want    any
		wantErr error
		// wantOut must appear in what the person saw (re-prompts).
		wantOut []string
	}{
		{
			name: "letter where a number belongs", input: "abc\n5\n",
			ask:  func(ctx context.Context, pr *Prompter) (any, error) { return pr.Int(ctx, "Quantity", "", 0) },
			want: 5, wantOut: []string{`"abc" is not a whole number`, "such as 12.\nQuantity: "},
		},
		{
			name: "below minimum", input: "-2\n0\n",
			ask:  func(ctx context.Context, pr *Prompter) (any, error) { return pr.Int(ctx, "Units", "", 0) },
			want: 0, wantOut: []string{"at least 0"},
		},
		{
			name: "default", input: "\n",
			ask:  func(ctx context.Context, pr *Prompter) (any, error) { return pr.Int(ctx, "Quantity", "12", 0) },
			want: 12, wantOut: []string{"Quantity [12]: "},
		},
		{
			name: "price refused until written the English way, as displayed", input: "nine\n9,99\n1,000\n1,000.50\n",
			ask:  func(ctx context.Context, pr *Prompter) (any, error) { return pr.Price(ctx, "Price", "") },
			want: "1000.50", wantOut: []string{`"nine" is not a price`, `"9,99" is ambiguous as a price`, `"1,000" is ambiguous`, "such as 1234.50 or 1,234.50"},
		},
		{
			name: "price refused until written the Spanish way", input: "9.99\n1.500\n1500\n", lang: Spanish,
			ask:  func(ctx context.Context, pr *Prompter) (any, error) { return pr.Price(ctx, "Precio", "") },
			want: "1500", wantOut: []string{`"9.99" es ambiguo como precio`, `"1.500" es ambiguo`, "por ejemplo 1234,50 o 1.234,50"},
		},
		{
			name: "required", input: "\n  \nA1\n",
			ask:  func(ctx context.Context, pr *Prompter) (any, error) { return pr.Required(ctx, "SKU", "") },
			want: "A1", wantOut: []string{"This field is required."},
		},
		{
			name: "choice out of range", input: "7\nx\n2\n",
			ask: func(ctx context.Context, pr *Prompter) (any, error) {
				return pr.Choice(ctx, "Kind", []string{"purchase", "sale"}, 0)
			},
			want: 1, wantOut: []string{"  2  sale", "Kind [1]: ", "Choose one of the numbers shown."},
		},
		{
			name: "confirm needs y or n", input: "maybe\ny\n",
			ask:  func(ctx context.Context, pr *Prompter) (any, error) { return pr.Confirm(ctx, "Delete?") },
			want: true, wantOut: []string{"Please answer y or n."},
		},
		{
			name: "confirm defaults to no", input: "\n",
			ask:  func(ctx context.Context, pr *Prompter) (any, error) { return pr.Confirm(ctx, "Delete?") },
			want: false,
		},
		{
			name: "end of input", input: "abc\n",
			ask:     func(ctx context.Context, pr *Prompter) (any, error) { return pr.Int(ctx, "Quantity", "", 0) },
			wantErr: io.EOF,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			pr := NewPrompter(strings.NewReader(tt.input), &out, NewPrinter(tt.lang))
			defer pr.Close()
			got, err := tt.ask(context.Background(), pr)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && got != tt.want) {
				t.Fatalf("got %v, %v; want %v, %v", got, err, tt.want, tt.wantErr)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output %q lacks %q", out.String(), w)
				}
			}
		})
	}
}

func TestPromptCancelKeepsNextLine(t *testing.T) {
	in, w := io.Pipe()
	defer w.Close()
	pr := NewPrompter(in, io.Discard, NewPrinter(English))
	defer pr.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // Ctrl-C while waiting
	if _, err := pr.Text(ctx, "SKU", ""); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	go w.Write([]byte("A1\n"))
	got, err := pr.Text(context.Background(), "SKU", "")
	if err != nil || got != "A1" {
		t.Fatalf("next prompt got %q, %v; want A1", got, err)
	}
}
