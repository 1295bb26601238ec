package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// visaClaim is the ga4gh_visa_v1 claim of a visa (GA4GH Passport v1.2).
type visaClaim struct {
	Type       string          `json:"type"`
	Asserted   int64           `json:"asserted"`
	Value      string          `json:"value"`
	Source     string          `json:"source"`
	By         string          `json:"by"`
	Conditions json.RawMessage `json:"conditions"`
}

// controlledAccessGrants is the only visa type that grants anything here.
const controlledAccessGrants = "ControlledAccessGrants"

// errNotAGrant: a verified visa of another type (AffiliationAndRole, ResearcherStatus…),
// which grants no dataset; it is skipped without complaint.
var errNotAGrant = errors.New("not a ControlledAccessGrants visa")

// grant is what one accepted visa gives: a dataset grant value until exp.
type grant struct {
	value string
	exp   time.Time
}

// verifyVisa verifies one visa of subject sub on its own: it must be signed by a
// configured visa issuer with a key from that issuer's configured jwksUri (its jku, if any,
// is never followed), unexpired, about sub, and a ControlledAccessGrants assertion with a
// value, a source, a by and no conditions (which bitbeacon does not evaluate, so a visa
// that has them is refused rather than read as unconditional).
func (v *Verifier) verifyVisa(ctx context.Context, raw, sub string) (grant, error) {
	s, err := inspect([]byte(raw))
	if err != nil {
		return grant{}, err
	}
	if s.typ == typPassport {
		return grant{}, errors.New("a passport is not a visa")
	}
	keys, ok := v.visaIssuers[s.iss]
	if !ok {
		return grant{}, fmt.Errorf("visa issuer %q is not trusted", s.iss)
	}
	tok, err := verify(ctx, []byte(raw), s, keys, checks{issuer: s.iss, now: v.opts.Now, skew: v.opts.Skew})
	if err != nil {
		return grant{}, fmt.Errorf("visa of %s: %w", s.iss, err)
	}
	if vs, _ := tok.Subject(); vs != sub {
		return grant{}, fmt.Errorf("visa of %s is for another subject", s.iss)
	}
	var claims struct {
		Visa *visaClaim `json:"ga4gh_visa_v1"`
	}
	if err := json.Unmarshal(s.payload, &claims); err != nil || claims.Visa == nil {
		return grant{}, fmt.Errorf("visa of %s has no ga4gh_visa_v1 claim", s.iss)
	}
	c := claims.Visa
	if c.Type != controlledAccessGrants {
		return grant{}, errNotAGrant
	}
	switch {
	case c.Value == "":
		return grant{}, errors.New("grant without a value")
	case c.Source == "":
		return grant{}, errors.New("grant without a source")
	case c.By == "":
		return grant{}, errors.New("grant without by")
	case c.Asserted <= 0 || time.Unix(c.Asserted, 0).After(v.opts.Now().Add(v.opts.Skew)):
		return grant{}, errors.New("grant asserted in the future or not at all")
	}
	if cond := bytes.TrimSpace(c.Conditions); len(cond) > 0 && !bytes.Equal(cond, []byte("null")) && !bytes.Equal(cond, []byte("[]")) {
		return grant{}, errors.New("grant with conditions, which this beacon does not evaluate")
	}
	exp, _ := tok.Expiration()
	return grant{value: c.Value, exp: exp}, nil
}
