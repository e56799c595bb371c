package pyro

import (
	"errors"
	"math"
	"math/big"
	"reflect"
	"testing"
)

func TestParseSerpent(t *testing.T) {
	big1, _ := new(big.Int).SetString("1180591620717411303424", 10)
	for _, tc := range []struct {
		name string
		in   string
		want any
	}{
		{"captured call", "# serpent utf-8 python3.2\n('inventario.servicio','agregar_producto',(1,'Tornillo',100),{})",
			Tuple{"inventario.servicio", "agregar_producto", Tuple{int64(1), "Tornillo", int64(100)}, Dict{}}},
		{"None kwargs", "('o','__getattr__',('version',),None)", Tuple{"o", "__getattr__", Tuple{"version"}, nil}},
		{"utf-8", "'Tuerca ñ'", "Tuerca ñ"},
		{"double quotes", `"it's"`, "it's"},
		{"escapes", `'a\\b\'c\n\r\t\x41\u00f1\U0001F600\0\101\a\b\f\v'`, "a\\b'c\n\r\tAñ😀\x00A\a\b\f\v"},
		{"unknown escape kept", `'\d'`, `\d`},
		{"keywords", "(None,True,False)", Tuple{nil, true, false}},
		{"ints", "(0,-5,+3,- 7,9223372036854775807)", Tuple{int64(0), int64(-5), int64(3), int64(-7), int64(math.MaxInt64)}},
		{"big int", "1180591620717411303424", big1},
		{"floats", "(1.0,2.5,1e+16,1e-05,-0.5,.5)", Tuple{1.0, 2.5, 1e16, 1e-5, -0.5, 0.5}},
		{"inf", "(1e30000,-1e30000)", Tuple{math.Inf(1), math.Inf(-1)}},
		{"one-tuple", "(1,)", Tuple{int64(1)}},
		{"parenthesised", "(1)", int64(1)},
		{"empty tuple", "()", Tuple{}},
		{"list trailing comma", "[1,2,]", List{int64(1), int64(2)}},
		{"empty list", "[]", List{}},
		{"empty dict", "{}", Dict{}},
		{"dict", "{'a':1, 2:'b', (1,2):None,}", Dict{{"a", int64(1)}, {int64(2), "b"}, {Tuple{int64(1), int64(2)}, nil}}},
		{"set", "{'tag1','tag2'}", Set{"tag1", "tag2"}},
		{"single set", "{'x'}", Set{"x"}},
		{"whitespace and comments", " # c\n [ 1 , # two\n 2 ] \n", List{int64(1), int64(2)}},
		{"bytes dict", "{'data': 'AAE=', 'encoding': 'base64'}", Dict{{"data", "AAE="}, {"encoding", "base64"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseSerpent([]byte(tc.in))
			if err != nil {
				t.Fatalf("parseSerpent(%q): %v", tc.in, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parseSerpent(%q) = %#v, want %#v", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseSerpentErrors(t *testing.T) {
	deep := ""
	for range maxNesting + 1 {
		deep += "["
	}
	for _, tc := range []struct{ name, in string }{
		{"empty", ""},
		{"only comment", "# serpent utf-8 python3.2\n"},
		{"unterminated string", "'abc"},
		{"newline in string", "'a\nb'"},
		{"bad hex escape", `'\xZZ'`},
		{"surrogate escape", `'\ud800'`},
		{"complex", "(3.0+4.0j)"},
		{"name", "os"},
		{"call", "print('x')"},
		{"trailing data", "1 2"},
		{"unclosed list", "[1,2"},
		{"missing comma", "[1 2]"},
		{"dict missing value", "{'a':}"},
		{"mixed dict and set", "{'a':1,'b'}"},
		{"unhashable key", "{[1]:2}"},
		{"unhashable set item", "{1,[2]}"},
		{"leading zero", "007"},
		{"too deep", deep},
		{"invalid utf-8", "'\xff'"},
		{"lone sign", "-"},
		{"bad float", "1.2.3"},
		{"string prefix", "b'x'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if v, err := parseSerpent([]byte(tc.in)); !errors.Is(err, ErrSerpent) {
				t.Errorf("parseSerpent(%q) = %#v, %v; want ErrSerpent", tc.in, v, err)
			}
		})
	}
}

func TestEncodeSerpent(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   any
		want string
	}{
		{"None", nil, "None"},
		{"bools", Tuple{true, false}, "(True,False)"},
		{"one-tuple", Tuple{int64(1)}, "(1,)"},
		{"empty set", Set{}, "()"},
		{"set", Set{"a"}, "{'a'}"},
		{"whole float", 2.0, "2.0"},
		{"inf", math.Inf(-1), "-1e30000"},
		{"product", productDict(Product{ID: "1", Name: "Tornillo", Stock: 100, Price: "1.50"}),
			"{'id':'1','nombre':'Tornillo','stock':100,'precio':'1.50','descripcion':''}"},
		{"quotes and controls", "it's \\ \"x\"\n\x00\x7f\u2028ñ", `'it\'s \\ "x"\n\x00\x7f\u2028ñ'`},
		{"invalid utf-8", "a\xffb", "'a\ufffdb'"},
		{"uri", URI{Object: "inventario.servicio", Host: "127.0.0.1", Port: 9191},
			"{'__class__':'Pyro4.core.URI','state':('PYRO','inventario.servicio',None,'127.0.0.1',9191)}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := encodeSerpent(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if want := serpentHeader + tc.want; string(got) != want {
				t.Errorf("encodeSerpent = %q, want %q", got, want)
			}
		})
	}
	if _, err := encodeSerpent(struct{}{}); !errors.Is(err, ErrSerpent) {
		t.Errorf("encoding an unsupported type = %v, want ErrSerpent", err)
	}
}

// TestSerpentRoundTrip encodes values and parses them back.
func TestSerpentRoundTrip(t *testing.T) {
	for _, v := range []any{
		"tab\tquote'dq\"bs\\nl\nñ€😀\x01\u200b",
		Dict{{"k", List{int64(-1), 0.1, nil, Tuple{}, Set{"s"}}}},
		1e300, math.Copysign(0, -1), int64(math.MinInt64),
	} {
		b, err := encodeSerpent(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := parseSerpent(b)
		if err != nil || !reflect.DeepEqual(got, v) {
			t.Errorf("round trip of %#v = %#v, %v (text %q)", v, got, err, b)
		}
		if f, ok := v.(float64); ok && math.Signbit(f) != math.Signbit(got.(float64)) {
			t.Errorf("round trip of %v lost its sign (text %q)", f, b) // DeepEqual has -0 == 0
		}
	}
}
