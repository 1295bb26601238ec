// Package network is bitbeacon's Beacon network aggregator: it serves the Beacon v2 API by
// asking every member beacon at once (v2 members their own endpoint, v1 members /query),
// each under its own timeout and the request's deadline, behind a circuit breaker, and
// merges the answers that validate; its informational endpoints are derived from the
// members'. It reads requests with the api package's parser and never touches an engine.
package network

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is network.yaml. beaconId, name and members are the keys other tooling writes;
// the rest is optional tuning with defaults.
type Config struct {
	BeaconID    string `yaml:"beaconId"`
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// Environment is prod (default), test, dev or staging.
	Environment  string       `yaml:"environment"`
	Organization Organization `yaml:"organization"`
	// BaseURL is where the network is reached (absolute links of /map); default
	// http://<listen>.
	BaseURL string   `yaml:"baseUrl"`
	Members []Member `yaml:"members"`
	// Timeout is a member's timeout when its own is not given (default 5s).
	Timeout time.Duration `yaml:"timeout"`
	// RequestTimeout is the deadline of a whole request, over every member (default 10s).
	RequestTimeout time.Duration `yaml:"requestTimeout"`
	// HedgeAfter, when set, sends an idempotent GET to a member a second time if the first
	// attempt has not answered after this long; the first answer wins. 0: no hedging.
	HedgeAfter time.Duration `yaml:"hedgeAfter"`
	Breaker    Breaker       `yaml:"breaker"`
	// Refresh is how often each member's /info is read to see whether its updateDateTime
	// changed, which refreshes the derived informational endpoints (default 1m).
	Refresh time.Duration `yaml:"refresh"`
}

// Organization is the network's organization (info).
type Organization struct {
	ID         string `yaml:"id"`
	Name       string `yaml:"name"`
	WelcomeURL string `yaml:"welcomeUrl"`
	ContactURL string `yaml:"contactUrl"`
}

// Breaker: after Failures consecutive failed requests (timeout, error, invalid answer) a
// member is not asked for Cooldown; then one request probes it.
type Breaker struct {
	Failures int           `yaml:"failures"` // default 5
	Cooldown time.Duration `yaml:"cooldown"` // default 30s
}

// Member is one member beacon.
type Member struct {
	ID string `yaml:"id"`
	// URL is the member's API root (the path its /info and /individuals are under).
	URL string `yaml:"url"`
	// APIVersion is v2 (default) or v1.
	APIVersion string        `yaml:"apiVersion"`
	Timeout    time.Duration `yaml:"timeout"`
	// ForwardAuthorization sends the caller's Authorization header to this member; no other
	// member ever sees it.
	ForwardAuthorization bool `yaml:"forwardAuthorization"`
}

// V1 reports whether the member speaks Beacon v1.
func (m Member) V1() bool { return m.APIVersion == "v1" }

// LoadConfig reads and validates a network.yaml; an unknown key or a bad value is an error
// naming the file and the field.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("%s: %v", path, err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("%s: %v", path, err)
	}
	return c, nil
}

// Validate checks c and fills the defaults.
func (c *Config) Validate() error {
	if c.BeaconID == "" {
		return fmt.Errorf("beaconId: required")
	}
	if c.Name == "" {
		c.Name = c.BeaconID
	}
	switch c.Environment {
	case "":
		c.Environment = "prod"
	case "prod", "test", "dev", "staging":
	default:
		return fmt.Errorf("environment: %q is not one of prod, test, dev, staging", c.Environment)
	}
	if c.Organization.ID == "" {
		c.Organization.ID = c.BeaconID
	}
	if c.Organization.Name == "" {
		c.Organization.Name = c.Name
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || u.Scheme == "" || u.Host == "" {
			return fmt.Errorf("baseUrl: %q is not an absolute URL", c.BaseURL)
		}
		c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	}
	if c.Timeout == 0 {
		c.Timeout = 5 * time.Second
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = 10 * time.Second
	}
	if c.Breaker.Failures == 0 {
		c.Breaker.Failures = 5
	}
	if c.Breaker.Cooldown == 0 {
		c.Breaker.Cooldown = 30 * time.Second
	}
	if c.Refresh == 0 {
		c.Refresh = time.Minute
	}
	for name, d := range map[string]time.Duration{"timeout": c.Timeout, "requestTimeout": c.RequestTimeout,
		"hedgeAfter": c.HedgeAfter, "breaker.cooldown": c.Breaker.Cooldown, "refresh": c.Refresh} {
		if d < 0 {
			return fmt.Errorf("%s: %v is negative", name, d)
		}
	}
	if c.Breaker.Failures < 0 {
		return fmt.Errorf("breaker.failures: %d is negative", c.Breaker.Failures)
	}
	if len(c.Members) == 0 {
		return fmt.Errorf("members: a network needs at least one member")
	}
	seen := map[string]bool{}
	for i := range c.Members {
		m := &c.Members[i]
		at := fmt.Sprintf("members[%d]", i)
		if m.ID == "" {
			return fmt.Errorf("%s.id: required", at)
		}
		if seen[m.ID] {
			return fmt.Errorf("%s.id: %q given twice", at, m.ID)
		}
		seen[m.ID] = true
		u, err := url.Parse(m.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%s.url: %q is not an http(s) URL", at, m.URL)
		}
		m.URL = strings.TrimSuffix(m.URL, "/")
		switch m.APIVersion {
		case "", "v2", "v2.0", "v2.0.0":
			m.APIVersion = "v2"
		case "v1", "v1.0", "v1.1", "v1.0.0", "v1.1.0":
			m.APIVersion = "v1"
		default:
			return fmt.Errorf("%s.apiVersion: %q is not v1 or v2", at, m.APIVersion)
		}
		if m.Timeout < 0 {
			return fmt.Errorf("%s.timeout: %v is negative", at, m.Timeout)
		}
		if m.Timeout == 0 {
			m.Timeout = c.Timeout
		}
	}
	return nil
}
