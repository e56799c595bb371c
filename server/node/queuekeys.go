package node

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/stockmesh/stockmesh/internal/atomicfile"
	"github.com/stockmesh/stockmesh/server/jobq"
)

// QueueKeysFile holds, inside DataDir, the CURVE keys that authenticate
// the node and its database handler to each other over a tcp:// queue
// (0600; created by whichever starts first).
const QueueKeysFile = "queue.keys"

// queueKeys returns the CURVE keys for a queue at addr: nil for inproc://
// and ipc:// (an ipc:// socket file is open to the node's user only), and
// for tcp:// the keys in file (default DataDir/QueueKeysFile), made on
// first use.
func queueKeys(dataDir, file, addr string) (*jobq.Keys, error) {
	if !strings.HasPrefix(addr, "tcp://") {
		return nil, nil
	}
	path := file
	if path == "" {
		path = filepath.Join(dataDir, QueueKeysFile)
	}
	k, err := readQueueKeys(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := createQueueKeys(path); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		k, err = readQueueKeys(path)
	}
	if err != nil {
		return nil, err
	}
	return &k, nil
}

// readQueueKeys reads and checks a QueueKeysFile: four lines, the
// server's public and secret keys and the client's.
func readQueueKeys(path string) (jobq.Keys, error) {
	if err := checkPrivateFile(path); err != nil {
		return jobq.Keys{}, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return jobq.Keys{}, fmt.Errorf("reading the queue's keys: %w", err)
	}
	f := strings.Fields(string(b))
	if len(f) != 4 {
		return jobq.Keys{}, fmt.Errorf("reading the queue's keys: %s does not hold four keys", path)
	}
	k := jobq.Keys{Server: jobq.Keypair{Public: f[0], Secret: f[1]}, Client: jobq.Keypair{Public: f[2], Secret: f[3]}}
	if err := k.Check(); err != nil {
		return jobq.Keys{}, fmt.Errorf("reading the queue's keys from %s: %w", path, err)
	}
	return k, nil
}

// createQueueKeys writes new keys to path unless it exists.
func createQueueKeys(path string) error {
	k, err := jobq.GenerateKeys()
	if err != nil {
		return fmt.Errorf("securing the tcp:// queue: %w", err)
	}
	data := strings.Join([]string{k.Server.Public, k.Server.Secret, k.Client.Public, k.Client.Secret}, "\n") + "\n"
	return atomicfile.Create(path, []byte(data), 0o600)
}
