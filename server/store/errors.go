package store

import (
	"errors"
	"syscall"

	"github.com/mattn/go-sqlite3"

	"github.com/stockmesh/stockmesh/server/stock"
)

// errNoWarehouse answers jobs that need the local warehouse before
// warehouse.init created it.
var errNoWarehouse = stock.Errorf(stock.CodeUnavailable, "the local warehouse is not set up yet")

// errDiskFull answers write jobs that could not be saved for want of disk
// space; reads go on working meanwhile.
var errDiskFull = stock.Errorf(stock.CodeUnavailable,
	"the disk is full: the change was not saved (reads still work; free disk space on the node to write again)")

// diskFull reports whether err says that the disk, or the database, is full.
func diskFull(err error) bool {
	var e sqlite3.Error
	if errors.As(err, &e) {
		return e.Code == sqlite3.ErrFull || e.SystemErrno == syscall.ENOSPC
	}
	return errors.Is(err, syscall.ENOSPC)
}

// internalReply answers a job that failed in an unexpected way.
var internalReply = []byte(`{"err":{"code":"INTERNAL","message":"internal error"}}`)

// fail returns the reply for a job that failed with err: its *stock.Error,
// errDiskFull, or INTERNAL after logging err once.
func (s *Store) fail(op stock.Op, err error) *stock.Reply {
	var e *stock.Error
	if errors.As(err, &e) {
		return errReply(e)
	}
	s.log.Error("executing job", "op", op, "err", err)
	if diskFull(err) {
		return errReply(errDiskFull)
	}
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
