package rest

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/stock"
)

// statusOf maps a domain error code to its HTTP status.
var statusOf = map[stock.Code]int{
	stock.CodeNotFound:          http.StatusNotFound,
	stock.CodeAlreadyExists:     http.StatusConflict,
	stock.CodeInsufficientStock: http.StatusConflict,
	stock.CodeExpired:           http.StatusConflict,
	stock.CodeInvalidInput:      http.StatusBadRequest,
	stock.CodeUnauthenticated:   http.StatusUnauthorized,
	stock.CodeForbidden:         http.StatusForbidden,
	stock.CodeUnavailable:       http.StatusServiceUnavailable,
	stock.CodeOutcomeUnknown:    http.StatusGatewayTimeout,
	stock.CodeInternal:          http.StatusInternalServerError,
}

// ErrorBody is the JSON of every REST error: {"error":{"code":…,"message":…}},
// plus "shortfall":{"sku","inStock","requested","reserved","available"} for INSUFFICIENT_STOCK and
// "elsewhere":{"warehouse","node"} for an error about another warehouse.
type ErrorBody struct {
	Error stock.Error `json:"error"`
}

// WriteError writes err as an ErrorBody with the status its code maps to;
// a body over the node's size limit (*http.MaxBytesError) is INVALID_INPUT
// with 413. Internal errors are shown as "internal error"; their detail is
// for logs.
func WriteError(w http.ResponseWriter, err error) {
	if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
		writeJSON(w, http.StatusRequestEntityTooLarge, ErrorBody{Error: stock.Error{Code: stock.CodeInvalidInput,
			Message: fmt.Sprintf("the request body is larger than %d bytes", mbe.Limit)}})
		return
	}
	code := stock.CodeOf(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="stockmesh"`)
	}
	if errors.Is(err, auth.ErrThrottled) {
		status = http.StatusTooManyRequests // the caller sets Retry-After
	}
	writeJSON(w, status, ErrorBody{Error: stock.Error{Code: code, Message: stock.Message(err), Shortfall: stock.ShortfallOf(err), Elsewhere: stock.ElsewhereOf(err),
		Needs: stock.NeedsOf(err), Violation: stock.ViolationOf(err),
		Lot: stock.LotOf(err)}})
}

// writeError logs internal errors once and writes err.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if stock.CodeOf(err) == stock.CodeInternal {
		h.log.ErrorContext(r.Context(), "rest request failed", "path", r.URL.Path, "err", err)
	}
	WriteError(w, err)
}
