// Package auth turns a bearer token into a Caller: who is asking (issuer and subject), at
// which level (anonymous or registered) and with which GA4GH Passport grants
// (ControlledAccessGrants visa values). It follows the GA4GH AAI OIDC profile 1.2: access
// tokens are JWTs verified against their issuer's keys from OIDC discovery; passports come
// from the issuer's userinfo endpoint or as a Passport JWT sent as the bearer; each visa is
// verified on its own against the keys of a configured visa issuer only.
//
// It knows nothing of HTTP requests or datasets: the api package decides what a Caller may
// see. All JOSE work is done by github.com/lestrrat-go/jwx/v3; this package only chooses
// which keys and algorithms are acceptable.
package auth
