package idle

import (
	"runtime"
	"testing"
)

// isLowered is Lowered for a test.
func isLowered(t *testing.T) bool {
	t.Helper()
	ok, err := Lowered()
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestLowerSetsIdlePolicy(t *testing.T) {
	got := make(chan bool, 1)
	go func() {
		if err := Lower(); err != nil {
			t.Error(err)
		}
		got <- isLowered(t)
	}()
	if !<-got {
		t.Fatal("the thread is not at idle priority after Lower")
	}
}

func TestRunLowersOnlyItsOwnThread(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if isLowered(t) {
		t.Fatal("the test's thread is idle already")
	}
	inside := false
	Run(func() { inside = isLowered(t) })
	if !inside {
		t.Error("fn did not run at idle priority")
	}
	if isLowered(t) {
		t.Error("Run lowered its caller's thread")
	}
}

func TestRunRaisesPanicInCaller(t *testing.T) {
	defer func() {
		if p := recover(); p != "cut" {
			t.Fatalf("recovered %v, want the panic of fn", p)
		}
	}()
	Run(func() { panic("cut") })
	t.Fatal("Run returned after fn panicked")
}
