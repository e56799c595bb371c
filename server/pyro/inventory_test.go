package pyro

import (
	"context"
	"log/slog"
	"math/big"
	"os/exec"
	"strings"
	"testing"
)

func TestInventoryArguments(t *testing.T) {
	huge, _ := new(big.Int).SetString("99999999999999999999", 10)
	inv := newMemInventory()
	inv.products["7"] = Product{ID: "7", Name: "x", Stock: 1}
	o := &inventoryObject{inv: inv, classify: classifyDouble, log: slog.New(slog.DiscardHandler)}
	for _, tc := range []struct {
		name      string
		method    string
		args      []any
		kwargs    Dict
		wantClass string
		wantMsg   string
	}{
		{"int id", "obtener_producto", []any{int64(7)}, nil, "", ""},
		{"str id", "obtener_producto", []any{"7"}, nil, "", ""},
		{"keyword id", "obtener_producto", nil, Dict{{"id", "7"}}, "", ""},
		{"float id", "obtener_producto", []any{7.0}, nil, pyValueError, "no float"},
		{"bool id", "obtener_producto", []any{true}, nil, pyValueError, "no bool"},
		{"None id", "eliminar_producto", []any{nil}, nil, pyValueError, "no None"},
		{"huge int id", "obtener_producto", []any{huge}, nil, pyKeyError, "producto 99999999999999999999 no encontrado"},
		{"negative stock", "actualizar_stock", []any{"7", int64(-1)}, nil, pyValueError, "no puede ser negativo"},
		{"float stock", "actualizar_stock", []any{"7", 2.0}, nil, pyValueError, "no float"},
		{"bool stock", "actualizar_stock", []any{"7", false}, nil, pyValueError, "no bool"},
		{"str stock", "agregar_producto", []any{"8", "n", "5"}, nil, pyValueError, "no str"},
		{"huge stock", "agregar_producto", []any{"8", "n", huge}, nil, pyValueError, "demasiado grande"},
		{"name not str", "agregar_producto", []any{"8", int64(5), int64(1)}, nil, pyValueError, "nombre"},
		{"domain invalid", "agregar_producto", []any{"", "n", int64(1)}, nil, pyValueError, "entrada inválida: adding"},
		{"duplicate", "agregar_producto", []any{int64(7), "n", int64(1)}, nil, pyValueError, "producto 7 ya existe"},
		{"internal", "agregar_producto", []any{"boom", "n", int64(1)}, nil, pyPyroError, "error interno"},
		{"missing arg", "actualizar_stock", []any{"7"}, nil, pyTypeError, "missing 1 required argument(s): 'nuevo_stock'"},
		{"extra arg", "listar_productos", []any{int64(1)}, nil, pyTypeError, "takes 0 positional arguments"},
		{"unknown kwarg", "obtener_producto", []any{"7"}, Dict{{"sku", "7"}}, pyTypeError, "unexpected keyword"},
		{"twice", "obtener_producto", []any{"7"}, Dict{{"id", "7"}}, pyTypeError, "multiple values"},
		{"unknown method", "vender", nil, nil, pyAttributeError, "vender"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := o.invoke(context.Background(), tc.method, tc.args, tc.kwargs)
			if tc.wantClass == "" {
				if err != nil {
					t.Fatalf("invoke: %v", err)
				}
				return
			}
			pe, ok := err.(*PyError)
			if !ok || pe.Class != tc.wantClass || !strings.Contains(pe.Message, tc.wantMsg) {
				t.Errorf("invoke error = %#v, want %s containing %q", err, tc.wantClass, tc.wantMsg)
			}
		})
	}
}

func TestParseURI(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want URI
		ok   bool
	}{
		{"PYRO:inventario.servicio@127.0.0.1:9091", URI{"inventario.servicio", "127.0.0.1", 9091}, true},
		{"pyro:x@[::1]:9090", URI{"x", "::1", 9090}, true},
		{"PYRO:a@b@host:1", URI{"a@b", "host", 1}, true},
		{"PYRONAME:inventario.servicio", URI{}, false},
		{"PYRO:@h:1", URI{}, false},
		{"PYRO:x@h", URI{}, false},
		{"PYRO:x@h:0", URI{}, false},
		{"PYRO:x@:1", URI{}, false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseURI(tc.in)
			if (err == nil) != tc.ok || got != tc.want {
				t.Errorf("ParseURI = %+v, %v", got, err)
			}
			if tc.ok && got.String() != strings.Replace(tc.in, "pyro:", "PYRO:", 1) {
				t.Errorf("String() = %s", got.String())
			}
		})
	}
}

// TestNoStorageDependencies keeps server/pyro away from the queue, ent and SQLite.
func TestNoStorageDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list failed, so the dependency check cannot run: %v", err)
	}
	for _, bad := range []string{"entgo.io/ent", "github.com/stockmesh/stockmesh/ent", "github.com/pebbe/zmq4", "github.com/mattn/go-sqlite3", "stockmesh/server/jobq", "stockmesh/server/store"} {
		if strings.Contains(string(out), bad) {
			t.Errorf("server/pyro depends on %s", bad)
		}
	}
}
