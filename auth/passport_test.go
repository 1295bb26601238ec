package auth

import (
	"slices"
	"testing"
	"time"

	"github.com/bitbeacon/bitbeacon/internal/oidctest"
)

const grantA = "https://example.org/datasets/A"

// visaCases are visas for subject alice, one good and each of the ways one must be
// refused; every one names a different dataset so the grants say which were accepted.
func visaCases(f *fixture) map[string]string {
	good := func(value string) oidctest.Claims { return f.visas.VisaClaims("alice", value, f.now) }
	visa := func(c oidctest.Claims) oidctest.Token {
		return oidctest.Token{Kid: "ec1", Typ: "vnd.ga4gh.visa+jwt", Claims: c}
	}
	grant := func(c oidctest.Claims, k string, v any) oidctest.Claims {
		g := map[string]any{}
		for kk, vv := range c["ga4gh_visa_v1"].(map[string]any) {
			g[kk] = vv
		}
		if v == nil {
			delete(g, k)
		} else {
			g[k] = v
		}
		return with(c, "ga4gh_visa_v1", g)
	}
	goodVisa := f.visas.Sign(visa(good("forged")))
	return map[string]string{
		grantA:               f.visas.Sign(visa(good(grantA))),
		"from-token-issuer":  f.idp.Sign(oidctest.Token{Typ: "vnd.ga4gh.visa+jwt", Claims: with(good("from-token-issuer"), "iss", f.idp.URL)}),
		"forged":             oidctest.Resigned(goodVisa, good("forged-other")),
		"stranger":           f.stranger.Sign(visa(with(good("stranger"), "iss", f.stranger.URL))),
		"stranger-as-issuer": f.stranger.Sign(oidctest.Token{Kid: "ec1", JKU: f.stranger.JWKSURI(), Claims: good("stranger-as-issuer")}),
		"expired":            f.visas.Sign(visa(with(good("expired"), "exp", f.now.Add(-time.Hour).Unix(), "iat", f.now.Add(-2*time.Hour).Unix()))),
		"no-exp":             f.visas.Sign(visa(with(good("no-exp"), "exp", nil))),
		"other-subject":      f.visas.Sign(visa(with(good("other-subject"), "sub", "bob"))),
		"other-type":         f.visas.Sign(visa(grant(good("other-type"), "type", "AffiliationAndRole"))),
		"conditions": f.visas.Sign(visa(grant(good("conditions"), "conditions",
			[][]map[string]any{{{"type": "AffiliationAndRole", "value": "const:faculty@example.org", "by": "const:so"}}}))),
		"no-by":     f.visas.Sign(visa(grant(good("no-by"), "by", nil))),
		"no-source": f.visas.Sign(visa(grant(good("no-source"), "source", nil))),
		"future":    f.visas.Sign(visa(grant(good("future"), "asserted", f.now.Add(time.Hour).Unix()))),
		"alg-none":  oidctest.Unsigned("ec1", good("alg-none")),
		"hmac":      oidctest.HMAC(nil2(f), "ec1", f.visas.PublicKeyPEM("ec1"), good("hmac")),
		"garbage":   "garbage",
	}
}

// want lists the visa cases that must grant.
var wantGrants = []string{grantA, "from-token-issuer"}

func nil2(f *fixture) testing.TB { return f.t }

func checkGrants(t *testing.T, c *Caller, now time.Time) {
	t.Helper()
	got := c.Grants()
	slices.Sort(got)
	want := slices.Clone(wantGrants)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("grants %v, want %v", got, want)
	}
	for _, g := range want {
		if !c.HasGrant(g, now) {
			t.Errorf("HasGrant(%q) false", g)
		}
	}
	if c.HasGrant(grantA+"/", now) || c.HasGrant("https://example.org/datasets/a", now) {
		t.Error("a grant matched a value that is not exactly its own")
	}
}

