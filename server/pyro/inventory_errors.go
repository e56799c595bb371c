package pyro

import (
	"context"
	"errors"

	"github.com/stockmesh/stockmesh/internal/api"
)

// domainError maps an Inventory error for product id to the exception the
// client receives. Unclassified errors are logged here, once, and shown as
// an internal error; the others carry user-safe messages.
func (o *inventoryObject) domainError(err error, id string) error {
	if err == nil {
		return nil
	}
	switch o.classify(err) {
	case api.CodeNotFound:
		return pyErrorf(pyKeyError, "producto %s no encontrado", id)
	case api.CodeAlreadyExists:
		return pyErrorf(pyValueError, "producto %s ya existe", id)
	case api.CodeInvalidInput:
		return invalidInput("%s", err.Error())
	case api.CodeInsufficientStock:
		return pyErrorf(pyValueError, "stock insuficiente para el producto %s", id)
	case api.CodeExpired: // a sale whose units only expired lots hold (lots are not named over Pyro4)
		return pyErrorf(pyValueError, "stock caducado para el producto %s: %s", id, err.Error())
	case api.CodeUnavailable:
		return pyErrorf(pyRuntimeError, "servicio no disponible, reintente más tarde")
	case api.CodeForbidden: // the role --pyro-role gives is not enough; the message names the one needed
		return pyErrorf(pyPermissionErr, "permiso denegado: %s", err.Error())
	case api.CodeOutcomeUnknown:
		return pyErrorf(pyRuntimeError, "no se pudo confirmar si el cambio se guardó; compruébelo antes de repetirlo")
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return pyErrorf(pyRuntimeError, "servicio no disponible, reintente más tarde")
	}
	o.log.Error("inventory call failed", "id", id, "err", err)
	return pyErrorf(pyPyroError, "error interno del servidor")
}
