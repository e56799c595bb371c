// Package stock is the inventory domain of a stockmesh node: products, the
// immutable movement ledger, the rules that keep stock equal to its ledger,
// and Service, which validates requests, sends them as jobs over the node's
// queue to the database handler and decodes the replies.
//
// Every error the package returns carries a Code that the API layers map to
// their wire formats in one place each (GraphQL extensions.code, REST JSON,
// Pyro4 exceptions). Messages of *Error values are safe to show to users.
package stock

import (
	"errors"
	"fmt"

	"github.com/stockmesh/stockmesh/internal/api"
)

// Code classifies a domain error for API clients.
type Code string

// The codes clients see in extensions.code and REST error bodies, spelled
// once, in internal/api, which the console client shares.
const (
	CodeNotFound          Code = api.CodeNotFound
	CodeAlreadyExists     Code = api.CodeAlreadyExists
	CodeInsufficientStock Code = api.CodeInsufficientStock
	CodeInvalidInput      Code = api.CodeInvalidInput
	CodeUnauthenticated   Code = api.CodeUnauthenticated
	CodeForbidden         Code = api.CodeForbidden
	CodeUnavailable       Code = api.CodeUnavailable
	// CodeOutcomeUnknown says a write may or may not have been applied: it
	// reached the database handler, which did not answer in time, and the
	// node could not find out afterwards. Retry it only with the same
	// idempotency key, or check first.
	CodeOutcomeUnknown Code = api.CodeOutcomeUnknown
	CodeInternal       Code = api.CodeInternal
	// CodeExpired refuses to sell or send units of an expired lot (an
	// admin may, naming the lot).
	CodeExpired Code = api.CodeExpired
)

// Error is a domain error with a code and a message safe to show to users.
// errors.Is matches a target without a Reason by code, so
// errors.Is(err, ErrNotFound) holds for any not-found error, and a target
// with one by code and Reason, so errors.Is(err, ErrEpoch) holds only for
// an epoch refusal, never for other INVALID_INPUT errors.
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
	// Reason narrows Code for the errors callers must tell apart from
	// others of the same code (ErrEpoch, ErrInvalidEntry, ErrNoWarehouse);
	// "" for most. It crosses the queue with the error, so errors.Is works
	// on a decoded reply as on the error the store returned.
	Reason string `json:"reason,omitempty"`
	// Shortfall details an INSUFFICIENT_STOCK error, so that clients can
	// say in their own words (and language) what was missing; nil otherwise.
	Shortfall *Shortfall `json:"shortfall,omitempty"`
	// Elsewhere details an error about a warehouse other than the node's
	// own (one it does not hold, or a change it may not make); nil
	// otherwise.
	Elsewhere *Elsewhere `json:"elsewhere,omitempty"`
	// Lot names the expired lot of an EXPIRED refusal; nil otherwise.
	Lot *LotInput `json:"lot,omitempty"`
	// Needs is the role a FORBIDDEN refusal of the caller's role needed,
	// so that clients can name it in their own words (and language); ""
	// otherwise.
	Needs string `json:"needs,omitempty"`
	// Violation names the rule an INVALID_INPUT error's field broke, so
	// that clients can say it in their own words (and language); nil for
	// errors that name no such rule.
	Violation *Violation `json:"violation,omitempty"`
}

// The rules a Violation names (see internal/api).
const (
	RuleEmpty      = api.RuleEmpty
	RuleTooLong    = api.RuleTooLong
	RuleCharacters = api.RuleCharacters
	RuleEncoding   = api.RuleEncoding
	RuleRange      = api.RuleRange
	RuleDecimal    = api.RuleDecimal
	RuleTooLarge   = api.RuleTooLarge
	RuleWhole      = api.RuleWhole
	RuleDuplicate  = api.RuleDuplicate
)

// Violation is the rule a field broke and what a message about it names.
type Violation = api.Violation

// Elsewhere names the warehouse an error is about and, for a change
// refused because another node owns it, that node's URL ("" when unknown).
type Elsewhere struct {
	Warehouse string `json:"warehouse"`
	Node      string `json:"node,omitempty"`
}

