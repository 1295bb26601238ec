package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Options tune a Verifier; the zero value of each field is replaced by its default.
type Options struct {
	// HTTPClient reaches the issuers (discovery, JWKS, userinfo). Default: 5 s timeout.
	HTTPClient *http.Client
	// Now is the clock (tests move it). Default time.Now.
	Now func() time.Time
	// RefreshInterval is the least time between two fetches of one issuer's keys (or two
	// discovery attempts). Default 1 minute.
	RefreshInterval time.Duration
	// Skew is the clock difference tolerated on exp, nbf and iat. Default 30 s.
	Skew time.Duration
	// CacheSize bounds the verified tokens kept. Default 10,000.
	CacheSize int
	// Log receives one line per refused token or visa (never the token). Default slog.Default.
	Log *slog.Logger
}

func (o *Options) fill() {
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RefreshInterval <= 0 {
		o.RefreshInterval = time.Minute
	}
	if o.Skew <= 0 {
		o.Skew = 30 * time.Second
	}
	if o.CacheSize <= 0 {
		o.CacheSize = 10000
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
}

// ErrInvalidToken is wrapped by every refusal of a bearer token.
var ErrInvalidToken = errors.New("invalid bearer token")

// userinfoRetry is how long a token is trusted without its passport when the userinfo
// endpoint could not be read: the caller is registered meanwhile, with no grants.
const userinfoRetry = time.Minute

// passportScope is the access token scope that asks for the caller's passport.
const passportScope = "ga4gh_passport_v1"

// Verifier verifies bearer tokens into Callers and caches each verification until it
// expires, so a request with a known token costs one map lookup.
type Verifier struct {
	opts        Options
	issuers     map[string]*issuer
	visaIssuers map[string]*keySet
	cache       tokenCache
}

// NewVerifier returns a verifier for cfg (already validated).
func NewVerifier(cfg Config, opts Options) *Verifier {
	opts.fill()
	v := &Verifier{opts: opts, issuers: map[string]*issuer{}, visaIssuers: map[string]*keySet{}}
	for _, ic := range cfg.Issuers {
		v.issuers[ic.Issuer] = &issuer{cfg: ic, opts: &v.opts}
	}
	for _, vc := range cfg.VisaIssuers {
		v.visaIssuers[vc.Issuer] = newKeySet(vc.JWKSURI, &v.opts)
	}
	v.cache.init(opts.CacheSize)
	return v
}

// Verify returns the caller a bearer token proves, or an error wrapping ErrInvalidToken.
// A token is an access token of a configured issuer (JWT, RS256 or ES256) or a Passport
// JWT (typ vnd.ga4gh.passport+jwt) signed by one.
func (v *Verifier) Verify(ctx context.Context, token []byte) (*Caller, error) {
	now := v.opts.Now()
	if c := v.cache.get(token, now); c != nil {
		return c, nil
	}
	c, err := v.verify(ctx, string(token), now)
	if err != nil {
		v.opts.Log.Info("bearer token refused", "reason", err.Error())
		return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	v.cache.put(string(token), c, now)
	return c, nil
}

// Cached returns the caller of a token verified earlier and not yet expired, else nil:
// the hot path of a request with a token, one map lookup without allocation.
func (v *Verifier) Cached(token []byte) *Caller { return v.cache.get(token, v.opts.Now()) }

func (v *Verifier) verify(ctx context.Context, token string, now time.Time) (*Caller, error) {
	s, err := inspect([]byte(token))
	if err != nil {
		return nil, err
	}
	is, ok := v.issuers[s.iss]
	if !ok {
		return nil, fmt.Errorf("issuer %q is not accepted here", s.iss)
	}
	keys, userinfo, err := is.discover(ctx)
	if err != nil {
		return nil, err
	}
	if s.typ == typVisa {
		return nil, errors.New("a visa is not an access token")
	}
	tok, err := verify(ctx, []byte(token), s, keys, checks{issuer: is.cfg.Issuer, audience: is.cfg.Audience, now: v.opts.Now, skew: v.opts.Skew})
	if err != nil {
		return nil, err
	}
	sub, _ := tok.Subject()
	if sub == "" {
		return nil, errors.New("no sub claim")
	}
	exp, _ := tok.Expiration()
	c := &Caller{Issuer: is.cfg.Issuer, Subject: sub, Level: Registered, Expires: exp}
	var visas []string
	if s.typ == typPassport {
		var p struct {
			Passport []string `json:"ga4gh_passport_v1"`
		}
		if err := json.Unmarshal(s.payload, &p); err != nil {
			return nil, errors.New("the passport's ga4gh_passport_v1 is not a list of visas")
		}
		visas = p.Passport
	} else if len(v.visaIssuers) > 0 && hasScope(s.payload, passportScope) {
		if visas, err = is.userinfoPassport(ctx, userinfo, token, sub); err != nil {
			v.opts.Log.Warn("passport not read; the caller has no grants until it is", "issuer", is.cfg.Issuer, "reason", err.Error())
			c.Expires = minTime(c.Expires, now.Add(userinfoRetry))
		}
	}
	for _, raw := range visas {
		g, err := v.verifyVisa(ctx, raw, sub)
		if err != nil {
			if !errors.Is(err, errNotAGrant) {
				v.opts.Log.Info("visa refused", "issuer", is.cfg.Issuer, "reason", err.Error())
			}
			continue
		}
		if c.grants == nil {
			c.grants = map[string]time.Time{}
		}
		if g.exp.After(c.grants[g.value]) {
			c.grants[g.value] = g.exp
		}
		c.Expires = minTime(c.Expires, g.exp)
	}
	return c, nil
}

// hasScope reports whether the claims' scope (a space-separated string) holds want.
func hasScope(payload []byte, want string) bool {
	var claims struct {
		Scope string `json:"scope"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return false
	}
	return slices.Contains(strings.Fields(claims.Scope), want)
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
