package auth

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Config is the auth: section of the beacon configuration.
type Config struct {
	// Issuers are the OIDC providers (and passport brokers) whose access tokens and Passport
	// JWTs are accepted.
	Issuers []IssuerConfig `yaml:"issuers"`
	// VisaIssuers are who may sign passport visas; a visa of any other iss is ignored.
	VisaIssuers []VisaIssuerConfig `yaml:"visaIssuers"`
}

// IssuerConfig is one accepted token issuer: discovery is read from
// {Issuer}/.well-known/openid-configuration, and Audience must be in the token's aud.
type IssuerConfig struct {
	Issuer   string `yaml:"issuer"`
	Audience string `yaml:"audience"`
}

// VisaIssuerConfig is one trusted visa signer: JWKSURI is the only place its keys are read
// from (a visa's own jku header is never followed).
type VisaIssuerConfig struct {
	Issuer  string `yaml:"issuer"`
	JWKSURI string `yaml:"jwksUri"`
}

// Enabled reports whether any token issuer is configured. Without one the beacon has no
// authentication and every caller is anonymous.
func (c *Config) Enabled() bool { return len(c.Issuers) > 0 }

// FieldError is one invalid setting: Keys is its path below auth (e.g. issuers, 0, audience).
type FieldError struct {
	Keys []string
	Msg  string
}

// Validate trims the settings and returns one FieldError per invalid one.
func (c *Config) Validate() []FieldError {
	var errs []FieldError
	bad := func(msg string, keys ...string) { errs = append(errs, FieldError{Keys: keys, Msg: msg}) }
	seen := map[string]bool{}
	for i := range c.Issuers {
		is := &c.Issuers[i]
		n := fmt.Sprint(i)
		is.Issuer = strings.TrimRight(strings.TrimSpace(is.Issuer), "/")
		is.Audience = strings.TrimSpace(is.Audience)
		if msg := checkURL(is.Issuer); msg != "" {
			bad(msg, "issuers", n, "issuer")
		}
		if seen[is.Issuer] {
			bad(fmt.Sprintf("issuer %q is listed twice", is.Issuer), "issuers", n, "issuer")
		}
		seen[is.Issuer] = true
		if is.Audience == "" {
			bad("an audience is required: tokens minted for another service must not be accepted", "issuers", n, "audience")
		}
	}
	seenVisa := map[string]bool{}
	for i := range c.VisaIssuers {
		v := &c.VisaIssuers[i]
		n := fmt.Sprint(i)
		v.Issuer = strings.TrimSpace(v.Issuer)
		v.JWKSURI = strings.TrimSpace(v.JWKSURI)
		if v.Issuer == "" {
			bad("an issuer is required", "visaIssuers", n, "issuer")
		}
		if seenVisa[v.Issuer] {
			bad(fmt.Sprintf("visa issuer %q is listed twice", v.Issuer), "visaIssuers", n, "issuer")
		}
		seenVisa[v.Issuer] = true
		if msg := checkURL(v.JWKSURI); msg != "" {
			bad(msg, "visaIssuers", n, "jwksUri")
		}
	}
	return errs
}

// checkURL accepts an absolute https URL, or http on a loopback host (a local test issuer):
// keys fetched in clear over a network could be replaced on the way.
func checkURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Sprintf("%q is not an absolute URL without query or fragment", s)
	}
	switch u.Scheme {
	case "https":
		return ""
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); (ip != nil && ip.IsLoopback()) || host == "localhost" {
			return ""
		}
		return fmt.Sprintf("%q must use https (http only on a loopback host)", s)
	}
	return fmt.Sprintf("%q must be an https URL", s)
}
