// Package sealing owns a node's keys for data at rest: AES-256-GCM keys
// that seal sensitive text fields (each ciphertext names the key that
// sealed it), and an HMAC-SHA256 key that hashes the fields the node looks
// up by, so that an index holds no clear text.
//
// The keys live in a folder of their own (DATA/keys, mode 0700), one file
// per key (mode 0600): seal-N.key for the sealing key N, the highest being
// current, and index.key for the hash key, which never changes (every
// stored hash would have to be computed again).
package sealing

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/stockmesh/stockmesh/internal/atomicfile"
)

// Dir is the name of the key folder inside a data folder.
const Dir = "keys"

// KeySize is the size of every key: AES-256 and a 256-bit HMAC key.
const KeySize = 32

// HashSize is the length of a stored hash: 128 bits of HMAC-SHA256.
const HashSize = 16

// prefix starts every sealed value. Clear text fields are refused with
// control characters (stock.text), so no clear value starts with it.
const prefix = "\x1fs1"

const (
	idSize    = 4
	nonceSize = 12
	indexFile = "index.key"
)

// ErrUnknownKey is returned by Open for a value sealed with a key the ring
// does not hold.
var ErrUnknownKey = errors.New("sealing: value sealed with a key this node does not hold")

// Ring holds a node's keys. Its methods are safe for concurrent use.
type Ring struct {
	dir   string
	index []byte
	macs  sync.Pool // hash.Hash of HMAC-SHA256 with index

	mu      sync.RWMutex
	keys    map[uint32]cipher.AEAD
	retired map[uint32]bool // files deleted; kept for readers on older snapshots
	current uint32
}

// ErrNoKeys is returned (wrapped) by Load when dir lacks the hash key or
// every sealing key.
var ErrNoKeys = errors.New("sealing: key files missing")

// Load reads the keys in dir and never writes one: a missing hash key or
// sealing key is an error wrapping ErrNoKeys, as is a missing dir; a key
// file of the wrong size is an error. Only the caller knows whether
// fresh keys are right (a new database: Create) or would hide keys lost
// from a database that uses them.
func Load(dir string) (*Ring, error) {
	r := &Ring{dir: dir, keys: map[uint32]cipher.AEAD{}, retired: map[uint32]bool{}}
	var err error
	if r.index, err = readKey(filepath.Join(dir, indexFile)); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %w", ErrNoKeys, err)
	} else if err != nil {
		return nil, err
	}
	r.macs.New = func() any { return hmac.New(sha256.New, r.index) }
	ids, err := r.sealIDs()
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%w: no seal-N.key in %s", ErrNoKeys, dir)
	}
	for _, id := range ids {
		if err := r.loadKey(id); err != nil {
			return nil, err
		}
	}
	r.current = ids[len(ids)-1]
	return r, nil
}

// Create makes the keys missing in dir (0700): the hash key, and the first
// sealing key when there is none; then it loads them all (see Load). It is
// for a database that has never used keys.
func Create(dir string) (*Ring, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating key folder: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("restricting key folder: %w", err)
	}
	if _, err := readOrCreate(filepath.Join(dir, indexFile)); err != nil {
		return nil, err
	}
	r := &Ring{dir: dir}
	ids, err := r.sealIDs()
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		if err := atomicfile.Write(r.keyPath(1), newKey(), 0o600); err != nil {
			return nil, fmt.Errorf("writing key 1: %w", err)
		}
	}
	return Load(dir)
}

// newKey returns a new random key.
func newKey() []byte {
	k := make([]byte, KeySize)
	rand.Read(k)
	return k
}

// sealIDs lists the ids of the sealing key files, ascending.
func (r *Ring) sealIDs() ([]uint32, error) {
	names, err := filepath.Glob(filepath.Join(r.dir, "seal-*.key"))
	if err != nil {
		return nil, err
	}
	var ids []uint32
	for _, n := range names {
		s := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(n), "seal-"), ".key")
		id, err := strconv.ParseUint(s, 10, 32)
		if err != nil || id == 0 {
			return nil, fmt.Errorf("key file %s: not named seal-N.key", n)
		}
		ids = append(ids, uint32(id))
	}
	slices.Sort(ids)
	return ids, nil
}

// keyPath returns the file of sealing key id.
func (r *Ring) keyPath(id uint32) string {
	return filepath.Join(r.dir, "seal-"+strconv.FormatUint(uint64(id), 10)+".key")
}

// loadKey reads sealing key id into the ring.
func (r *Ring) loadKey(id uint32) error {
	k, err := readKey(r.keyPath(id))
	if err != nil {
		return err
	}
	return r.add(id, k)
}

// add puts key k under id.
func (r *Ring) add(id uint32, k []byte) error {
	block, err := aes.NewCipher(k)
	if err != nil {
		return err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return err
	}
	r.keys[id] = aead
	return nil
}

// readOrCreate reads the key in path, writing a new random one when the
// file is missing.
func readOrCreate(path string) ([]byte, error) {
	k, err := readKey(path)
	if !errors.Is(err, os.ErrNotExist) {
		return k, err
	}
	k = newKey()
	if err := atomicfile.Write(path, k, 0o600); err != nil {
		return nil, fmt.Errorf("writing key %s: %w", path, err)
	}
	return k, nil
}

