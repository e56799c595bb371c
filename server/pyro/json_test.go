package pyro

import (
	"errors"
	"math"
	"reflect"
	"testing"
)

func TestParseJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want any
	}{
		{"captured call", `{"object": "inventario.servicio", "method": "agregar_producto", "params": [1, "Tornillo", 100], "kwargs": {}}`,
			Dict{{"object", "inventario.servicio"}, {"method", "agregar_producto"},
				{"params", List{int64(1), "Tornillo", int64(100)}}, {"kwargs", Dict{}}}},
		{"int vs float", "[1, 1.0, 1e3, -2]", List{int64(1), 1.0, 1000.0, int64(-2)}},
		{"null kwargs", `{"kwargs": null}`, Dict{{"kwargs", nil}}},
		{"utf-8 and escapes", `"Tuerca ñ \u00f1 \"q\" \\"`, `Tuerca ñ ñ "q" \`},
		{"bools", "[true, false]", List{true, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseJSON([]byte(tc.in))
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parseJSON(%q) = %#v, %v; want %#v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestParseJSONErrors(t *testing.T) {
	deep := ""
	for range maxNesting + 1 {
		deep += "["
	}
	for _, tc := range []struct{ name, in string }{
		{"empty", ""},
		{"trailing", "1 2"},
		{"NaN", "NaN"},
		{"unclosed", `{"a": 1`},
		{"too deep", deep},
		{"bad literal", "tru"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if v, err := parseJSON([]byte(tc.in)); err == nil {
				t.Errorf("parseJSON(%q) = %#v, want an error", tc.in, v)
			}
		})
	}
}

func TestEncodeJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   any
		want string
	}{
		{"null", nil, "null"},
		{"product", productDict(Product{ID: "A-2", Name: "Tuerca ñ", Stock: 7}),
			`{"id": "A-2", "nombre": "Tuerca ñ", "stock": 7, "precio": "", "descripcion": ""}`},
		{"tuple and set as arrays", Tuple{Set{"a"}, Tuple{}}, `[["a"], []]`},
		{"whole float", 3.0, "3.0"},
		{"escapes", "q\"b\\n\n\x01<>&", `"q\"b\\n\n\u0001<>&"`},
		{"int key", Dict{{int64(1), true}}, `{"1": true}`},
		{"uri", URI{Object: "o", Host: "::1", Port: 1}, `{"__class__": "Pyro4.core.URI", "state": ["PYRO", "o", null, "::1", 1]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := encodeJSON(tc.in)
			if err != nil || string(got) != tc.want {
				t.Errorf("encodeJSON = %s, %v; want %s", got, err, tc.want)
			}
		})
	}
	for _, bad := range []any{math.NaN(), Dict{{Tuple{}, 1}}, struct{}{}} {
		if _, err := encodeJSON(bad); !errors.Is(err, ErrJSON) {
			t.Errorf("encodeJSON(%#v) = %v, want ErrJSON", bad, err)
		}
	}
}
