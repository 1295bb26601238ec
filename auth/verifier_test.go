package auth

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bitbeacon/bitbeacon/internal/oidctest"
)

const aud = "bitbeacon"

// clock is a test clock the verifier reads.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	idp, visas, stranger *oidctest.Issuer
	clk                  *clock
	v                    *Verifier
	now                  time.Time
	t                    testing.TB
}

// newFixture: one token issuer (also a visa issuer), one more visa issuer, and a stranger
// nobody configured.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{idp: oidctest.New(t), visas: oidctest.New(t), stranger: oidctest.New(t), t: t}
	f.now = time.Now().Truncate(time.Second)
	f.clk = &clock{t: f.now}
	cfg := Config{
		Issuers: []IssuerConfig{{Issuer: f.idp.URL, Audience: aud}},
		VisaIssuers: []VisaIssuerConfig{
			{Issuer: f.idp.URL, JWKSURI: f.idp.JWKSURI()},
			{Issuer: f.visas.URL, JWKSURI: f.visas.JWKSURI()},
		},
	}
	if errs := cfg.Validate(); len(errs) > 0 {
		t.Fatal(errs)
	}
	f.v = NewVerifier(cfg, Options{Now: f.clk.now, RefreshInterval: time.Minute})
	return f
}

func (f *fixture) verify(t *testing.T, tok string) (*Caller, error) {
	t.Helper()
	return f.v.Verify(context.Background(), []byte(tok))
}

