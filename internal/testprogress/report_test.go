package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ev writes one go test -json line.
func ev(action, pkg, test, output string, elapsed float64) string {
	var b strings.Builder
	b.WriteString(`{"Action":"` + action + `"`)
	if pkg != "" {
		b.WriteString(`,"Package":"` + pkg + `"`)
	}
	if test != "" {
		b.WriteString(`,"Test":"` + test + `"`)
	}
	if output != "" {
		b.WriteString(`,"Output":` + quote(output))
	}
	if elapsed != 0 {
		b.WriteString(`,"Elapsed":` + strconv.FormatFloat(elapsed, 'f', -1, 64))
	}
	return b.String() + "}\n"
}

// quote writes s as a JSON string.
func quote(s string) string {
	return `"` + strings.NewReplacer(`"`, `\"`, "\n", `\n`, "\t", `\t`).Replace(s) + `"`
}

func TestReport(t *testing.T) {
	tests := []struct {
		name       string
		in         []string
		want       string
		wantFailed bool
	}{
		{
			name: "a passing package: one line, its tests' output dropped",
			in: []string{ev("start", "m/a", "", "", 0), ev("run", "m/a", "TestA", "", 0),
				ev("output", "m/a", "TestA", "=== RUN   TestA\n", 0), ev("pass", "m/a", "TestA", "", 0),
				ev("output", "m/a", "", "ok  \tm/a\t1.2s\n", 0), ev("pass", "m/a", "", "", 1.2)},
			want: "ok    m/a (1.2s)\nall 1 packages passed (0s)\n",
		},
		{
			name: "a slow test gets a line as it passes, its subtests none",
			in: []string{ev("pass", "m/e2e", "TestSlow/sub", "", 7), ev("pass", "m/e2e", "TestSlow", "", 7),
				ev("pass", "m/e2e", "TestQuick", "", 0.5), ev("pass", "m/e2e", "", "", 8)},
			want: "  …   e2e TestSlow passed (7s)\nok    m/e2e (8s)\nall 1 packages passed (0s)\n",
		},
		{
			name: "a failed test: its whole output, subtests included",
			in: []string{ev("output", "m/a", "TestF", "=== RUN   TestF\n", 0), ev("output", "m/a", "TestF/sub", "    x_test.go:3: boom\n", 0),
				ev("fail", "m/a", "TestF/sub", "", 0), ev("output", "m/a", "TestF", "--- FAIL: TestF (0.00s)\n", 0),
				ev("fail", "m/a", "TestF", "", 0), ev("output", "m/a", "", "FAIL\tm/a\t0.1s\n", 0), ev("fail", "m/a", "", "", 0.1)},
			want: "=== RUN   TestF\n    x_test.go:3: boom\n--- FAIL: TestF (0.00s)\nFAIL\tm/a\t0.1s\n" +
				"0 packages passed, 1 failed (0s):\nFAIL  m/a\n",
			wantFailed: true,
		},
		{
			name: "a package that dies mid-test (timeout): the unfinished test's output and the package's",
			in: []string{ev("output", "m/a", "TestHang", "=== RUN   TestHang\n", 0),
				ev("output", "m/a", "", "panic: test timed out after 45m0s\n", 0), ev("fail", "m/a", "", "", 2700)},
			want:       "=== RUN   TestHang\npanic: test timed out after 45m0s\n0 packages passed, 1 failed (0s):\nFAIL  m/a\n",
			wantFailed: true,
		},
		{
			name: "a build failure and a line that is not JSON",
			in: []string{`{"ImportPath":"m/d [m/d.test]","Action":"build-output","Output":"d.go:2: undefined: x\n"}` + "\n",
				`{"ImportPath":"m/d [m/d.test]","Action":"build-fail"}` + "\n", "go: warning\n",
				ev("output", "m/d", "", "FAIL\tm/d [build failed]\n", 0), ev("fail", "m/d", "", "", 0),
				ev("output", "m/n", "", "?   \tm/n\t[no test files]\n", 0), ev("skip", "m/n", "", "", 0)},
			want:       "d.go:2: undefined: x\ngo: warning\nFAIL\tm/d [build failed]\n0 packages passed, 1 failed (0s):\nFAIL  m/d\n",
			wantFailed: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			r := newReport(&out, 5*time.Second)
			if err := r.follow(strings.NewReader(strings.Join(tt.in, ""))); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("output:\n%s\nwant:\n%s", out.String(), tt.want)
			}
			if r.failed() != tt.wantFailed {
				t.Errorf("failed() = %v, want %v", r.failed(), tt.wantFailed)
			}
		})
	}
}

// TestMakefileUsesIt keeps `make test` showing progress: its go test runs
// with -json into testprogress, under pipefail so that go test's failure
// stays make's.
func TestMakefileUsesIt(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	_, recipe, ok := strings.Cut(string(b), "\ntest:")
	recipe, _, _ = strings.Cut(recipe, "\n\n")
	for _, want := range []string{"set -o pipefail;", "test -json -race", "| $(BIN)/testprogress"} {
		if !ok || !strings.Contains(recipe, want) {
			t.Errorf("the Makefile's test recipe lacks %q:\n%s", want, recipe)
		}
	}
}
