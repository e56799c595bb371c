// Package api holds the names the node's APIs put on the wire and its
// clients read back: the error codes (GraphQL's extensions.code, REST's
// code, Pyro4's exception choice) and the movement kinds. The domain
// (server/stock) gives its Code and Kind constants these values, the
// Pyro4 service and the console client (client/remote, client/console)
// use them as they are, so each name is spelled once. It imports nothing:
// the client, which may not depend on the server, shares it.
package api

// The error codes, as schema.graphql lists them.
const (
	CodeNotFound          = "NOT_FOUND"
	CodeAlreadyExists     = "ALREADY_EXISTS"
	CodeInsufficientStock = "INSUFFICIENT_STOCK"
	CodeInvalidInput      = "INVALID_INPUT"
	CodeUnauthenticated   = "UNAUTHENTICATED"
	CodeForbidden         = "FORBIDDEN"
	CodeUnavailable       = "UNAVAILABLE"
	// CodeOutcomeUnknown says a write may or may not have been applied:
	// repeat it only with the same idempotency key, or check first.
	CodeOutcomeUnknown = "OUTCOME_UNKNOWN"
	CodeInternal       = "INTERNAL"
)

// The movement kinds (schema.graphql's MovementKind). A client records the
// first four; TRANSFER_OUT and TRANSFER_IN only transfers make.
const (
	KindPurchase    = "PURCHASE"
	KindSale        = "SALE"
	KindReturn      = "RETURN"
	KindAdjustment  = "ADJUSTMENT"
	KindTransferOut = "TRANSFER_OUT"
	KindTransferIn  = "TRANSFER_IN"
)
