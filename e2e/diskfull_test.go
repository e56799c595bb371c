package e2e

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// TestRestartOnFullDisk: a node restarted (after a clean stop or a crash)
// while its disk is full starts, serves reads and refuses writes saying
// the disk is full; once space is freed, writes work again.
func TestRestartOnFullDisk(t *testing.T) {
	cases := []struct {
		name string
		stop func(*testnode.Node)
	}{
		{"after a clean stop", (*testnode.Node).Stop},
		{"after a crash", (*testnode.Node).Kill},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mnt := smallDisk(t)
			data := filepath.Join(mnt, "data")
			if err := os.Mkdir(data, 0o700); err != nil {
				t.Fatal(err)
			}
			// The node's log goes to another disk, so that it takes none of
			// the space the test frees below.
			if err := os.Symlink(filepath.Join(t.TempDir(), "node.log"), filepath.Join(data, "node.log")); err != nil {
				t.Fatal(err)
			}
			n := testnode.StartIn(t, data, "127.0.0.1:0")
			mustCreate(t, n, "D1", 5)
			n.MustGraphQL(t, recordMovement, mv("D1", "SALE", 1))
			c.stop(n)
			ballast := filepath.Join(mnt, "ballast")
			fill(t, ballast)
			n.Restart(t) // removes node.addr first: the one page the node needs for it

			if q := quantity(t, n, "D1"); q != 4 {
				t.Fatalf("stock %d on the full disk, want 4", q)
			}
			checkLedger(t, n, "D1")
			if status, _, body := request(t, n, "GET", "/readyz", "", nil, ""); status != 200 {
				t.Fatalf("/readyz on the full disk: %d %s", status, body)
			}
			r := n.MustGraphQL(t, recordMovement, mv("D1", "SALE", 1))
			if r.Code() != "UNAVAILABLE" || !strings.Contains(r.Errors[0].Message, "the disk is full") {
				t.Fatalf("a sale on the full disk: %+v; want UNAVAILABLE saying the disk is full", r.Errors)
			}
			if err := os.Remove(ballast); err != nil {
				t.Fatal(err)
			}
			n.MustGraphQL(t, recordMovement, mv("D1", "SALE", 1))
			if q := quantity(t, n, "D1"); q != 3 {
				t.Fatalf("stock %d once space was freed, want 3 (the refused sale never applied)", q)
			}
			checkLedger(t, n, "D1")
		})
	}
}

// smallDisk mounts a 16 MiB tmpfs on a temp dir for the test, or skips the
// test when it cannot (not root, or no mount allowed).
func smallDisk(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs to fill needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v: %s", err, out)
	}
	// Registered before the node starts, so it runs after the node is gone.
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("unmounting %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// fill writes path until the disk it is on has no byte left.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for _, size := range []int{len(buf), 4096, 1} {
		for {
			if _, err := f.Write(buf[:size]); errors.Is(err, syscall.ENOSPC) {
				break
			} else if err != nil {
				t.Fatal(err)
			}
		}
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil || st.Bavail != 0 {
		t.Fatalf("after filling: %d blocks free (%v)", st.Bavail, err)
	}
}
