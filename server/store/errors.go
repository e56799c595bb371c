package store

import (
	"encoding/json"
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

// failAll returns n UNAVAILABLE replies, for a batch that did not commit.
func failAll(n int) []*stock.Reply {
	e := stock.Errorf(stock.CodeUnavailable, "the database could not save the change, try again")
	out := make([]*stock.Reply, n)
	for i := range out {
		out[i] = errReply(e)
	}
	return out
}

// encodeAll encodes replies in order.
func encodeAll(replies []*stock.Reply) [][]byte {
	out := make([][]byte, len(replies))
	for i, r := range replies {
		out[i] = encode(r)
	}
	return out
}

// encode encodes one reply; a nil reply is an empty success.
func encode(r *stock.Reply) []byte {
	if r == nil {
		r = &stock.Reply{}
	}
	b, err := json.Marshal(r)
	if err != nil {
		return internalReply
	}
	return b
}
