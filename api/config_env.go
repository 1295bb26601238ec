package api

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// EnvPrefix starts the environment variables that override configuration keys:
// BITBEACON_ and the key path in upper snake case (beaconId → BITBEACON_BEACON_ID,
// limits.maxConnections → BITBEACON_LIMITS_MAX_CONNECTIONS). Containers and systemd units
// set a few values this way without a file of their own.
const EnvPrefix = "BITBEACON_"

// ApplyEnv sets the scalar configuration keys (strings, numbers, booleans, durations, at any
// depth of nested sections, not inside lists or maps) named by environ's BITBEACON_
// variables, then validates the result. Variables that name no key (BITBEACON_SHARED, for
// tests) are left alone. It returns the keys it set, for the log.
func (c *Config) ApplyEnv(environ []string) ([]string, error) {
	vals := map[string]string{}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(k, EnvPrefix) {
			vals[k] = v
		}
	}
	if len(vals) == 0 {
		return nil, nil
	}
	var set []string
	var errs []string
	var walk func(v reflect.Value, env, key string)
	walk = func(v reflect.Value, env, key string) {
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if !f.IsExported() || tag == "" || tag == "-" {
				continue
			}
			name, path := env+"_"+upperSnake(tag), tag
			if key != "" {
				path = key + "." + tag
			}
			fv := v.Field(i)
			if fv.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Duration(0)) {
				walk(fv, name, path)
				continue
			}
			s, ok := vals[name]
			if !ok {
				continue
			}
			if err := setScalar(fv, s); err != nil {
				errs = append(errs, fmt.Sprintf("%s (%s): %v", name, path, err))
				continue
			}
			set = append(set, path)
			if path == "baseUrl" && strings.TrimSpace(s) != "" {
				c.baseURLGiven = true
			}
		}
	}
	walk(reflect.ValueOf(c).Elem(), strings.TrimSuffix(EnvPrefix, "_"), "")
	if len(errs) > 0 {
		return nil, fmt.Errorf("environment: %s", strings.Join(errs, "; "))
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("environment overrides %s: %w", strings.Join(set, ", "), err)
	}
	return set, nil
}

// setScalar parses s into v by v's type.
func setScalar(v reflect.Value, s string) error {
	switch {
	case v.Type() == reflect.TypeOf(time.Duration(0)):
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("%q is not a duration like 5s", s)
		}
		v.SetInt(int64(d))
	case v.Kind() == reflect.String:
		v.SetString(s)
	case v.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		v.SetBool(b)
	case v.CanInt():
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || v.OverflowInt(n) {
			return fmt.Errorf("%q is not an integer", s)
		}
		v.SetInt(n)
	default:
		return fmt.Errorf("a %s is not set from the environment; use the configuration file", v.Kind())
	}
	return nil
}

// upperSnake turns a camelCase key into UPPER_SNAKE (maxConnections → MAX_CONNECTIONS,
// baseUrl → BASE_URL).
func upperSnake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// CheckDatasets rejects configured dataset ids the release does not hold: a typo there
// would silently leave the real dataset with the default policy.
func (c *Config) CheckDatasets(has func(id string) bool, releaseID string) error {
	var bad []string
	for id := range c.Datasets {
		if !has(id) {
			bad = append(bad, strconv.Quote(id))
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return fmt.Errorf("config: datasets: %s not in release %s", strings.Join(bad, ", "), releaseID)
	}
	return nil
}
