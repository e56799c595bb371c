package console

import (
	"flag"
	"fmt"
	"io"
	"testing"
)

func TestParseCommandLine(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantWords string
		wantPos   string
		wantFlags string
	}{
		{name: "flags after args", args: []string{"move", "sale", "A1", "3", "--ref", "ORD-7"},
			wantWords: "[move sale]", wantPos: "[move sale A1 3]", wantFlags: "ref=ORD-7"},
		{name: "global flags first", args: []string{"--server", "https://x", "--json", "product", "get", "A1"},
			wantWords: "[product get]", wantPos: "[product get A1]", wantFlags: "json=true server=https://x"},
		{name: "negative adjustment", args: []string{"move", "adjustment", "A1", "-3", "--note", "-broken"},
			wantWords: "[move adjustment]", wantPos: "[move adjustment A1 -3]", wantFlags: "note=-broken"},
		{name: "equals form", args: []string{"history", "--sku=A1", "--first=5"},
			wantWords: "[history]", wantPos: "[history]", wantFlags: "first=5 sku=A1"},
		{name: "no args", args: nil, wantWords: "[]", wantPos: "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fmt.Sprint(findCommand(tt.args)); got != tt.wantWords {
				t.Errorf("findCommand = %s, want %s", got, tt.wantWords)
			}
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			var g globals
			g.register(fs)
			for _, name := range []string{"ref", "note", "sku", "first"} {
				fs.String(name, "", "")
			}
			pos, err := parseInterspersed(fs, tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(pos); got != tt.wantPos {
				t.Errorf("positional = %s, want %s", got, tt.wantPos)
			}
			flags := ""
			fs.Visit(func(f *flag.Flag) { flags += fmt.Sprintf(" %s=%s", f.Name, f.Value) })
			if len(flags) > 0 {
				flags = flags[1:]
			}
			if flags != tt.wantFlags {
				t.Errorf("flags %q, want %q", flags, tt.wantFlags)
			}
		})
	}
}

func TestParseKind(t *testing.T) {
	tests := []struct{ in, want string }{
		{"sale", "SALE"}, {"VENTA", "SALE"}, {"compra", "PURCHASE"}, {"devolución", "RETURN"},
		{"return", "RETURN"}, {"ajuste", "ADJUSTMENT"}, {"gift", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseKind(tt.in)
			if got != tt.want || ok != (tt.want != "") {
				t.Fatalf("ParseKind(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
			}
		})
	}
}
