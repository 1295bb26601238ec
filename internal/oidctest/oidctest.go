// Package oidctest is a real OpenID provider on loopback for tests: discovery, a JWKS and
// a userinfo endpoint served by httptest, with RSA and EC keys generated in the test, and
// helpers minting access tokens, Passport JWTs and visas, good and bad. It signs with
// lestrrat-go/jwx like any provider would; only the deliberately broken tokens (alg none,
// a garbled signature) are put together by hand.
package oidctest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// Issuer is a running test provider.
type Issuer struct {
	t   testing.TB
	srv *httptest.Server
	// URL is the issuer identifier (the server's base URL).
	URL string

	mu        sync.Mutex
	keys      map[string]jwk.Key // kid → private key
	published []string           // kids in the JWKS
	passports map[string][]string
	// JWKSFetches counts GET /jwks.
	JWKSFetches atomic.Int64
	// UserinfoCalls counts GET /userinfo.
	UserinfoCalls atomic.Int64
}

// New starts an issuer with two published keys, "rsa1" (RSA 2048) and "ec1" (P-256).
func New(t testing.TB) *Issuer {
	t.Helper()
	is := &Issuer{t: t, keys: map[string]jwk.Key{}, passports: map[string][]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{
			"issuer":            is.URL,
			"jwks_uri":          is.URL + "/jwks",
			"userinfo_endpoint": is.URL + "/userinfo",
		})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		is.JWKSFetches.Add(1)
		writeJSON(w, is.PublicSet())
	})
	mux.HandleFunc("/userinfo", func(w http.ResponseWriter, r *http.Request) {
		is.UserinfoCalls.Add(1)
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		is.mu.Lock()
		visas, known := is.passports[tok]
		is.mu.Unlock()
		if !ok || !known {
			http.Error(w, `{"error":"invalid_token"}`, http.StatusUnauthorized)
			return
		}
		parsed, err := jwt.ParseInsecure([]byte(tok))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		sub, _ := parsed.Subject()
		writeJSON(w, map[string]any{"sub": sub, "ga4gh_passport_v1": visas})
	})
	is.srv = httptest.NewServer(mux)
	t.Cleanup(is.srv.Close)
	is.URL = is.srv.URL
	is.AddKey("rsa1", "RS256")
	is.AddKey("ec1", "ES256")
	return is
}

// JWKSURI is where the issuer publishes its keys.
func (is *Issuer) JWKSURI() string { return is.URL + "/jwks" }

// AddKey generates a key (RS256: RSA 2048; ES256: P-256) and publishes it under kid.
func (is *Issuer) AddKey(kid, alg string) {
	is.t.Helper()
	k := is.generate(kid, alg)
	is.mu.Lock()
	is.keys[kid] = k
	is.published = append(is.published, kid)
	is.mu.Unlock()
}

// AddUnpublishedKey generates a key the issuer signs with but does not publish (yet).
func (is *Issuer) AddUnpublishedKey(kid, alg string) {
	is.t.Helper()
	k := is.generate(kid, alg)
	is.mu.Lock()
	is.keys[kid] = k
	is.mu.Unlock()
}

// Publish adds an already generated key to the JWKS (key rotation).
func (is *Issuer) Publish(kid string) {
	is.mu.Lock()
	is.published = append(is.published, kid)
	is.mu.Unlock()
}

func (is *Issuer) generate(kid, alg string) jwk.Key {
	var raw any
	var err error
	switch alg {
	case "RS256":
		raw, err = rsa.GenerateKey(rand.Reader, 2048)
	case "ES256":
		raw, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		is.t.Fatalf("oidctest: no key kind for %s", alg)
	}
	if err != nil {
		is.t.Fatal(err)
	}
	k, err := jwk.Import(raw)
	if err != nil {
		is.t.Fatal(err)
	}
	_ = k.Set(jwk.KeyIDKey, kid)
	_ = k.Set(jwk.AlgorithmKey, alg)
	return k
}

// PublicSet is the JWKS the issuer serves.
func (is *Issuer) PublicSet() jwk.Set {
	is.mu.Lock()
	defer is.mu.Unlock()
	set := jwk.NewSet()
	for _, kid := range is.published {
		pub, err := is.keys[kid].PublicKey()
		if err != nil {
			is.t.Fatal(err)
		}
		_ = set.AddKey(pub)
	}
	return set
}

