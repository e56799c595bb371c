// Package idle runs work on threads the kernel schedules only when a CPU
// would otherwise be idle (SCHED_IDLE on Linux), so that long reports and
// exports take CPU time only when the writer, lookups and the API's other
// work leave some.
//
// A thread given that policy by an unprivileged process cannot be given
// its normal one back, so a lowered goroutine stays locked to its thread:
// when it returns, the Go runtime ends the thread instead of reusing it
// for other goroutines.
package idle

import "runtime"

// Lower locks the calling goroutine to its thread and lowers the thread
// to idle priority. The caller must never unlock it (see the package
// doc). Where the OS cannot lower the thread it returns why, and the
// goroutine runs at normal priority, still locked.
func Lower() error {
	runtime.LockOSThread()
	return lower()
}

// Lowered reports whether the calling goroutine's thread runs at idle
// priority; the answer holds only while the goroutine is locked to it.
func Lowered() (bool, error) { return lowered() }

// Run runs fn at idle priority, on a goroutine and thread of its own, and
// returns when fn has; a panic in fn is raised again in the caller, so
// that fn may abort an HTTP handler as the handler itself could. Where the
// OS cannot lower a thread, fn runs at normal priority.
func Run(fn func()) {
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		_ = Lower() // unsupported: fn still runs, at normal priority
		fn()
	}()
	if p := <-done; p != nil {
		panic(p)
	}
}
