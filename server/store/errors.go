package store

import (
	"errors"
	"syscall"

	"github.com/mattn/go-sqlite3"

	"github.com/stockmesh/stockmesh/server/stock"
)

// errDiskFull answers write jobs that could not be saved for want of disk
// space; reads go on working meanwhile.
var errDiskFull = stock.Errorf(stock.CodeUnavailable,
	"the disk is full: the change was not saved (reads still work; free disk space on the node to write again)")

// errNotSaved answers the jobs of a batch that could not commit for any
// other reason: nothing was saved, so trying again is safe.
var errNotSaved = stock.Errorf(stock.CodeUnavailable, "the database could not save the change, try again")

// diskFull reports whether err says that the disk, or the database, is full.
func diskFull(err error) bool {
	var e sqlite3.Error
	if errors.As(err, &e) {
		return e.Code == sqlite3.ErrFull || e.SystemErrno == syscall.ENOSPC
	}
	return errors.Is(err, syscall.ENOSPC)
}

// fail returns the reply for a job that failed with err: its *stock.Error,
// errDiskFull, or INTERNAL after logging err once.
func (s *Store) fail(op string, err error) []byte {
	var e *stock.Error
	if errors.As(err, &e) {
		return stock.EncodeError(e)
	}
	s.log.Error("executing job", "op", op, "err", err)
	if diskFull(err) {
		return stock.EncodeError(errDiskFull)
	}
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
// gets.
func commitError(err error) *stock.Error {
	if diskFull(err) {
		return errDiskFull
	}
	return errNotSaved
}

// isUniqueViolation reports whether err is SQLite refusing a row that a
// unique index already holds.
func isUniqueViolation(err error) bool {
	var e sqlite3.Error
	return errors.As(err, &e) && e.ExtendedCode == sqlite3.ErrConstraintUnique
}
