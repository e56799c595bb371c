// Package api holds the names the node's APIs put on the wire and its
// clients read back: the error codes (GraphQL's extensions.code, REST's
// code, Pyro4's exception choice), the movement kinds and the reasons of
// a replenishment suggestion. The domain
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
	// CodeExpired refuses to sell or send units only expired lots hold,
	// or an expired lot an operator named (an admin may, naming it).
	CodeExpired = "EXPIRED"
)

// The movement kinds (schema.graphql's MovementKind). A client records the
// first four; TRANSFER_OUT and TRANSFER_IN only transfers make, and
// RELOCATION only relocateStock (units between locations, no stock change).
const (
	KindPurchase    = "PURCHASE"
	KindSale        = "SALE"
	KindReturn      = "RETURN"
	KindAdjustment  = "ADJUSTMENT"
	KindTransferOut = "TRANSFER_OUT"
	KindTransferIn  = "TRANSFER_IN"
	KindRelocation  = "RELOCATION"
)

// The reasons of a replenishment plan's suggestion (schema.graphql's
// SuggestionReason).
const (
	ReasonBelowReorderPoint = "BELOW_REORDER_POINT"
	ReasonExpiringElsewhere = "EXPIRING_ELSEWHERE"
)

// The rules a Violation names, with the Violation fields each sets.
const (
	RuleEmpty      = "empty"       // the field is required
	RuleTooLong    = "tooLong"     // Max: the most characters (bytes) allowed
	RuleCharacters = "characters"  // Value holds spaces (a sku) or control characters
	RuleEncoding   = "encoding"    // not valid UTF-8, or U+FFFD
	RuleRange      = "range"       // Value is outside Min to Max
	RuleDecimal    = "decimal"     // Value is not a decimal amount with at most Max decimals
	RuleTooLarge   = "tooLarge"    // Value is too large an amount
	RuleWhole      = "wholeNumber" // Value is not a whole number
	RuleDuplicate  = "duplicate"   // Value is on line Line too
)

// Violation is the rule an INVALID_INPUT refusal's field broke and what a
// message about it names (GraphQL's extensions.violation, REST's
// violation), so that a client can say it in its own words and language.
type Violation struct {
	Field string `json:"field"`
	Rule  string `json:"rule"`
	Value string `json:"value,omitempty"`
	Min   int64  `json:"min,omitempty"`
	Max   int64  `json:"max,omitempty"`
	Line  int    `json:"line,omitempty"`
}
