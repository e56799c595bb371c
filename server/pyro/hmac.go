package pyro

import (
	"crypto/hmac"
	"crypto/sha1"
	"errors"
)

// HMAC failures; without the "pyro: " prefix their texts are the ones
// Pyro4 itself uses, which clients show.
var (
	ErrHMACAsymmetric = errors.New("pyro: hmac key config not symmetric")
	ErrHMACMismatch   = errors.New("pyro: message hmac mismatch")
)

// digest computes Pyro4's HMAC-SHA1 over the payload and then the values of
// all annotations but HMAC, in ascending key order.
func digest(key []byte, f *Frame) []byte {
	m := hmac.New(sha1.New, key)
	m.Write(f.Payload)
	for _, a := range f.sortedAnnotations() {
		if a.Key != "HMAC" {
			m.Write(a.Value)
		}
	}
	return m.Sum(nil)
}

// sign adds (or replaces) f's HMAC annotation when key is set.
func sign(key []byte, f *Frame) {
	if len(key) == 0 {
		return
	}
	anns := f.Annotations[:0:0]
	for _, a := range f.Annotations {
		if a.Key != "HMAC" {
			anns = append(anns, a)
		}
	}
	f.Annotations = anns
	f.Annotations = append(f.Annotations, Annotation{"HMAC", digest(key, f)})
}

// verify checks f's HMAC annotation against key under Pyro4's rules.
func verify(key []byte, f *Frame) error {
	got, has := f.Annotation("HMAC")
	switch {
	case has != (len(key) > 0):
		return ErrHMACAsymmetric
	case !has:
		return nil
	case !hmac.Equal(got, digest(key, f)):
		return ErrHMACMismatch
	}
	return nil
}
