package auth

import (
	"sync"
	"time"
)

// tokenCache keeps verified callers by token until the caller expires. It is bounded:
// when full, expired entries go first, then an arbitrary half (a flood of distinct valid
// tokens only costs re-verifications, never memory).
type tokenCache struct {
	mu  sync.RWMutex
	max int
	m   map[string]*Caller
}

func (t *tokenCache) init(max int) {
	t.max = max
	t.m = make(map[string]*Caller)
}

// get returns the cached caller of token, nil when absent or expired.
func (t *tokenCache) get(token []byte, now time.Time) *Caller {
	t.mu.RLock()
	c := t.m[string(token)] // no allocation: the conversion is only a map key
	t.mu.RUnlock()
	if c == nil || !now.Before(c.Expires) {
		return nil
	}
	return c
}

func (t *tokenCache) put(token string, c *Caller, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.m) >= t.max {
		for k, old := range t.m {
			if !now.Before(old.Expires) {
				delete(t.m, k)
			}
		}
		for k := range t.m {
			if len(t.m) < t.max/2 {
				break
			}
			delete(t.m, k)
		}
	}
	t.m[token] = c
}
