package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// Media types of the GA4GH AAI profile 1.2 (JOSE typ header).
const (
	typPassport = "vnd.ga4gh.passport+jwt"
	typVisa     = "vnd.ga4gh.visa+jwt"
)

// signed is a compact JWS before verification: its protected header and its claims as
// sent. Nothing in it is trusted; it only chooses which issuer's keys to verify with.
type signed struct {
	alg jwa.SignatureAlgorithm
	kid string
	typ string
	iss string
	// payload is the claims as sent; once verify has accepted the token they are the
	// verified claims (the signature covers exactly these bytes).
	payload []byte
}

// inspect reads the header and the unverified iss of a compact JWS, refusing at once what
// can never verify here: not exactly one signature, an algorithm other than RS256 or ES256
// (so "none" and HMAC keyed with a public key are refused before any key is looked at), no
// kid.
func inspect(raw []byte) (signed, error) {
	msg, err := jws.Parse(raw, jws.WithCompact())
	if err != nil {
		return signed{}, fmt.Errorf("not a signed JWT: %w", err)
	}
	sigs := msg.Signatures()
	if len(sigs) != 1 {
		return signed{}, errors.New("not a signed JWT")
	}
	h := sigs[0].ProtectedHeaders()
	var s signed
	alg, _ := h.Algorithm()
	if alg != jwa.RS256() && alg != jwa.ES256() {
		return signed{}, fmt.Errorf("algorithm %q is not accepted (RS256 or ES256 only)", alg.String())
	}
	s.alg = alg
	if s.kid, _ = h.KeyID(); s.kid == "" {
		return signed{}, errors.New("no kid in the JWT header")
	}
	s.typ, _ = h.Type()
	var claims struct {
		Iss string `json:"iss"`
	}
	if err := json.Unmarshal(msg.Payload(), &claims); err != nil {
		return signed{}, errors.New("the JWT claims are not a JSON object")
	}
	s.iss = claims.Iss
	s.payload = msg.Payload()
	return s, nil
}

// keyFits reports whether key is of the kind alg needs: RSA (at least 2048 bits) for RS256,
// P-256 for ES256. The algorithm is the header's, already limited to those two, and the
// key is the issuer's: a key of another kind means a token that cannot be the issuer's.
func keyFits(alg jwa.SignatureAlgorithm, key jwk.Key) bool {
	var raw any
	if err := jwk.Export(key, &raw); err != nil {
		return false
	}
	switch alg {
	case jwa.RS256():
		k, ok := raw.(*rsa.PublicKey)
		return ok && k.N.BitLen() >= 2048
	case jwa.ES256():
		k, ok := raw.(*ecdsa.PublicKey)
		return ok && k.Curve == elliptic.P256()
	}
	return false
}

// checks are the claims a JWT must carry to be accepted.
type checks struct {
	issuer   string
	audience string // "" for visas, which have no audience of ours
	now      func() time.Time
	skew     time.Duration
}

// verify checks the signature of raw with the issuer's key named by its kid, then iss,
// aud, exp (required), nbf and iat, and returns the verified token.
func verify(ctx context.Context, raw []byte, s signed, keys *keySet, c checks) (jwt.Token, error) {
	key, err := keys.lookup(ctx, s.kid)
	if err != nil {
		return nil, err
	}
	if !keyFits(s.alg, key) {
		return nil, fmt.Errorf("key %q does not fit algorithm %s", s.kid, s.alg.String())
	}
	opts := []jwt.ParseOption{
		jwt.WithKey(s.alg, key),
		jwt.WithValidate(true),
		jwt.WithIssuer(c.issuer),
		jwt.WithRequiredClaim("exp"),
		jwt.WithClock(jwt.ClockFunc(c.now)),
		jwt.WithAcceptableSkew(c.skew),
	}
	if c.audience != "" {
		opts = append(opts, jwt.WithAudience(c.audience))
	}
	tok, err := jwt.Parse(raw, opts...)
	if err != nil {
		return nil, err
	}
	return tok, nil
}
