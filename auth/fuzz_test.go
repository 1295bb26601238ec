package auth

import (
	"context"
	"testing"
	"time"

	"github.com/bitbeacon/bitbeacon/internal/oidctest"
)

// FuzzVerify feeds arbitrary bearer tokens (seeded with a good access token, a Passport
// JWT with visas, and broken ones) to the verifier: it must never panic, and nothing but
// the good seeds may verify, since a mutation cannot carry a valid signature.
func FuzzVerify(f *testing.F) {
	idp := oidctest.New(f)
	now := time.Now()
	cfg := Config{Issuers: []IssuerConfig{{Issuer: idp.URL, Audience: aud}}, VisaIssuers: []VisaIssuerConfig{{Issuer: idp.URL, JWKSURI: idp.JWKSURI()}}}
	if errs := cfg.Validate(); len(errs) > 0 {
		f.Fatal(errs)
	}
	v := NewVerifier(cfg, Options{})
	access := idp.Sign(oidctest.Token{Claims: idp.AccessClaims("alice", aud, now)})
	pc := idp.AccessClaims("alice", aud, now)
	pc["ga4gh_passport_v1"] = []string{idp.Sign(oidctest.Token{Kid: "ec1", Claims: idp.VisaClaims("alice", "A", now)}), "x.y.z"}
	passport := idp.Sign(oidctest.Token{Typ: "vnd.ga4gh.passport+jwt", Claims: pc})
	good := map[string]bool{access: true, passport: true}
	for _, s := range []string{access, passport, oidctest.Unsigned("rsa1", pc), "a.b.c", "e30.e30.", "", "...."} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, tok []byte) {
		c, err := v.Verify(context.Background(), tok)
		if err == nil && (c == nil || !good[string(tok)]) {
			t.Fatalf("verified a token that is not a good seed: %q", tok)
		}
	})
}
