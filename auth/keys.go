package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// errUnknownKey: the token names a key the issuer does not publish (after a refresh, or
// while a refresh is not allowed yet).
var errUnknownKey = errors.New("signed with a key the issuer does not publish")

// keySet is one issuer's JSON Web Key Set, fetched from one fixed URL. It is fetched on
// first use and again when a token names an unknown kid (key rotation), but at most once
// per refresh interval: a stream of tokens with made-up kids must not turn the beacon into
// a flood of requests to the issuer.
type keySet struct {
	url     string
	client  *http.Client
	now     func() time.Time
	refresh time.Duration

	mu        sync.RWMutex
	set       jwk.Set
	lastFetch time.Time // zero: never fetched
}

func newKeySet(url string, o *Options) *keySet {
	return &keySet{url: url, client: o.HTTPClient, now: o.Now, refresh: o.RefreshInterval}
}

// lookup returns the key with id kid, refreshing the set once when it is unknown and the
// last fetch is older than the refresh interval.
func (k *keySet) lookup(ctx context.Context, kid string) (jwk.Key, error) {
	k.mu.RLock()
	set, last := k.set, k.lastFetch
	k.mu.RUnlock()
	if set != nil {
		if key, ok := set.LookupKeyID(kid); ok {
			return key, nil
		}
	}
	if !last.IsZero() && k.now().Sub(last) < k.refresh {
		return nil, errUnknownKey
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.lastFetch != last { // another request refreshed meanwhile
		if key, ok := k.set.LookupKeyID(kid); ok {
			return key, nil
		}
		return nil, errUnknownKey
	}
	k.lastFetch = k.now()
	body, err := get(ctx, k.client, k.url, "")
	if err != nil {
		return nil, fmt.Errorf("fetching the issuer's keys: %w", err)
	}
	fresh, err := jwk.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("the issuer's keys at %s: %w", k.url, err)
	}
	k.set = fresh
	if key, ok := fresh.LookupKeyID(kid); ok {
		return key, nil
	}
	return nil, errUnknownKey
}
