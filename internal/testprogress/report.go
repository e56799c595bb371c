package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// event is one line of `go test -json` (cmd/test2json's TestEvent, and the
// build-output and build-fail events of go test itself).
type event struct {
	Action     string
	Package    string
	ImportPath string
	Test       string
	Elapsed    float64
	Output     string
}

// pkgState is what the report holds of a package still running: its own
// output and that of each top-level test not yet passed.
type pkgState struct {
	out   []string
	tests map[string][]string
	order []string
}

// report turns test events into progress lines on out.
type report struct {
	out      io.Writer
	slow     time.Duration // a passed test at least this slow gets a line
	pkgs     map[string]*pkgState
	passed   int
	failures []string // the failed packages, in the order they failed
}

// newReport returns a report writing to out that names passed tests
// taking slow or longer.
func newReport(out io.Writer, slow time.Duration) *report {
	return &report{out: out, slow: slow, pkgs: map[string]*pkgState{}}
}

// failed reports whether a package or build failed.
func (r *report) failed() bool { return len(r.failures) > 0 }

// follow reads events from in until it ends, reporting each, and then
// writes the summary. Lines that are not JSON are copied as they are.
func (r *report) follow(in io.Reader) error {
	start := time.Now()
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		var ev event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil || ev.Action == "" {
			fmt.Fprintln(r.out, sc.Text())
			continue
		}
		r.handle(ev)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading go test's output: %w", err)
	}
	r.summary(time.Since(start))
	return nil
}

// handle reports one event.
func (r *report) handle(ev event) {
	switch {
	case ev.Action == "build-output":
		fmt.Fprint(r.out, ev.Output)
	case ev.Action == "build-fail":
		// go test follows it with the package's own fail event.
	case ev.Package == "":
	case ev.Test == "":
		r.packageEvent(ev)
	default:
		r.testEvent(ev)
	}
}

// state returns the running state of pkg, creating it.
func (r *report) state(pkg string) *pkgState {
	s := r.pkgs[pkg]
	if s == nil {
		s = &pkgState{tests: map[string][]string{}}
		r.pkgs[pkg] = s
	}
	return s
}

// testEvent keeps a test's output until it passes (dropped) or fails
// (written whole), and names slow tests that pass.
func (r *report) testEvent(ev event) {
	s := r.state(ev.Package)
	top, _, sub := strings.Cut(ev.Test, "/")
	if _, ok := s.tests[top]; !ok {
		s.order = append(s.order, top)
		s.tests[top] = nil
	}
	switch {
	case ev.Action == "output":
		s.tests[top] = append(s.tests[top], ev.Output)
	case sub:
	case ev.Action == "pass" || ev.Action == "skip":
		r.finish(s, top)
		if d := seconds(ev.Elapsed); ev.Action == "pass" && d >= r.slow {
			fmt.Fprintf(r.out, "  …   %s %s passed (%s)\n", short(ev.Package), top, d.Round(100*time.Millisecond))
		}
	case ev.Action == "fail":
		fmt.Fprint(r.out, strings.Join(s.tests[top], ""))
		r.finish(s, top)
	}
}

// finish forgets a finished top-level test.
func (r *report) finish(s *pkgState, top string) {
	delete(s.tests, top)
	s.order = slices.DeleteFunc(s.order, func(t string) bool { return t == top })
}

// packageEvent keeps a package's own output and, when the package ends,
// writes its line; a failed package also gets its own output and that of
// every test that never finished (a panic, a timeout).
func (r *report) packageEvent(ev event) {
	s := r.state(ev.Package)
	switch ev.Action {
	case "output":
		s.out = append(s.out, ev.Output)
	case "pass":
		r.passed++
		fmt.Fprintf(r.out, "ok    %s (%s)\n", ev.Package, seconds(ev.Elapsed).Round(100*time.Millisecond))
		delete(r.pkgs, ev.Package)
	case "skip":
		delete(r.pkgs, ev.Package) // no test files
	case "fail":
		for _, t := range s.order {
			fmt.Fprint(r.out, strings.Join(s.tests[t], ""))
		}
		fmt.Fprint(r.out, strings.Join(s.out, ""))
		r.failures = append(r.failures, ev.Package)
		delete(r.pkgs, ev.Package)
	}
}

// summary writes how many packages passed and which failed.
func (r *report) summary(took time.Duration) {
	took = took.Round(time.Second)
	if !r.failed() {
		fmt.Fprintf(r.out, "all %d packages passed (%s)\n", r.passed, took)
		return
	}
	fmt.Fprintf(r.out, "%d packages passed, %d failed (%s):\n", r.passed, len(r.failures), took)
	for _, p := range r.failures {
		fmt.Fprintf(r.out, "FAIL  %s\n", p)
	}
}

// seconds converts test2json's Elapsed.
func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// short returns the last element of an import path.
func short(pkg string) string {
	return pkg[strings.LastIndex(pkg, "/")+1:]
}
