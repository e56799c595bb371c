package store

import (
	"errors"

	"github.com/stockmesh/stockmesh/server/stock"
)

// errNoWarehouse answers jobs that need the local warehouse before
// warehouse.init created it.
var errNoWarehouse = stock.Errorf(stock.CodeUnavailable, "the local warehouse is not set up yet")

// internalReply answers a job that failed in an unexpected way.
var internalReply = []byte(`{"err":{"code":"INTERNAL","message":"internal error"}}`)

// fail returns the reply for a job that failed with err: its *stock.Error,
// or INTERNAL after logging err once.
func (s *Store) fail(op stock.Op, err error) *stock.Reply {
	var e *stock.Error
	if errors.As(err, &e) {
		return errReply(e)
	}
	s.log.Error("executing job", "op", op, "err", err)
	return errReply(stock.Errorf(stock.CodeInternal, "internal error"))
}

// errReply wraps a domain error in a reply.
func errReply(e *stock.Error) *stock.Reply { return &stock.Reply{Err: e} }

// failAll returns n replies failing with code and msg, for a batch that did
// not commit.
func failAll(n int, code stock.Code, msg string) []*stock.Reply {
	e := &stock.Error{Code: code, Message: msg}
	out := make([]*stock.Reply, n)
	for i := range out {
		out[i] = errReply(e)
	}
	return out
}
