package node

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/stockmesh/stockmesh/internal/sealing"
	"github.com/stockmesh/stockmesh/server/pki"
)

// secretFiles are the files, relative to DataDir, that hold secrets: a
// node refuses to start while others may read them.
var secretFiles = []string{
	AdminTokenFile,
	QueueKeysFile,
	filepath.Join("tls", pki.CAKeyFile),
	filepath.Join("tls", pki.NodeKeyFile),
}

// secureDataDir makes dir and every folder in it 0700 and every other file
// 0600, whatever existed before, as PostgreSQL does with its data folder:
// the database holds the whole ledger. It fixes the modes it can and
// refuses (an error naming the file) what it cannot, and any secret file
// (secretFiles, the keys of data at rest in sealing.Dir, and the extra
// ones given, such as --tls-key) that others
// may already have read. Sockets and other special files are left alone.
func secureDataDir(dir string, extra ...string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating data directory: %w", err)
	}
	secrets := map[string]bool{}
	for _, f := range secretFiles {
		secrets[filepath.Join(dir, f)] = true
	}
	for _, f := range extra {
		if f == "" {
			continue
		}
		if err := checkPrivateFile(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) { // removed meanwhile (a temp file, a socket)
			return nil
		}
		if err != nil {
			return fmt.Errorf("checking the data folder: %w", err)
		}
		switch {
		case d.IsDir():
			return chmodIfLoose(path, 0o700)
		case !d.Type().IsRegular():
			return nil
		case secrets[path] || filepath.Dir(path) == filepath.Join(dir, sealing.Dir): // the keys of data at rest too
			if err := checkPrivateFile(path); !errors.Is(err, fs.ErrNotExist) { // not a temp file renamed meanwhile
				return err
			}
			return nil
		default:
			return chmodIfLoose(path, 0o600)
		}
	})
}

// chmodIfLoose sets path's mode to perm when group or others have any
// access to it; it fails, saying what to do, when it cannot.
func chmodIfLoose(path string, perm os.FileMode) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checking %s: %w", path, err)
	}
	if fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	if err := os.Chmod(path, perm); err != nil {
		return fmt.Errorf("%s is open to other users (mode %04o) and cannot be made private: %w; "+
			"run chmod %o %s as its owner", path, fi.Mode().Perm(), err, perm, path)
	}
	return nil
}

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
