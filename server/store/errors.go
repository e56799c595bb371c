package store

import (
	"errors"

	"github.com/mattn/go-sqlite3"

	"github.com/stockmesh/stockmesh/server/stock"
)

// fail returns the reply for a job that failed with err: its *stock.Error,
// or INTERNAL after logging err once.
func (s *Store) fail(op string, err error) []byte {
	var e *stock.Error
	if errors.As(err, &e) {
		return stock.EncodeError(e)
	}
	s.log.Error("executing job", "op", op, "err", err)
	return stock.EncodeError(stock.Errorf(stock.CodeInternal, "internal error"))
}

// failAll returns n replies failing with e, for a batch that did not
// commit.
func failAll(n int, e *stock.Error) [][]byte {
	reply := stock.EncodeError(e)
	out := make([][]byte, n)
	for i := range out {
		out[i] = reply
	}
	return out
}

// commitError is the error every job of a batch that could not commit
// gets: nothing was saved, so trying again is safe.
func commitError(err error) *stock.Error {
	var se sqlite3.Error
	if errors.As(err, &se) && se.Code == sqlite3.ErrFull {
		return stock.Errorf(stock.CodeUnavailable, "the disk is full: the change was not saved; free some space and try again")
	}
	return stock.Errorf(stock.CodeUnavailable, "the database could not save the change, try again")
}
