package console

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stockmesh/stockmesh/client/remote"
	"github.com/stockmesh/stockmesh/internal/api"
)

func TestSentenceAndExitCode(t *testing.T) {
	wrap := func(code string) error {
		return fmt.Errorf("getting product A1: %w", &remote.Error{Code: code, Message: "sku: must not be empty"})
	}
	tests := []struct {
		name   string
		err    error
		en, es string
		exit   int
	}{
		{name: "not found", err: wrap(api.CodeNotFound), en: "Product not found.", es: "Producto no encontrado.", exit: 1},
		{name: "exists", err: wrap(api.CodeAlreadyExists), en: "A product with that SKU already exists.", es: "Ya existe un producto con ese SKU.", exit: 1},
		{name: "stock", err: wrap(api.CodeInsufficientStock), en: "Not enough stock for that.", es: "No hay existencias suficientes para eso.", exit: 1},
		{
			name: "stock with numbers",
			err: fmt.Errorf("recording sale: %w", &remote.Error{Code: api.CodeInsufficientStock, Message: "not enough stock of A1: 2 in stock, 5 requested",
				Shortfall: &remote.Shortfall{SKU: "A1", InStock: 2, Requested: 5}}),
			en: "Not enough stock of A1: 2 in stock, 5 requested.", es: "No hay existencias suficientes de A1: 2 en existencia, 5 solicitadas.", exit: 1,
		},
		{name: "invalid", err: wrap(api.CodeInvalidInput), en: "The node refused the data: sku: must not be empty",
			es: "El nodo rechazó los datos (su explicación, en inglés, con --lang en).", exit: 1},
		{name: "invalid, naming the rule broken", err: fmt.Errorf("adding: %w", &remote.Error{Code: api.CodeInvalidInput,
			Message: "name: longer than 200 characters", Violation: &remote.Violation{Field: "name", Rule: "tooLong", Max: 200}}),
			en: "The node refused the data: name is longer than 200 characters.", es: "El nodo rechazó los datos: nombre tiene más de 200 caracteres.", exit: 1},
		{name: "invalid, out of range", err: fmt.Errorf("recording: %w", &remote.Error{Code: api.CodeInvalidInput,
			Message: "quantity: 0 is out of range (1 to 1000000000)", Violation: &remote.Violation{Field: "quantity", Rule: "range", Value: "0", Min: 1, Max: 1_000_000_000}}),
			en: "The node refused the data: quantity: 0 is out of range (1 to 1,000,000,000).",
			es: "El nodo rechazó los datos: cantidad: 0 está fuera de rango (de 1 a 1.000.000.000).", exit: 1},
		{name: "invalid, a rule this console does not know", err: fmt.Errorf("x: %w", &remote.Error{Code: api.CodeInvalidInput,
			Message: "lot: expired", Violation: &remote.Violation{Field: "lot", Rule: "newer"}}),
			en: "The node refused the data: lot: expired", es: "El nodo rechazó los datos (su explicación, en inglés, con --lang en).", exit: 1},
		{name: "unauthenticated", err: wrap(api.CodeUnauthenticated), en: "Not allowed: the node did not accept the token.", es: "No permitido: el nodo no aceptó el token.", exit: 1},
		{name: "forbidden by an older node", err: wrap(api.CodeForbidden), en: "Not allowed: sku: must not be empty",
			es: "No permitido: este nodo no permite hacer esto con este token (su explicación, en inglés, con --lang en).", exit: 1},
		{name: "forbidden for the token's role", err: fmt.Errorf("recording: %w", &remote.Error{Code: api.CodeForbidden,
			Message: `this needs the operator role (or higher); "wall-screen" has the viewer role`, TokenName: "wall-screen", TokenRole: "viewer"}),
			en: `Not allowed: this needs the operator role (or higher); "wall-screen" has the viewer role`,
			es: "No permitido: el token «wall-screen» tiene el rol viewer (consulta), que no permite hacer esto (véase la tabla de roles del README).", exit: 1},
		{name: "forbidden for the token's role, naming the role needed", err: fmt.Errorf("recording: %w", &remote.Error{Code: api.CodeForbidden,
			Message: `this needs the operator role (or higher); "wall-screen" has the viewer role`, TokenName: "wall-screen", TokenRole: "viewer", NeededRole: "operator"}),
			en: `Not allowed: this needs the operator role (or higher); "wall-screen" has the viewer role`,
			es: "No permitido: esto necesita el rol operator (operador) (o uno superior); el token «wall-screen» tiene el rol viewer (consulta).", exit: 1},
		{name: "forbidden to an admin", err: fmt.Errorf("leaving: %w", &remote.Error{Code: api.CodeForbidden,
			Message: "this node left the network", TokenName: "ops", TokenRole: "admin"}),
			en: "Not allowed: this node left the network",
			es: "No permitido: este nodo no permite hacer esto con este token (su explicación, en inglés, con --lang en).", exit: 1},
		{name: "outcome unknown", err: wrap(api.CodeOutcomeUnknown), en: "The node could not confirm whether the change was saved; check before repeating it.",
			es: "El nodo no pudo confirmar si el cambio se guardó; compruébelo antes de repetirlo.", exit: 1},
		{name: "internal", err: wrap(api.CodeInternal), en: "The node had an internal error; try again later.", es: "El nodo tuvo un error interno; inténtelo más tarde.", exit: 1},
		{
			name: "unreachable", err: fmt.Errorf("listing: %w", remote.ErrUnavailable),
			en: "The node at https://n:8443 is unreachable; is it running?", es: "No se puede contactar con el nodo en https://n:8443; ¿está en marcha?", exit: 3,
		},
		{
			name: "node says unavailable", err: wrap(api.CodeUnavailable),
			en: "The node at https://n:8443 is unreachable; is it running?", es: "No se puede contactar con el nodo en https://n:8443; ¿está en marcha?", exit: 3,
		},
		{
			name: "untrusted", err: fmt.Errorf("x: %w", remote.ErrUntrusted),
			en: "The node's certificate is not signed by the configured CA; the connection was refused.", es: "El certificado del nodo no está firmado por la CA configurada; se rechazó la conexión.", exit: 3,
		},
		{name: "warehouse not held", err: fmt.Errorf("listing products: %w", &remote.Error{Code: api.CodeNotFound, Message: "warehouse BCN-1 is not known to this node", Warehouse: "BCN-1"}),
			en: "This node holds nothing of warehouse BCN-1.", es: "Este nodo no tiene nada del almacén BCN-1.", exit: 1},
		{name: "warehouse of another node", err: fmt.Errorf("setting stock: %w", &remote.Error{Code: api.CodeForbidden, Message: "warehouse BCN-1 belongs to node https://bcn:8443; …", Warehouse: "BCN-1", Node: "https://bcn:8443"}),
			en: "Warehouse BCN-1 belongs to the node at https://bcn:8443; make this change there.", es: "El almacén BCN-1 pertenece al nodo https://bcn:8443; haga este cambio allí.", exit: 1},
		{name: "warehouse of a node not known", err: fmt.Errorf("setting stock: %w", &remote.Error{Code: api.CodeForbidden, Message: "warehouse BCN-1 belongs to node of BCN-1; …", Warehouse: "BCN-1"}),
			en: "Warehouse BCN-1 belongs to another node; make this change there.", es: "El almacén BCN-1 pertenece a otro nodo; haga este cambio allí.", exit: 1},
		{name: "usage", err: usagef("missing SKU"), en: "missing SKU", es: "missing SKU", exit: 2},
		{name: "cancelled", err: fmt.Errorf("deleting: %w", errCancelled), en: "Cancelled; nothing was deleted.", es: "Cancelado; no se eliminó nada.", exit: 1},
		{name: "interrupted", err: context.Canceled, en: "Error: context canceled", es: "Error: context canceled", exit: 130},
		{name: "other", err: errors.New("boom"), en: "Error: boom", es: "Error: boom", exit: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sentence(NewPrinter(English), "https://n:8443", tt.err); got != tt.en {
				t.Errorf("English: %q, want %q", got, tt.en)
			}
			if got := Sentence(NewPrinter(Spanish), "https://n:8443", tt.err); got != tt.es {
				t.Errorf("Spanish: %q, want %q", got, tt.es)
			}
			if got := ExitCode(tt.err); got != tt.exit {
				t.Errorf("ExitCode = %d, want %d", got, tt.exit)
			}
		})
	}
}
