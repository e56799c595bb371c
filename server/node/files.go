package node

import (
	"fmt"
	"os"
)

// checkPrivateFile refuses a secret file (a private key, a token, the
// queue's keys) that users other than the owner may read or write: it
// may have been read already, so the node does not fix the mode quietly
// but says which file it is and how to fix it.
func checkPrivateFile(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%s is open to other users (mode %04o): anyone on this machine may have read it; "+
			"run chmod 600 %s (and replace the secret if others could have read it)", path, perm, path)
	}
	return nil
}