// readKey reads a key file of KeySize bytes.
func readKey(path string) ([]byte, error) {
	k, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading key: %w", err)
	}
	if len(k) != KeySize {
		return nil, fmt.Errorf("key file %s holds %d bytes, not %d", path, len(k), KeySize)
	}
	return k, nil
}

// Rotate makes a new sealing key current and returns its id. Values sealed
// before keep their key until Reseal gives them the new one.
func (r *Ring) Rotate() (uint32, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids, err := r.sealIDs()
	if err != nil {
		return 0, err
	}
	id := r.current + 1
	if len(ids) > 0 {
		id = max(id, ids[len(ids)-1]+1)
	}
	k := newKey()
	if err := atomicfile.Write(r.keyPath(id), k, 0o600); err != nil {
		return 0, fmt.Errorf("writing key %d: %w", id, err)
	}
	if err := r.add(id, k); err != nil {
		return 0, err
	}
	r.current = id
	return id, nil
}

// Current returns the id of the key new values are sealed with.
func (r *Ring) Current() uint32 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.current
}

// Keys returns the ids of the keys whose files are kept, ascending.
func (r *Ring) Keys() []uint32 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var ids []uint32
	for id := range r.keys {
		if !r.retired[id] {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// Retire deletes the files of every key older than keep: the caller has
// made sure no stored value uses them (every value is sealed with keep, or
// with a newer key). The ring keeps them in memory, for readers on a
// snapshot taken before the last value was resealed.
func (r *Ring) Retire(keep uint32) ([]uint32, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var gone []uint32
	for id := range r.keys {
		if id >= keep || r.retired[id] {
			continue
		}
		if err := os.Remove(r.keyPath(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return gone, fmt.Errorf("deleting key %d: %w", id, err)
		}
		r.retired[id] = true
		gone = append(gone, id)
	}
	slices.Sort(gone)
	return gone, nil
}

// Sealer returns a sealer with the current key, for one batch of writes.
func (r *Ring) Sealer() Sealer {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return Sealer{id: r.current, aead: r.keys[r.current]}
}

// Sealer seals values with one key; copy it freely.
type Sealer struct {
	id   uint32
	aead cipher.AEAD
}

// ID returns the id of the sealer's key.
func (s Sealer) ID() uint32 { return s.id }

// Seal returns plain sealed, bound to ad (where the value is stored: a
// value moved elsewhere does not open); "" stays "".
func (s Sealer) Seal(plain, ad string) string {
	if plain == "" {
		return ""
	}
	n := idSize + nonceSize + len(plain) + s.aead.Overhead()
	buf := make([]byte, idSize+nonceSize, n)
	binary.BigEndian.PutUint32(buf, s.id)
	rand.Read(buf[idSize:])
	buf = s.aead.Seal(buf, buf[idSize:], []byte(plain), []byte(ad))
	out := make([]byte, len(prefix)+base64.RawStdEncoding.EncodedLen(len(buf)))
	copy(out, prefix)
	base64.RawStdEncoding.Encode(out[len(prefix):], buf)
	return string(out)
}

// Seal seals plain with the current key (see Sealer.Seal).
func (r *Ring) Seal(plain, ad string) string { return r.Sealer().Seal(plain, ad) }

// IsSealed reports whether v is a sealed value.
func IsSealed(v string) bool { return strings.HasPrefix(v, prefix) }

// KeyOf returns the id of the key that sealed v, false when v is clear.
func KeyOf(v string) (uint32, bool) {
	if !IsSealed(v) || len(v) < len(prefix)+8 {
		return 0, false
	}
	var b [6]byte // 8 base64 characters: the id and 2 bytes of the nonce
	if _, err := base64.RawStdEncoding.Decode(b[:], []byte(v[len(prefix):len(prefix)+8])); err != nil {
		return 0, false
	}
	return binary.BigEndian.Uint32(b[:]), true
}

// Open returns the clear text of v, sealed with ad; a clear value (stored
// before encryption, not yet resealed) is returned as it is.
func (r *Ring) Open(v, ad string) (string, error) {
	if !IsSealed(v) {
		return v, nil
	}
	buf, err := base64.RawStdEncoding.DecodeString(v[len(prefix):])
	if err != nil || len(buf) < idSize+nonceSize {
		return "", errors.New("sealing: malformed sealed value")
	}
	id := binary.BigEndian.Uint32(buf)
	r.mu.RLock()
	aead := r.keys[id]
	r.mu.RUnlock()
	if aead == nil {
		return "", fmt.Errorf("%w (key %d)", ErrUnknownKey, id)
	}
	plain, err := aead.Open(nil, buf[idSize:idSize+nonceSize], buf[idSize+nonceSize:], []byte(ad))
	if err != nil {
		return "", fmt.Errorf("sealing: opening a value sealed with key %d: %w", id, err)
	}
	return string(plain), nil
}

// Hash returns the keyed hash of value for field, the HashSize bytes an
// index stores instead of the value; nil for "".
func (r *Ring) Hash(field, value string) []byte {
	if value == "" {
		return nil
	}
	m := r.macs.Get().(hash.Hash)
	m.Reset()
	m.Write([]byte(field))
	m.Write([]byte{0})
	m.Write([]byte(value))
	sum := m.Sum(make([]byte, 0, sha256.Size))
	r.macs.Put(m)
	return sum[:HashSize]
}
