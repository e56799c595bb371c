package auth

import (
	"crypto/sha256"
	"errors"
	"sync"
	"time"
)

// digest is the SHA-256 of a token; as a map key it costs no allocation.
type digest [sha256.Size]byte

// result is the outcome of a Store lookup.
type result struct {
	p   Principal
	err error
}

// entry is a cached result and when it stops counting.
type entry struct {
	result
	expires time.Time
}

// call is a Store lookup under way; done closes once res is set.
type call struct {
	done      chan struct{}
	res       result
	abandoned bool   // the leader's context ended, so res says nothing of the token
	waiters   int    // callers sharing this lookup besides the leader; for tests
	gen       uint64 // cache generation when the lookup began
}

// cache holds the positive and negative results and the lookups under way,
// all guarded by mu. gen counts resets, so that a lookup begun before Forget
// does not refill the cache after it.
type cache struct {
	mu       sync.RWMutex
	gen      uint64
	pos, neg map[digest]entry
	inflight map[digest]*call
}

func (c *cache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.pos = make(map[digest]entry)
	c.neg = make(map[digest]entry)
	c.inflight = make(map[digest]*call)
}

// get returns the cached result for key and reports whether there was an
// unexpired one. It is the hot path: a read lock and two map lookups.
func (c *cache) get(key digest, now time.Time) (Principal, error, bool) {
	c.mu.RLock()
	r, ok := c.getLocked(key, now)
	c.mu.RUnlock()
	return r.p, r.err, ok
}

func (c *cache) getLocked(key digest, now time.Time) (result, bool) {
	if e, ok := c.pos[key]; ok && now.Before(e.expires) {
		return e.result, true
	}
	if e, ok := c.neg[key]; ok && now.Before(e.expires) {
		return e.result, true
	}
	return result{}, false
}

// join returns the cached result for key if one appeared meanwhile (done),
// or the call under way for key, registering a new one if there is none, in
// which case the caller is its leader and must call finish.
func (c *cache) join(key digest, now time.Time) (cl *call, leader bool, r result, done bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.getLocked(key, now); ok {
		return nil, false, r, true
	}
	if cl, ok := c.inflight[key]; ok {
		cl.waiters++
		return cl, false, result{}, false
	}
	cl = &call{done: make(chan struct{}), gen: c.gen}
	c.inflight[key] = cl
	return cl, true, result{}, false
}

// finish records the outcome of cl, caches it unless the cache was reset
// since cl began or the outcome was a failure, and wakes cl's waiters.
func (c *cache) finish(key digest, cl *call, now time.Time, posTTL, negTTL time.Duration, limit int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer close(cl.done)
	if c.inflight[key] == cl {
		delete(c.inflight, key)
	}
	if cl.gen != c.gen || cl.abandoned {
		return
	}
	switch {
	case cl.res.err == nil:
		until := now.Add(posTTL)
		if exp := cl.res.p.Expires; !exp.IsZero() && exp.Before(until) {
			until = exp
		}
		put(c.pos, key, entry{cl.res, until}, now, limit)
	case errors.Is(cl.res.err, ErrUnauthenticated):
		put(c.neg, key, entry{cl.res, now.Add(negTTL)}, now, limit)
	}
}

// put stores e under key, first making room when m holds limit entries: it
// drops expired entries and, if that frees less than a quarter, arbitrary
// ones down to three quarters of limit, so sweeps stay rare under a flood.
func put(m map[digest]entry, key digest, e entry, now time.Time, limit int) {
	if _, ok := m[key]; !ok && len(m) >= limit {
		for k, old := range m {
			if !now.Before(old.expires) {
				delete(m, k)
			}
		}
		for k := range m {
			if len(m) <= limit*3/4 {
				break
			}
			delete(m, k)
		}
	}
	m[key] = e
}
