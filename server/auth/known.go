package auth

import (
	"encoding/hex"
	"fmt"
	"sync"
)

// knownSet is the set of stored token hashes; nil until set, meaning
// "unknown: ask the Store".
type knownSet struct {
	mu     sync.RWMutex
	hashes map[digest]struct{}
}

// has reports whether key may be a stored token: it is in the set, or the
// set was never loaded.
func (k *knownSet) has(key digest) bool {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if k.hashes == nil {
		return true
	}
	_, ok := k.hashes[key]
	return ok
}

func (k *knownSet) set(hashes []string) error {
	m := make(map[digest]struct{}, len(hashes))
	for _, h := range hashes {
		d, err := parseDigest(h)
		if err != nil {
			return err
		}
		m[d] = struct{}{}
	}
	k.mu.Lock()
	k.hashes = m
	k.mu.Unlock()
	return nil
}

func (k *knownSet) add(hash string) error {
	d, err := parseDigest(hash)
	if err != nil {
		return err
	}
	k.mu.Lock()
	if k.hashes != nil {
		k.hashes[d] = struct{}{}
	}
	k.mu.Unlock()
	return nil
}

func (k *knownSet) remove(hash string) {
	d, err := parseDigest(hash)
	if err != nil {
		return
	}
	k.mu.Lock()
	delete(k.hashes, d)
	k.mu.Unlock()
}

// parseDigest decodes a hash as Hash writes it.
func parseDigest(hash string) (digest, error) {
	var d digest
	b, err := hex.DecodeString(hash)
	if err != nil || len(b) != len(d) {
		return d, fmt.Errorf("auth: %q is not a token hash", hash)
	}
	copy(d[:], b)
	return d, nil
}
