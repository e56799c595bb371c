package remote

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"syscall"

	"github.com/stockmesh/stockmesh/internal/api"
)

// ErrUnavailable reports that the node could not be reached, or answered that
// it is unavailable, after every retry.
var ErrUnavailable = errors.New("remote: node unreachable")

// ErrUntrusted reports that the node's certificate does not verify against the
// configured CA.
var ErrUntrusted = errors.New("remote: node certificate not trusted")

// Error is a GraphQL error returned by the node: a request it refused.
type Error struct {
	// Code is extensions.code, such as api.CodeNotFound; empty when the node gave none.
	Code string
	// Message is the node's message, meant for people.
	Message string
	// Path is the GraphQL path of the field that failed, if any.
	Path []any
	// Shortfall says what an INSUFFICIENT_STOCK refusal was short of; nil
	// for other errors and from nodes that do not send it.
	Shortfall *Shortfall
	// Warehouse names the warehouse an error is about when it is not the
	// node's own (NOT_FOUND: the node holds nothing of it; FORBIDDEN: only
	// its own node changes it), and Node that node's URL when known.
	Warehouse, Node string
	// TokenName and TokenRole name the token a FORBIDDEN refusal was for
	// and its role ("" from nodes that do not send them).
	TokenName, TokenRole string
	// NeededRole is the role a FORBIDDEN refusal for the token's role
	// needed ("" from older nodes and for other refusals).
	NeededRole string
	// Violation is the rule an INVALID_INPUT refusal's field broke, when
	// the node names one (nil from older nodes and for other refusals).
	Violation *Violation
	// Lot and ExpiresOn name the lot of an EXPIRED refusal.
	Lot, ExpiresOn string
}

// Shortfall is what a refused movement was short of, from the error's
// extensions: the sku, the units in stock and the units asked for.
type Shortfall struct {
	SKU       string
	InStock   int64
	Requested int64
	// Reserved is the units of the stock reservations hold, and Available
	// the rest (InStock from a node that predates reservations).
	Reserved  int64
	Available int64
}

// Error returns the node's message with its code.
func (e *Error) Error() string {
	if e.Code == "" {
		return "remote: " + e.Message
	}
	return fmt.Sprintf("remote: %s: %s", e.Code, e.Message)
}

// Code returns the GraphQL error code carried by err: the code of an *Error,
// api.CodeUnavailable for ErrUnavailable, and "" otherwise.
func Code(err error) string {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e.Code
	case errors.Is(err, ErrUnavailable):
		return api.CodeUnavailable
	}
	return ""
}

// UnknownWarehouse reports whether err is the node saying that it holds
// nothing of the warehouse a request named: api.CodeNotFound with
// Error.Warehouse set.
func UnknownWarehouse(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == api.CodeNotFound && e.Warehouse != ""
}

// gqlErrors is the errors array of a GraphQL response.
type gqlErrors []struct {
	Message    string `json:"message"`
	Path       []any  `json:"path"`
	Extensions struct {
		Code       string     `json:"code"`
		SKU        string     `json:"sku"`
		InStock    *int64     `json:"inStock"`
		Requested  *int64     `json:"requested"`
		Reserved   int64      `json:"reserved"`
		Available  *int64     `json:"available"`
		Warehouse  string     `json:"warehouse"`
		Node       string     `json:"node"`
		TokenName  string     `json:"tokenName"`
		TokenRole  string     `json:"tokenRole"`
		NeededRole string     `json:"neededRole"`
		Violation  *Violation `json:"violation"`
		Lot        string     `json:"lot"`
		ExpiresOn  string     `json:"expiresOn"`
	} `json:"extensions"`
}

// first returns the first error as an *Error, or nil when there is none.
func (es gqlErrors) first() error {
	if len(es) == 0 {
		return nil
	}
	x := es[0].Extensions
	e := &Error{Code: x.Code, Message: es[0].Message, Path: es[0].Path, Warehouse: x.Warehouse, Node: x.Node,
		TokenName: x.TokenName, TokenRole: x.TokenRole, NeededRole: x.NeededRole, Violation: x.Violation,
		Lot: x.Lot, ExpiresOn: x.ExpiresOn}
	if x.Code == api.CodeInsufficientStock && x.InStock != nil && x.Requested != nil {
		e.Shortfall = &Shortfall{SKU: x.SKU, InStock: *x.InStock, Requested: *x.Requested, Reserved: x.Reserved, Available: *x.InStock}
		if x.Available != nil {
			e.Shortfall.Available = *x.Available
		}
	}
	return e
}

// untrusted reports whether err is a certificate verification failure.
func untrusted(err error) bool {
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	return errors.As(err, &unknown) || errors.As(err, &hostname) ||
		errors.As(err, &invalid) || errors.As(err, &verify)
}

// notSent reports whether err happened before the request left the client
// (dialing), so that even a non-idempotent request may be sent again.
func notSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns) || errors.Is(err, syscall.ECONNREFUSED)
}

// canceled reports whether err comes from the caller's context.
func canceled(ctx context.Context, err error) bool {
	return ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded))
}
