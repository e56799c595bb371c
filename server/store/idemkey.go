package store

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// Idempotency keys are stored, logged and replicated as their SHA-256
// (storedKey), never as the client sent them: a key is a secret between
// the client and the node (whoever holds it can ask for the first result
// again, or spend it on another request first), and the database file and
// every replica's copy of the log would give it away. The hash is unkeyed
// so that every node computes the same one: a replica holds its origin's
// hashed keys, and a node restored from the network (warehouse.init on a
// replica) still recognises a retry. Job keys, which resolve lost replies,
// are another thing and are not hashed.
//
// Entries written before hashing keep their keys in clear: they are part
// of signed log heads, which a rewrite would break. While a database
// holds such keys (writerState.clearKeys), a key not found hashed is
// looked up as sent too; a key that looks hashed (hashedKeyPrefix) never
// is, so a hash read from a database or a replica cannot be sent as a key.
const hashedKeyPrefix = "sha256:"

// storedKey returns key as the node stores it; "" stays "".
func storedKey(key string) string {
	if key == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(key))
	return hashedKeyPrefix + base64.RawURLEncoding.EncodeToString(sum[:])
}

// clearLookup reports whether key, as a client sent it, is also looked up
// as an older version stored it.
func (w *writerState) clearLookup(key string) bool {
	return w.clearKeys && !strings.HasPrefix(key, hashedKeyPrefix)
}

// noteKey records that key, one of the local warehouse's stored keys, is
// clear, when it is.
func (w *writerState) noteKey(key string) {
	if key != "" && !strings.HasPrefix(key, hashedKeyPrefix) {
		w.clearKeys = true
	}
}

// findClearKeys sets clearKeys when the key table or the transfers of
// warehouse hold a key stored clear (the keys not yet flushed are noted as
// they are loaded). Both lookups seek the tables' key indexes around the
// hashed range.
func (s *Store) findClearKeys(ctx context.Context, warehouse string) error {
	var found bool
	err := s.wdb.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM idempotency_keys WHERE warehouse_id = ?1 AND key < 'sha256:')
		OR EXISTS (SELECT 1 FROM idempotency_keys WHERE warehouse_id = ?1 AND key >= 'sha256;')
		OR EXISTS (SELECT 1 FROM transfers WHERE sender = ?1 AND idempotency_key < 'sha256:')
		OR EXISTS (SELECT 1 FROM transfers WHERE sender = ?1 AND idempotency_key >= 'sha256;')`, warehouse).Scan(&found)
	if err != nil {
		return fmt.Errorf("looking for idempotency keys stored clear: %w", err)
	}
	s.w.clearKeys = s.w.clearKeys || found
	return nil
}
