package idle

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

// schedIdle is Linux's SCHED_IDLE policy (sched.h).
const schedIdle = 5

// lower gives the calling thread the SCHED_IDLE policy.
func lower() error {
	var param struct{ priority int32 } // struct sched_param; SCHED_IDLE's priority is 0
	if _, _, e := syscall.RawSyscall(syscall.SYS_SCHED_SETSCHEDULER, 0, schedIdle, uintptr(unsafe.Pointer(&param))); e != 0 {
		return fmt.Errorf("lowering a thread to SCHED_IDLE: %w", e)
	}
	return nil
}

// lowered reports whether the calling thread has the SCHED_IDLE policy.
func lowered() (bool, error) {
	p, _, e := syscall.RawSyscall(syscall.SYS_SCHED_GETSCHEDULER, 0, 0, 0)
	if e != 0 {
		return false, fmt.Errorf("reading a thread's policy: %w", e)
	}
	return p == schedIdle, nil
}

// mainThread reports whether the calling thread is the process's main one.
func mainThread() bool { return syscall.Gettid() == os.Getpid() }
