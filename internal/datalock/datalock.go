// Package datalock keeps two processes from using one data folder at once.
// A Lock is an exclusive flock(2) on a file in the folder, taken without
// waiting; the holder writes its PID and role into the file so that a
// refused process can say who is in the way. The kernel drops the lock
// when the holder's descriptor closes, also when the process is killed, so
// a crash never leaves a stale lock; the file itself stays, and its content
// means nothing unless somebody holds the lock.
package datalock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// ErrInUse is wrapped by Acquire's error when another process holds the lock.
var ErrInUse = errors.New("datalock: data folder in use")

// Lock is an exclusive lock on one lock file, held by this process until
// Release or its exit.
type Lock struct {
	f *os.File
}

// Acquire takes the lock file name in dir (creating it with mode 0600) for
// this process, naming it role (such as "node" or "dbworker") in the file
// when the disk lets it (the lock holds either way). It does not wait: when another process holds the lock it returns an error
// wrapping ErrInUse that names dir and the holder, such as
// "data folder ./data is in use by stockmeshd node (pid 1234); stop it first".
func Acquire(dir, name, role string) (*Lock, error) {
	path := filepath.Join(dir, name)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening lock file: %w", err)
	}
	if err := flock(f); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("data folder %s is in use by %s; stop it first: %w", dir, holder(path), ErrInUse)
		}
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	// The pid only informs whoever is refused; the lock holds without it,
	// and a full disk must not keep a node from restarting.
	if err := writeHolder(f, role); err != nil {
		_ = f.Truncate(0) // never name an earlier holder; truncating needs no space
	}
	return &Lock{f: f}, nil
}

// Release gives the lock up. It is safe to call more than once.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// flock takes an exclusive lock on f without waiting, retrying when a
// signal interrupts the call.
func flock(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// writeHolder writes "PID ROLE\n" over the start of f and cuts what
// follows. It writes in place, without truncating first, so that on a full
// disk it can still overwrite what an earlier holder wrote.
func writeHolder(f *os.File, role string) error {
	line := []byte(strconv.Itoa(os.Getpid()) + " " + role + "\n")
	if _, err := f.WriteAt(line, 0); err != nil {
		return err
	}
	return f.Truncate(int64(len(line)))
}

// holder describes the process named in the lock file at path, as well as
// the file tells it.
func holder(path string) string {
	b, err := os.ReadFile(path)
	fields := strings.Fields(string(b))
	if err != nil || len(fields) == 0 {
		return "another process (pid unknown)"
	}
	pid, role := fields[0], ""
	if len(fields) > 1 {
		role = " " + fields[1]
	}
	return fmt.Sprintf("stockmeshd%s (pid %s)", role, pid)
}
