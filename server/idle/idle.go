// Package idle runs work on threads the kernel schedules only when a CPU
// would otherwise be idle (SCHED_IDLE on Linux), so that reports and
// exports take CPU time only when the writer, lookups and replication
// leave some.
//
// A thread given that policy by an unprivileged process cannot be given
// its normal one back, so the work runs on a goroutine locked to its
// thread, and the Go runtime ends the thread when the goroutine returns
// instead of reusing it. The process's main thread is never lowered: the
// runtime never ends it, and it is the one the kernel prefers for
// signals.
package idle

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
)

// Run runs fn at idle priority, on a goroutine and thread of its own, and
// returns when fn has. A panic in fn is raised again in the caller as a
// *Panic, which keeps fn's stack; a runtime.Goexit in fn ends the caller
// too. Where the thread cannot be
// lowered (see Available), fn runs at normal priority.
func Run(fn func()) {
	done := make(chan outcome, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with this goroutine
		var o outcome          // zero if fn calls runtime.Goexit
		defer func() { done <- o }()
		o = onWorkerThread(fn)
	}()
	settle(<-done)
}

// outcome is how fn ended: normally, by a panic, or by runtime.Goexit
// (neither returned nor panicked).
type outcome struct {
	returned bool
	panicked *Panic
}

// Panic is a panic of the fn given to Run, raised again in Run's caller.
type Panic struct {
	Value any    // what fn panicked with
	Stack []byte // fn's goroutine's stack where it panicked
}

// Error returns the value and the stack where it was raised.
func (p *Panic) Error() string { return fmt.Sprintf("%v\n\nin idle.Run's fn:\n%s", p.Value, p.Stack) }

// Unwrap returns the value when it is an error.
func (p *Panic) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}

// onWorkerThread runs fn on the calling goroutine's locked thread, lowered,
// unless that thread is the main one: then on a goroutine of its own,
// which cannot land on the main thread while the caller holds it.
func onWorkerThread(fn func()) outcome {
	if mainThread() {
		done := make(chan outcome, 1)
		go func() {
			runtime.LockOSThread()
			var o outcome
			defer func() { done <- o }()
			o = onWorkerThread(fn)
		}()
		o := <-done
		runtime.UnlockOSThread() // never lowered: back to the runtime's pool
		return o
	}
	_ = lower() // see Available
	return call(fn)
}

// call runs fn and reports how it ended.
func call(fn func()) (o outcome) {
	defer func() {
		if o.returned {
			return
		}
		if v := recover(); v != nil { // nil after runtime.Goexit
			o.panicked = &Panic{Value: v, Stack: debug.Stack()}
		}
	}()
	fn()
	return outcome{returned: true}
}

// settle ends the caller as fn ended.
func settle(o outcome) {
	switch {
	case o.returned:
	case o.panicked != nil:
		panic(o.panicked)
	default:
		runtime.Goexit()
	}
}

var (
	availableOnce sync.Once
	availableErr  error
)

// Available reports, once per process, why threads cannot be lowered here
// (not Linux, or a sandbox refusing sched_setscheduler), or nil.
func Available() error {
	availableOnce.Do(func() { Run(func() { availableErr = lower() }) })
	return availableErr
}

// Lowered reports whether the calling goroutine's thread runs at idle
// priority; the answer holds only while the goroutine is locked to it.
func Lowered() (bool, error) { return lowered() }