// Shortfall is what an INSUFFICIENT_STOCK error was short of: the sku, the
// stock it had, the units the refused movement asked for, and of the stock
// the units reservations held and those left available to it.
type Shortfall struct {
	SKU       string `json:"sku"`
	InStock   int64  `json:"inStock"`
	Requested int64  `json:"requested"`
	Reserved  int64  `json:"reserved"`
	Available int64  `json:"available"`
}

// Sentinels for errors.Is; their messages are generic, the errors the
// package returns carry specific ones.
var (
	ErrNotFound          = &Error{Code: CodeNotFound, Message: "stock: not found"}
	ErrAlreadyExists     = &Error{Code: CodeAlreadyExists, Message: "stock: already exists"}
	ErrInsufficientStock = &Error{Code: CodeInsufficientStock, Message: "stock: insufficient stock"}
	ErrInvalidInput      = &Error{Code: CodeInvalidInput, Message: "stock: invalid input"}
	ErrUnauthenticated   = &Error{Code: CodeUnauthenticated, Message: "stock: unauthenticated"}
	ErrForbidden         = &Error{Code: CodeForbidden, Message: "stock: forbidden"}
	ErrUnavailable       = &Error{Code: CodeUnavailable, Message: "stock: unavailable"}
	ErrInternal          = &Error{Code: CodeInternal, Message: "stock: internal error"}
	ErrOutcomeUnknown    = &Error{Code: CodeOutcomeUnknown, Message: "stock: outcome unknown"}
	ErrExpired           = &Error{Code: CodeExpired, Message: "stock: lot expired"}
)

// ErrNoWarehouse answers every job that needs the local warehouse before
// it was set up.
var ErrNoWarehouse = &Error{Code: CodeUnavailable, Reason: "no-warehouse", Message: "the local warehouse is not set up yet"}

// ErrNoReply is what a Queue returns (wrapped) when it sent a job but got
// no reply: the job may or may not have run. Any other Queue error means
// the job did not run.
var ErrNoReply = errors.New("stock: job sent, no reply")

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Is reports whether target is an *Error with the same code and, when
// target has a Reason, the same Reason: a generic sentinel (ErrInvalidInput)
// matches every error of its code, a specific one (ErrEpoch) only its own.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && (t.Reason == "" || t.Reason == e.Reason)
}

// Errorf returns an *Error with code c and a formatted message.
func Errorf(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Message: fmt.Sprintf(format, args...)}
}

// invalid returns an INVALID_INPUT error naming the field at fault.
func invalid(field, format string, args ...any) *Error {
	return &Error{Code: CodeInvalidInput, Message: field + ": " + fmt.Sprintf(format, args...)}
}

// violated returns the INVALID_INPUT error of v, its message the field
// and the formatted words.
func violated(v Violation, format string, args ...any) *Error {
	e := invalid(v.Field, format, args...)
	e.Violation = &v
	return e
}

// ViolationOf returns the Violation of the first *Error in err's chain,
// or nil.
func ViolationOf(err error) *Violation {
	var e *Error
	if errors.As(err, &e) {
		return e.Violation
	}
	return nil
}

// ShortfallOf returns the Shortfall of the first *Error in err's chain, or nil.
func ShortfallOf(err error) *Shortfall {
	var e *Error
	if errors.As(err, &e) {
		return e.Shortfall
	}
	return nil
}

// NeedsOf returns the role the first *Error in err's chain says was
// needed, or "".
func NeedsOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Needs
	}
	return ""
}

// LotOf returns the expired lot the first *Error in err's chain names, or
// nil.
func LotOf(err error) *LotInput {
	var e *Error
	if errors.As(err, &e) {
		return e.Lot
	}
	return nil
}

// ElsewhereOf returns the Elsewhere of the first *Error in err's chain, or nil.
func ElsewhereOf(err error) *Elsewhere {
	var e *Error
	if errors.As(err, &e) {
		return e.Elsewhere
	}
	return nil
}

// CodeOf returns the code of the first *Error in err's chain, or CodeInternal
// when err carries none (nil gives "").
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// Message returns the user-safe message of err: that of its *Error, or
// "internal error" for anything else, whose details belong in logs only.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != CodeInternal {
		return e.Message
	}
	return "internal error"
}
