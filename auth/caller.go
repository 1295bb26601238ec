package auth

import "time"

// Level is what a caller has proven: nothing (Anonymous) or a verified token (Registered).
// Controlled access is not a level but a grant per dataset (Caller.HasGrant).
type Level uint8

const (
	Anonymous Level = iota
	Registered
)

// Caller is the verified identity behind a request. A nil *Caller is anonymous. A Caller is
// immutable once verified: the verifier caches and shares it between requests.
type Caller struct {
	Issuer  string
	Subject string
	Level   Level
	// Expires is when the token, or the earliest of its visas, expires; the verification is
	// not used after it.
	Expires time.Time
	// grants maps each ControlledAccessGrants value of a verified visa to when that visa
	// expires.
	grants map[string]time.Time
}

// Registered reports whether the caller presented a verified token.
func (c *Caller) Registered() bool { return c != nil && c.Level >= Registered }

// HasGrant reports whether the caller holds a verified, unexpired ControlledAccessGrants
// visa whose value is exactly value.
func (c *Caller) HasGrant(value string, now time.Time) bool {
	if c == nil {
		return false
	}
	exp, ok := c.grants[value]
	return ok && now.Before(exp)
}

// HasGrants reports whether the caller holds any grant, expired or not.
func (c *Caller) HasGrants() bool { return c != nil && len(c.grants) > 0 }

// Grants lists the values of the caller's grants (for logs and tests), unordered.
func (c *Caller) Grants() []string {
	if c == nil {
		return nil
	}
	out := make([]string, 0, len(c.grants))
	for v := range c.grants {
		out = append(out, v)
	}
	return out
}

// ID is the caller's stable identity for per-caller limits: issuer and subject, or "" for an
// anonymous caller.
func (c *Caller) ID() string {
	if c == nil {
		return ""
	}
	return c.Issuer + " " + c.Subject
}
