package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/stockmesh/stockmesh/internal/sealing"
)

// createKeyCheck creates the row that ties the database to its index key:
// the keyed hash of a constant (keyCheckField) under DATA/keys/index.key,
// written when the database first uses its keys. A start whose index key
// hashes it otherwise is refused: every stored hash and fingerprint would
// stop matching, silently (lookups by reference finding nothing, a keyed
// resend refused as another request).
const createKeyCheck = `CREATE TABLE IF NOT EXISTS key_check (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	index_hash BLOB NOT NULL
)`

// keyCheckField and keyCheckValue are what the key check hashes.
const keyCheckField, keyCheckValue = "key-check", "stockmesh index key"

// initKeys loads the keys of data at rest (unless Options gave them) and
// checks them against the database: keys are created only for a database
// that has never used any, so a start never writes fresh key files over
// lost ones; a database whose keys are missing, or whose index key is not
// the one its hashes were made with, is refused.
func (s *Store) initKeys(ctx context.Context) error {
	for _, table := range []string{createKeyCheck, createSealing} {
		if _, err := s.wdb.ExecContext(ctx, table); err != nil {
			return fmt.Errorf("creating the key check: %w", err)
		}
	}
	if s.keys == nil {
		dir := filepath.Join(s.dir, sealing.Dir)
		ring, err := sealing.Load(dir)
		if errors.Is(err, sealing.ErrNoKeys) {
			ring, err = s.createKeys(ctx, dir, err)
		}
		if err != nil {
			return fmt.Errorf("loading the keys of data at rest: %w", err)
		}
		s.keys = ring
	}
	return s.checkIndexKey(ctx)
}

// createKeys creates the missing keys in dir for a database that has
// never used keys; missing is why Load failed.
func (s *Store) createKeys(ctx context.Context, dir string, missing error) (*sealing.Ring, error) {
	used, err := s.usesKeys(ctx)
	if err != nil {
		return nil, err
	}
	if used {
		return nil, fmt.Errorf("%w: this database holds values sealed or hashed with them: "+
			"restore %s from the same backup as the database (no key was written)", missing, sealing.Dir)
	}
	return sealing.Create(dir)
}

// usesKeys reports whether the database holds anything made with the keys
// of data at rest: the key check, a reseal pass, a hashed movement, a
// token (its name is sealed) or an audit entry.
func (s *Store) usesKeys(ctx context.Context) (bool, error) {
	var used bool
	err := s.wdb.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM key_check) OR EXISTS (SELECT 1 FROM sealing)
		OR EXISTS (SELECT 1 FROM movements WHERE reference_hash IS NOT NULL)
		OR EXISTS (SELECT 1 FROM movements WHERE actor_hash IS NOT NULL)
		OR EXISTS (SELECT 1 FROM tokens) OR EXISTS (SELECT 1 FROM audit_log)`).Scan(&used)
	if err != nil {
		return false, fmt.Errorf("checking whether the database uses keys: %w", err)
	}
	return used, nil
}

// checkIndexKey compares the index key with the database's key check, and
// writes the check when there is none, after checking the key against the
// latest hashed reference when there is one (a database from before the
// check).
func (s *Store) checkIndexKey(ctx context.Context) error {
	want := s.keys.Hash(keyCheckField, keyCheckValue)
	var stored []byte
	err := s.wdb.QueryRowContext(ctx, `SELECT index_hash FROM key_check WHERE id = 1`).Scan(&stored)
	switch {
	case err == nil:
		if !bytes.Equal(stored, want) {
			return errIndexKey("it is not the key this database's hashes were made with")
		}
		return nil
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("reading the key check: %w", err)
	}
	if err := s.checkReferenceHash(ctx); err != nil {
		return err
	}
	if _, err := s.wdb.ExecContext(ctx, `INSERT INTO key_check (id, index_hash) VALUES (1, ?)`, want); err != nil {
		return fmt.Errorf("writing the key check: %w", err)
	}
	return nil
}

// checkReferenceHash checks the index key against the latest movement
// with a reference: its stored hash must be the key's hash of the
// reference it opens to.
func (s *Store) checkReferenceHash(ctx context.Context) error {
	var (
		warehouse, ref string
		seq            int64
		hash           []byte
	)
	err := s.wdb.QueryRowContext(ctx, `SELECT warehouse_id, seq, reference, reference_hash FROM movements
		WHERE reference_hash IS NOT NULL ORDER BY id DESC LIMIT 1`).Scan(&warehouse, &seq, &ref, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return fmt.Errorf("checking the index key: %w", err)
	}
	clear, err := s.keys.Open(ref, sealAD(warehouse, seq, fieldReference))
	if err != nil {
		return fmt.Errorf("the keys in %s do not open what the database holds (%w): "+
			"restore that folder from the same backup as the database", sealing.Dir, err)
	}
	if !bytes.Equal(s.keys.Hash(fieldReference, clear), hash) {
		return errIndexKey("it does not give the hashes the database holds")
	}
	return nil
}

// errIndexKey is the refusal of an index key that is not the database's.
func errIndexKey(why string) error {
	return fmt.Errorf("%s/index.key: %s: restore it from the same backup as the database "+
		"(a new one would leave every lookup by reference or actor, and every idempotent retry, silently wrong)", sealing.Dir, why)
}