func with(c oidctest.Claims, kv ...any) oidctest.Claims {
	out := oidctest.Claims{}
	for k, v := range c {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
			continue
		}
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

func TestValidAccessTokenIsRegistered(t *testing.T) {
	f := newFixture(t)
	for _, kid := range []string{"rsa1", "ec1"} {
		tok := f.idp.Sign(oidctest.Token{Kid: kid, Typ: "at+jwt", Claims: f.idp.AccessClaims("alice", aud, f.now)})
		c, err := f.verify(t, tok)
		if err != nil {
			t.Fatalf("%s: %v", kid, err)
		}
		if !c.Registered() || c.Subject != "alice" || c.Issuer != f.idp.URL || len(c.Grants()) != 0 {
			t.Errorf("%s: caller %+v", kid, c)
		}
	}
	// An audience list holding ours is fine too.
	tok := f.idp.Sign(oidctest.Token{Claims: with(f.idp.AccessClaims("bob", aud, f.now), "aud", []string{"other", aud})})
	if c, err := f.verify(t, tok); err != nil || c.Subject != "bob" {
		t.Errorf("aud list: %v %+v", err, c)
	}
}

func TestBadAccessTokensAreRefused(t *testing.T) {
	f := newFixture(t)
	good := f.idp.AccessClaims("alice", aud, f.now)
	goodTok := f.idp.Sign(oidctest.Token{Claims: good})
	cases := map[string]string{
		"garbage":         "not.a.jwt",
		"empty":           "",
		"two parts":       "abc.def",
		"alg none":        oidctest.Unsigned("rsa1", good),
		"hmac with pub":   oidctest.HMAC(t, "rsa1", f.idp.PublicKeyPEM("rsa1"), good),
		"hmac with pub2":  oidctest.HMAC(t, "ec1", f.idp.PublicKeyPEM("ec1"), good),
		"re-signed":       oidctest.Resigned(goodTok, with(good, "sub", "mallory")),
		"wrong aud":       f.idp.Sign(oidctest.Token{Claims: with(good, "aud", "another-service")}),
		"no aud":          f.idp.Sign(oidctest.Token{Claims: with(good, "aud", nil)}),
		"wrong iss":       f.idp.Sign(oidctest.Token{Claims: with(good, "iss", "https://login.example.org")}),
		"iss of stranger": f.stranger.Sign(oidctest.Token{Claims: with(good, "iss", f.idp.URL)}),
		"stranger":        f.stranger.Sign(oidctest.Token{Claims: f.stranger.AccessClaims("alice", aud, f.now)}),
		"expired":         f.idp.Sign(oidctest.Token{Claims: with(good, "exp", f.now.Add(-time.Hour).Unix(), "iat", f.now.Add(-2*time.Hour).Unix(), "nbf", f.now.Add(-2*time.Hour).Unix())}),
		"no exp":          f.idp.Sign(oidctest.Token{Claims: with(good, "exp", nil)}),
		"not yet valid":   f.idp.Sign(oidctest.Token{Claims: with(good, "nbf", f.now.Add(10*time.Minute).Unix())}),
		"issued later":    f.idp.Sign(oidctest.Token{Claims: with(good, "iat", f.now.Add(10*time.Minute).Unix())}),
		"no sub":          f.idp.Sign(oidctest.Token{Claims: with(good, "sub", nil)}),
		"no kid":          strings.Replace(goodTok, strings.Split(goodTok, ".")[0], oidctest.B64(`{"alg":"RS256"}`), 1),
		"visa as token":   f.idp.Sign(oidctest.Token{Typ: "vnd.ga4gh.visa+jwt", Claims: with(good, "ga4gh_visa_v1", map[string]any{})}),
		"unknown kid":     f.stranger.Sign(oidctest.Token{Kid: "rsa1", Claims: good}), // kid rsa1, stranger's key
	}
	for name, tok := range cases {
		c, err := f.verify(t, tok)
		if err == nil || c != nil {
			t.Errorf("%s: accepted (%+v)", name, c)
			continue
		}
		if !errors.Is(err, ErrInvalidToken) {
			t.Errorf("%s: error %v does not wrap ErrInvalidToken", name, err)
		}
	}
	// The good one still passes after all that.
	if _, err := f.verify(t, goodTok); err != nil {
		t.Fatal(err)
	}
}

// An unknown kid refreshes the keys, at most once per refresh interval: a key rotated in
// is found, a flood of made-up kids does not become a flood of JWKS fetches.
func TestUnknownKidRefreshIsRateLimited(t *testing.T) {
	f := newFixture(t)
	good := f.idp.AccessClaims("alice", aud, f.now)
	if _, err := f.verify(t, f.idp.Sign(oidctest.Token{Claims: good})); err != nil {
		t.Fatal(err)
	}
	if n := f.idp.JWKSFetches.Load(); n != 1 {
		t.Fatalf("%d JWKS fetches after the first token, want 1", n)
	}
	f.idp.AddUnpublishedKey("rsa2", "RS256")
	for i := range 20 {
		tok := f.idp.Sign(oidctest.Token{Kid: "rsa2", Claims: with(good, "jti", i)})
		if _, err := f.verify(t, tok); err == nil {
			t.Fatal("a token signed with an unpublished key was accepted")
		}
	}
	if n := f.idp.JWKSFetches.Load(); n != 1 {
		t.Errorf("%d JWKS fetches within the refresh interval, want 1", n)
	}
	// The issuer rotates rsa2 in; within the interval it is not yet fetched…
	f.idp.Publish("rsa2")
	rotated := f.idp.Sign(oidctest.Token{Kid: "rsa2", Claims: with(good, "jti", "rotated")})
	if _, err := f.verify(t, rotated); err == nil {
		t.Error("refresh before the interval")
	}
	// …after it, one refresh finds it.
	f.clk.add(61 * time.Second)
	rotated = f.idp.Sign(oidctest.Token{Kid: "rsa2", Claims: with(f.idp.AccessClaims("alice", aud, f.clk.now()), "jti", "rotated2")})
	if _, err := f.verify(t, rotated); err != nil {
		t.Fatalf("rotated key: %v", err)
	}
	if n := f.idp.JWKSFetches.Load(); n != 2 {
		t.Errorf("%d JWKS fetches, want 2", n)
	}
}

func TestVerificationIsCachedUntilExpiry(t *testing.T) {
	f := newFixture(t)
	claims := with(f.idp.AccessClaims("alice", aud, f.now), "exp", f.now.Add(2*time.Minute).Unix())
	tok := f.idp.Sign(oidctest.Token{Claims: claims})
	a, err := f.verify(t, tok)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.verify(t, tok)
	if err != nil || a != b {
		t.Fatalf("second verification not from the cache: %v %p %p", err, a, b)
	}
	f.clk.add(3 * time.Minute) // past exp and the skew
	if c, err := f.verify(t, tok); err == nil {
		t.Fatalf("expired token served from the cache: %+v", c)
	}
}