// PublicKeyPEM is the PEM (SPKI) of a key's public half: what an attacker signing HS256
// with the public key uses as the HMAC secret.
func (is *Issuer) PublicKeyPEM(kid string) []byte {
	is.mu.Lock()
	k := is.keys[kid]
	is.mu.Unlock()
	var raw any
	pub, _ := k.PublicKey()
	if err := jwk.Export(pub, &raw); err != nil {
		is.t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(raw)
	if err != nil {
		is.t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// Claims are the claims of a token to mint.
type Claims map[string]any

// Token describes a JWT to mint: Kid names the signing key ("rsa1" by default); Typ sets
// the typ header; JKU sets a jku header.
type Token struct {
	Kid    string
	Typ    string
	JKU    string
	Claims Claims
}

// Sign mints tok with the issuer's key.
func (is *Issuer) Sign(tok Token) string {
	is.t.Helper()
	if tok.Kid == "" {
		tok.Kid = "rsa1"
	}
	is.mu.Lock()
	k := is.keys[tok.Kid]
	is.mu.Unlock()
	if k == nil {
		is.t.Fatalf("oidctest: no key %q", tok.Kid)
	}
	alg, _ := k.Algorithm()
	payload, err := json.Marshal(tok.Claims)
	if err != nil {
		is.t.Fatal(err)
	}
	hdr := jws.NewHeaders()
	_ = hdr.Set(jws.KeyIDKey, tok.Kid)
	if tok.Typ != "" {
		_ = hdr.Set(jws.TypeKey, tok.Typ)
	}
	if tok.JKU != "" {
		_ = hdr.Set(jws.JWKSetURLKey, tok.JKU)
	}
	sa, ok := alg.(jwa.SignatureAlgorithm)
	if !ok {
		is.t.Fatalf("oidctest: key %q has no signature algorithm", tok.Kid)
	}
	out, err := jws.Sign(payload, jws.WithKey(sa, k, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		is.t.Fatal(err)
	}
	return string(out)
}

// AccessClaims are the claims of a good access token for sub and audience, valid for an
// hour from now.
func (is *Issuer) AccessClaims(sub, aud string, now time.Time) Claims {
	return Claims{"iss": is.URL, "sub": sub, "aud": aud, "iat": now.Unix(), "nbf": now.Unix(),
		"exp": now.Add(time.Hour).Unix(), "jti": sub + "-" + now.String()}
}

// VisaClaims are the claims of a good ControlledAccessGrants visa for value.
func (is *Issuer) VisaClaims(sub, value string, now time.Time) Claims {
	return Claims{"iss": is.URL, "sub": sub, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"ga4gh_visa_v1": map[string]any{"type": "ControlledAccessGrants", "asserted": now.Add(-time.Hour).Unix(),
			"value": value, "source": "https://dac.example.org", "by": "dac"}}
}

// SetPassport makes userinfo answer the access token with these visas.
func (is *Issuer) SetPassport(accessToken string, visas []string) {
	is.mu.Lock()
	is.passports[accessToken] = visas
	is.mu.Unlock()
}

// Unsigned is claims with {"alg":"none"} and an empty signature.
func Unsigned(kid string, c Claims) string {
	hdr, _ := json.Marshal(map[string]string{"alg": "none", "kid": kid})
	payload, _ := json.Marshal(c)
	return b64(hdr) + "." + b64(payload) + "."
}

// HMAC signs claims HS256 with secret under kid: with a public key's PEM as the secret,
// the algorithm-confusion attack.
func HMAC(t testing.TB, kid string, secret []byte, c Claims) string {
	t.Helper()
	payload, _ := json.Marshal(c)
	hdr := jws.NewHeaders()
	_ = hdr.Set(jws.KeyIDKey, kid)
	out, err := jws.Sign(payload, jws.WithKey(jwa.HS256(), secret, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// Resigned replaces the claims of a signed token and keeps its signature: a forgery.
func Resigned(token string, c Claims) string {
	parts := strings.Split(token, ".")
	payload, _ := json.Marshal(c)
	return parts[0] + "." + b64(payload) + "." + parts[2]
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// B64 is base64url without padding, as JOSE writes its parts.
func B64(s string) string { return b64([]byte(s)) }

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
