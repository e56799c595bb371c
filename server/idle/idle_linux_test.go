package idle

import (
	"os"
	"runtime"
	"strings"
	"testing"
)

// onMain is what TestMain saw of Run called from the main thread.
var onMain struct {
	mainBefore, mainAfter bool // whether the main thread was lowered before and after
	inside                bool // whether fn ran lowered
	insideMain            bool // whether fn ran on the main thread
}

// TestMain runs work as Run's goroutine does when it lands on the main
// thread (init locks the main goroutine to it), before the tests run.
func TestMain(m *testing.M) {
	if !mainThread() {
		panic("TestMain is not on the main thread")
	}
	onMain.mainBefore = must(Lowered())
	settle(onWorkerThread(func() { onMain.inside, onMain.insideMain = must(Lowered()), mainThread() }))
	onMain.mainAfter = must(Lowered())
	os.Exit(m.Run())
}

func init() { runtime.LockOSThread() } // the main goroutine stays on the main thread

// must returns v, panicking on err.
func must(v bool, err error) bool {
	if err != nil {
		panic(err)
	}
	return v
}

func TestRunNeverLowersTheMainThread(t *testing.T) {
	if onMain.mainBefore || onMain.mainAfter {
		t.Errorf("main thread lowered: before Run %v, after %v", onMain.mainBefore, onMain.mainAfter)
	}
	if !onMain.inside || onMain.insideMain {
		t.Errorf("work begun on the main thread ran lowered: %v, on the main thread: %v; want lowered, elsewhere", onMain.inside, onMain.insideMain)
	}
}

func TestRunLowersOnlyItsOwnThread(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if must(Lowered()) {
		t.Fatal("the test's thread is idle already")
	}
	inside := false
	Run(func() { inside = must(Lowered()) })
	if !inside {
		t.Error("fn did not run at idle priority")
	}
	if must(Lowered()) {
		t.Error("Run lowered its caller's thread")
	}
}

func TestAvailable(t *testing.T) {
	if err := Available(); err != nil {
		t.Fatalf("Available on Linux: %v", err)
	}
}

func TestRunRaisesPanicInCaller(t *testing.T) {
	returned := false
	defer func() {
		p, ok := recover().(*Panic)
		if !ok || p.Value != "cut" || returned {
			t.Fatalf("recovered %v (Run returned: %v), want the panic of fn", p, returned)
		}
		if !strings.Contains(string(p.Stack), "cutting") {
			t.Errorf("the panic's stack lacks the function that panicked:\n%s", p.Stack)
		}
	}()
	Run(cutting)
	returned = true
}

// cutting panics, for TestRunRaisesPanicInCaller.
func cutting() { panic("cut") }

func TestRunEndsCallerOnGoexit(t *testing.T) {
	done := make(chan bool, 1)
	go func() {
		returned := false
		defer func() { done <- returned }()
		Run(runtime.Goexit)
		returned = true
	}()
	if <-done {
		t.Fatal("Run returned after fn called runtime.Goexit")
	}
}
