package api

import (
	"errors"
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
// variables, then validates the result. It returns the keys it set, for the log.
//
// Lists and maps (datasets, handovers, auth.issuers, auth.visaIssuers) come from the file
// only: each holds records, not scalars (there is no list-of-scalars key), and a second
// syntax for them would split a dataset's access policy between two places. A variable
// under one of them, or under a section but naming none of its keys (a typo), is an error
// rather than silently ignored: BITBEACON_DATASETS_X_MAX_GRANULARITY=count must not look
// as if it restricted anything. Other variables that name no key (BITBEACON_SHARED, for
// tests) are left alone.
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
	// sections are the env prefixes of the nested sections (BITBEACON_LIMITS_) and of the
	// lists and maps (BITBEACON_DATASETS_): a variable under one must name a scalar key.
	sections := map[string]envSection{}
	used := map[string]bool{}
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
				sections[name+"_"] = envSection{path: path}
				walk(fv, name, path)
				continue
			}
			switch fv.Kind() {
			case reflect.Slice:
				sections[name+"_"] = envSection{path: path, fileOnly: "list"}
			case reflect.Map:
				sections[name+"_"] = envSection{path: path, fileOnly: "map"}
			}
			s, ok := vals[name]
			if !ok {
				continue
			}
			used[name] = true
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
	for name := range vals {
		if used[name] {
			continue
		}
		// The longest section prefix is the innermost section the variable is under.
		var under string
		for prefix := range sections {
			if strings.HasPrefix(name, prefix) && len(prefix) > len(under) {
				under = prefix
			}
		}
		if sec, ok := sections[under]; ok {
			msg := fmt.Sprintf("%s names no key of %s", name, sec.path)
			if sec.fileOnly != "" {
				msg = fmt.Sprintf("%s is under %s, a %s: lists and maps are set in the configuration file only", name, sec.path, sec.fileOnly)
			}
			errs = append(errs, msg)
		}
	}
	slices.Sort(errs)
	if len(errs) > 0 {
		return nil, fmt.Errorf("environment: %s", strings.Join(errs, "; "))
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("environment overrides %s: %w", strings.Join(set, ", "), err)
	}
	return set, nil
}

// envSection is a configuration key that holds other keys: a section (fileOnly empty), or
// a list or a map, which the environment does not set.
type envSection struct {
	path     string
	fileOnly string // "list", "map" or ""
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
	case v.Kind() == reflect.Slice:
		return errors.New("a list: lists and maps are set in the configuration file only")
	case v.Kind() == reflect.Map:
		return errors.New("a map: lists and maps are set in the configuration file only")
	default:
		return fmt.Errorf("a %s is set in the configuration file only", v.Kind())
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
