package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// issuer is one configured token issuer, discovered on first use: its keys come from the
// jwks_uri of {issuer}/.well-known/openid-configuration, and passports from its
// userinfo_endpoint. Discovery that fails is retried, at most once per refresh interval.
type issuer struct {
	cfg  IssuerConfig
	opts *Options

	mu       sync.Mutex
	keys     *keySet
	userinfo string
	tried    time.Time
	err      error
}

// discovery is the part of the OpenID provider metadata used here.
type discovery struct {
	Issuer   string `json:"issuer"`
	JWKSURI  string `json:"jwks_uri"`
	UserInfo string `json:"userinfo_endpoint"`
}

// discover returns the issuer's key set and userinfo endpoint.
func (is *issuer) discover(ctx context.Context) (*keySet, string, error) {
	is.mu.Lock()
	defer is.mu.Unlock()
	if is.keys != nil {
		return is.keys, is.userinfo, nil
	}
	if !is.tried.IsZero() && is.opts.Now().Sub(is.tried) < is.opts.RefreshInterval {
		return nil, "", is.err
	}
	is.tried = is.opts.Now()
	var d discovery
	if err := getJSON(ctx, is.opts.HTTPClient, is.cfg.Issuer+"/.well-known/openid-configuration", "", &d); err != nil {
		is.err = fmt.Errorf("discovery of %s: %w", is.cfg.Issuer, err)
		return nil, "", is.err
	}
	// OIDC Discovery §4.3: the metadata must name the issuer it was fetched for.
	if d.Issuer != is.cfg.Issuer {
		is.err = fmt.Errorf("discovery of %s names issuer %q", is.cfg.Issuer, d.Issuer)
		return nil, "", is.err
	}
	if checkURL(d.JWKSURI) != "" {
		is.err = fmt.Errorf("discovery of %s: jwks_uri %q is not an https URL", is.cfg.Issuer, d.JWKSURI)
		return nil, "", is.err
	}
	if d.UserInfo != "" && checkURL(d.UserInfo) != "" {
		is.err = fmt.Errorf("discovery of %s: userinfo_endpoint %q is not an https URL", is.cfg.Issuer, d.UserInfo)
		return nil, "", is.err
	}
	is.keys = newKeySet(d.JWKSURI, is.opts)
	is.userinfo = d.UserInfo
	is.err = nil
	return is.keys, is.userinfo, nil
}

// userinfoPassport asks the issuer's userinfo endpoint for the caller's passport with the
// access token, and returns its visas. The answer must be about the token's subject.
func (is *issuer) userinfoPassport(ctx context.Context, endpoint, token, sub string) ([]string, error) {
	if endpoint == "" {
		return nil, errors.New("the issuer has no userinfo endpoint")
	}
	var ui struct {
		Sub      string   `json:"sub"`
		Passport []string `json:"ga4gh_passport_v1"`
	}
	if err := getJSON(ctx, is.opts.HTTPClient, endpoint, token, &ui); err != nil {
		return nil, fmt.Errorf("userinfo: %w", err)
	}
	if ui.Sub != sub {
		return nil, fmt.Errorf("userinfo is about subject %q, not the token's", ui.Sub)
	}
	return ui.Passport, nil
}
