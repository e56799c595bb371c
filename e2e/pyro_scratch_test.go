package e2e

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// TestPyro4ConcurrentDocsCleanUp: every concurrent.py command the Pyro4
// page shows deletes what it writes (--cleanup), and with --cleanup the
// warehouse holds none of its products afterwards, while without it the
// script says what it left behind.
func TestPyro4ConcurrentDocsCleanUp(t *testing.T) {
	doc, err := os.ReadFile(testnode.RepoFile("docs", "pyro4.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(doc), "\n") {
		if strings.Contains(line, "concurrent.py --") && !strings.Contains(line, "--cleanup") {
			t.Errorf("docs/pyro4.md runs concurrent.py without --cleanup, leaving its products in the warehouse:\n%s", line)
		}
	}
	needPyro4(t)
	ns := testnode.FreeAddr(t)
	n := testnode.Start(t, "--pyro", testnode.FreeAddr(t), "--pyro-ns-embedded", ns)
	script := testnode.RepoFile("examples", "pyro4", "concurrent.py")
	out, err := runPython(t, pyEnv(ns, ""), "", script, "--workers", "2", "--rounds", "2", "--json", "--prefix", "CLEAN", "--cleanup")
	var sum struct {
		OK      bool `json:"ok"`
		Deleted int  `json:"deleted"`
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if err != nil || json.Unmarshal([]byte(lines[len(lines)-1]), &sum) != nil || !sum.OK || sum.Deleted != 7 {
		t.Fatalf("concurrent.py --cleanup: %v\n%s", err, out)
	}
	var list struct{ Products struct{ TotalCount int } }
	decode(t, n.MustGraphQL(t, `{ products(search: "CLEAN", first: 10) { totalCount } }`, nil), &list)
	if list.Products.TotalCount != 0 {
		t.Errorf("%d CLEAN products left after --cleanup", list.Products.TotalCount)
	}
	out, err = runPython(t, pyEnv(ns, ""), "", script, "--workers", "1", "--rounds", "1", "--prefix", "LEFT")
	if err != nil || !strings.Contains(out, "left its 4 products (LEFT-…) in the warehouse") {
		t.Errorf("concurrent.py without --cleanup does not say what it left: %v\n%s", err, out)
	}
}
