// Command testprogress reads `go test -json` on its standard input and
// writes what a person watching `make test` wants to see: a line for each
// package as it finishes and for each test that took a while (so that a
// long end-to-end package shows it is alive), the complete output of every
// failed test, failed build and failed package, and a summary. It exits 1
// when anything failed, so that `set -o pipefail; go test -json … |
// testprogress` keeps go test's verdict.
package main

import (
	"os"
	"time"
)

func main() {
	r := newReport(os.Stdout, 5*time.Second)
	if err := r.follow(os.Stdin); err != nil {
		os.Stderr.WriteString("testprogress: " + err.Error() + "\n")
		os.Exit(1)
	}
	if r.failed() {
		os.Exit(1)
	}
}