func TestPassportFromUserinfo(t *testing.T) {
	f := newFixture(t)
	cases := visaCases(f)
	var visas []string
	for _, v := range cases {
		visas = append(visas, v)
	}
	tok := f.idp.Sign(oidctest.Token{Claims: with(f.idp.AccessClaims("alice", aud, f.now), "scope", "openid ga4gh_passport_v1")})
	f.idp.SetPassport(tok, visas)
	c, err := f.verify(t, tok)
	if err != nil {
		t.Fatal(err)
	}
	checkGrants(t, c, f.now)
	if f.idp.UserinfoCalls.Load() != 1 {
		t.Errorf("%d userinfo calls", f.idp.UserinfoCalls.Load())
	}
	// Cached: no second userinfo call, and the verification ends with the earliest visa.
	if _, err := f.verify(t, tok); err != nil || f.idp.UserinfoCalls.Load() != 1 {
		t.Errorf("not cached: %v, %d userinfo calls", err, f.idp.UserinfoCalls.Load())
	}
	// Without the passport scope, userinfo is not asked and nothing is granted.
	plain := f.idp.Sign(oidctest.Token{Claims: f.idp.AccessClaims("alice", aud, f.now)})
	f.idp.SetPassport(plain, visas)
	if c, err := f.verify(t, plain); err != nil || len(c.Grants()) != 0 || f.idp.UserinfoCalls.Load() != 1 {
		t.Errorf("no scope: %v grants %v", err, c.Grants())
	}
	// The grant ends with its visa even if the token lives on.
	if c.HasGrant(grantA, f.now.Add(2*time.Hour)) {
		t.Error("grant outlived its visa")
	}
}

func TestPassportJWTAsBearer(t *testing.T) {
	f := newFixture(t)
	cases := visaCases(f)
	var visas []string
	for _, v := range cases {
		visas = append(visas, v)
	}
	claims := with(f.idp.AccessClaims("alice", aud, f.now), "ga4gh_passport_v1", visas)
	tok := f.idp.Sign(oidctest.Token{Typ: "vnd.ga4gh.passport+jwt", Claims: claims})
	c, err := f.verify(t, tok)
	if err != nil {
		t.Fatal(err)
	}
	checkGrants(t, c, f.now)
	if f.idp.UserinfoCalls.Load() != 0 {
		t.Error("a Passport JWT made a userinfo call")
	}
	// A passport signed by a stranger, or re-signed, or for another audience, is refused
	// whole.
	for name, bad := range map[string]string{
		"stranger":  f.stranger.Sign(oidctest.Token{Typ: "vnd.ga4gh.passport+jwt", Claims: with(claims, "iss", f.stranger.URL)}),
		"posing":    f.stranger.Sign(oidctest.Token{Typ: "vnd.ga4gh.passport+jwt", Claims: claims}),
		"re-signed": oidctest.Resigned(tok, with(claims, "sub", "bob")),
		"audience":  f.idp.Sign(oidctest.Token{Typ: "vnd.ga4gh.passport+jwt", Claims: with(claims, "aud", "elsewhere")}),
		"expired":   f.idp.Sign(oidctest.Token{Typ: "vnd.ga4gh.passport+jwt", Claims: with(claims, "exp", f.now.Add(-time.Minute).Unix())}),
	} {
		if c, err := f.verify(t, bad); err == nil {
			t.Errorf("%s passport accepted: %+v", name, c)
		}
	}
	// A passport is not a visa.
	inner := f.visas.Sign(oidctest.Token{Kid: "ec1", Typ: "vnd.ga4gh.passport+jwt", Claims: f.visas.VisaClaims("alice", "nested", f.now)})
	p := f.idp.Sign(oidctest.Token{Typ: "vnd.ga4gh.passport+jwt", Claims: with(claims, "ga4gh_passport_v1", []string{inner})})
	if c, err := f.verify(t, p); err != nil || len(c.Grants()) != 0 {
		t.Errorf("nested passport: %v %v", err, c.Grants())
	}
}

// A visa's grant expires with it: once past, the cached verification is redone.
func TestExpiredVisaDropsTheGrant(t *testing.T) {
	f := newFixture(t)
	visa := f.visas.Sign(oidctest.Token{Kid: "ec1", Claims: with(f.visas.VisaClaims("alice", grantA, f.now), "exp", f.now.Add(5*time.Minute).Unix())})
	tok := f.idp.Sign(oidctest.Token{Typ: "vnd.ga4gh.passport+jwt", Claims: with(f.idp.AccessClaims("alice", aud, f.now), "ga4gh_passport_v1", []string{visa})})
	c, err := f.verify(t, tok)
	if err != nil || !c.HasGrant(grantA, f.clk.now()) {
		t.Fatalf("%v %v", err, c.Grants())
	}
	f.clk.add(6 * time.Minute)
	c, err = f.verify(t, tok)
	if err != nil {
		t.Fatal(err)
	}
	if c.HasGrant(grantA, f.clk.now()) || len(c.Grants()) != 0 {
		t.Errorf("expired visa still grants: %v", c.Grants())
	}
}
