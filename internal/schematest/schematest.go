// Package schematest validates Beacon v2 JSON documents (responses, records,
// request bodies) against the official GA4GH Beacon v2 schemas, for tests.
//
// The schemas are never copied into this repository: they are read at run
// time from the beacon-v2 folder (see testenv.SchemaDir), which holds
// framework/json, models/json and external/vrs-1.3.0 of ga4gh-beacon/beacon-v2.
// All remote $refs are resolved offline (see loader), and the known upstream
// bug of the missing models/json/beacon-v2-default-model/common/info.json is
// worked around by serving framework/json/common/info.json in its place.
//
// Format assertions are on for the formats the Go validator knows offline:
// "date", "date-time", "uri" (absolute URI) and "uri-template". The schemas'
// non-standard formats "int32", "int64" and "datetime" are ignored.
package schematest

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/bitbeacon/bitbeacon/release"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/bitbeacon/bitbeacon/internal/testenv"
)

// Relative paths (inside the beacon-v2 folder) of the schemas used.
const (
	frameworkDir = "framework/json/"
	responsesDir = frameworkDir + "responses/"
	modelDir     = "models/json/beacon-v2-default-model/"

	booleanSchema     = responsesDir + "beaconBooleanResponse.json"
	countSchema       = responsesDir + "beaconCountResponse.json"
	resultsetsSchema  = responsesDir + "beaconResultsetsResponse.json"
	collectionsSchema = responsesDir + "beaconCollectionsResponse.json"
	errorSchema       = responsesDir + "beaconErrorResponse.json"
	requestSchema     = frameworkDir + "requests/beaconRequestBody.json"

	// Upstream bug (at v2.1.1): model schemas such as
	// https://github.com/ga4gh-beacon/beacon-v2/blob/v2.1.1/models/json/beacon-v2-default-model/individuals/defaultSchema.json
	// reference ../common/info.json, which does not exist under models/; the framework one is identical in
	// intent ({"type":"object"}).
	missingModelInfo = modelDir + "common/info.json"
	frameworkInfo    = frameworkDir + "common/info.json"

	vrsURL  = "https://w3id.org/ga4gh/schema/vrs/1.3/vrs.json"
	vrsFile = "external/vrs-1.3.0/schema/vrs.json"
)

// Kinds accepted by Validator.Response. "data" is resolved by content.
const (
	KindInfo           = "info"
	KindServiceInfo    = "service-info"
	KindConfiguration  = "configuration"
	KindEntryTypes     = "entry_types"
	KindMap            = "map"
	KindFilteringTerms = "filtering_terms"
	KindError          = "error"
	KindData           = "data"
)

// kindSchemas maps the fixed (non-"data") kinds to their response schema.
var kindSchemas = map[string]string{
	KindInfo:           responsesDir + "beaconInfoResponse.json",
	KindServiceInfo:    responsesDir + "ga4gh-service-info-1-0-0-schema.json",
	KindConfiguration:  responsesDir + "beaconConfigurationResponse.json",
	KindEntryTypes:     responsesDir + "beaconEntryTypesResponse.json",
	KindMap:            responsesDir + "beaconMapResponse.json",
	KindFilteringTerms: responsesDir + "beaconFilteringTermsResponse.json",
	KindError:          errorSchema,
}

// entitySchemas maps the default-model entity names to their record schema, whose folder
// is the entity's plural (release's table of entity names).
var entitySchemas = func() map[string]string {
	m := make(map[string]string, len(release.Entities))
	for _, e := range release.Entities {
		m[string(e)] = modelDir + e.Plural() + "/defaultSchema.json"
	}
	return m
}()

// Entities returns the entity names accepted by Record and Response, sorted.
func Entities() []string {
	names := make([]string, 0, len(entitySchemas))
	for n := range entitySchemas {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Validator holds the compiled Beacon v2 schemas of one beacon-v2 folder.
// It is immutable after Load and safe for concurrent use.
type Validator struct {
	dir     string
	schemas map[string]*jsonschema.Schema // by relative path
}

type loadResult struct {
	once sync.Once
	v    *Validator
	err  error
}

var cache sync.Map // absolute dir -> *loadResult

// Load compiles the schemas under dir (the beacon-v2 folder). Results are
// cached per directory, so each folder is compiled once per process.
func Load(dir string) (*Validator, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("schematest: %v", err)
	}
	r, _ := cache.LoadOrStore(abs, &loadResult{})
	lr := r.(*loadResult)
	lr.once.Do(func() { lr.v, lr.err = compile(abs) })
	return lr.v, lr.err
}

// For returns the Validator for testenv.SchemaDir(t), failing the test if
// the schemas cannot be compiled.
func For(t testing.TB) *Validator {
	t.Helper()
	v, err := Load(testenv.SchemaDir(t))
	if err != nil {
		t.Fatalf("schematest: %v", err)
	}
	return v
}

// Dir returns the beacon-v2 folder the Validator was compiled from.
func (v *Validator) Dir() string { return v.dir }

func compile(dir string) (*Validator, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("schematest: schema folder: %v", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("schematest: schema folder %s is not a directory", dir)
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(&loader{dir: dir})
	c.AssertFormat()

	paths := []string{booleanSchema, countSchema, resultsetsSchema, collectionsSchema, errorSchema, requestSchema}
	for _, p := range kindSchemas {
		paths = append(paths, p)
	}
	for _, p := range entitySchemas {
		paths = append(paths, p)
	}
	v := &Validator{dir: dir, schemas: make(map[string]*jsonschema.Schema, len(paths))}
	for _, p := range paths {
		if _, done := v.schemas[p]; done {
			continue
		}
		s, err := c.Compile(fileURL(filepath.Join(dir, filepath.FromSlash(p))))
		if err != nil {
			return nil, fmt.Errorf("schematest: compiling %s: %v", p, err)
		}
		v.schemas[p] = s
	}
	return v, nil
}

// fileURL returns the file:// URL of an absolute path.
func fileURL(p string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()
}

// loader resolves every schema URL to a file of the beacon-v2 folder, so no
// network access ever happens:
//
//	file:///...                                                  -> that file
//	https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/<ref>/<path> -> <dir>/<path>
//	  (<ref> = one segment such as main or v2.0.0, or refs/heads|tags/<name>)
//	https://w3id.org/ga4gh/schema/vrs/1.3/vrs.json               -> <dir>/external/vrs-1.3.0/schema/vrs.json
//
// A missing <dir>/models/json/beacon-v2-default-model/common/info.json is
// served from <dir>/framework/json/common/info.json (upstream bug).
type loader struct{ dir string }

func (l *loader) Load(rawURL string) (any, error) {
	file, err := l.toFile(rawURL)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(file)
	if errors.Is(err, fs.ErrNotExist) && l.isMissingModelInfo(file) {
		f, err = os.Open(filepath.Join(l.dir, filepath.FromSlash(frameworkInfo)))
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return jsonschema.UnmarshalJSON(f)
}

func (l *loader) isMissingModelInfo(file string) bool {
	return filepath.Clean(file) == filepath.Join(l.dir, filepath.FromSlash(missingModelInfo))
}

func (l *loader) toFile(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", err
	}
	switch {
	case u.Scheme == "file":
		return filepath.FromSlash(u.Path), nil
	case u.Scheme == "https" && u.Host == "raw.githubusercontent.com":
		segs := strings.Split(strings.TrimPrefix(path.Clean(u.Path), "/"), "/")
		if len(segs) < 4 || !strings.EqualFold(segs[0], "ga4gh-beacon") || !strings.EqualFold(segs[1], "beacon-v2") {
			break
		}
		rest := segs[3:] // after owner/repo/<ref>
		if segs[2] == "refs" && len(segs) >= 6 {
			rest = segs[5:] // owner/repo/refs/heads/<name>/...
		}
		return filepath.Join(l.dir, filepath.FromSlash(path.Join(rest...))), nil
	case (u.Scheme == "https" || u.Scheme == "http") && u.Host == "w3id.org" && u.Path == "/ga4gh/schema/vrs/1.3/vrs.json":
		return filepath.Join(l.dir, filepath.FromSlash(vrsFile)), nil
	}
	return "", fmt.Errorf("schematest: no offline mapping for %s (add one to the loader; never fetch)", rawURL)
}

// Response validates a whole Beacon response body for an endpoint kind:
// "info" (/ and /info), "service-info", "configuration", "entry_types",
// "map", "filtering_terms", "error", or "data".
//
// For "data" the envelope is chosen like the verifiers do: a body with an
// "error" key is a beaconErrorResponse; otherwise meta.returnedGranularity
// selects beaconBooleanResponse (boolean), beaconCountResponse (count) or
// beaconResultsetsResponse (record), the latter replaced by
// beaconCollectionsResponse when collection is true (the /datasets and
// /cohorts collection endpoints). At record granularity every
// response.resultSets[].results[] item (or response.collections[] item) is
// also validated against entity's default-model schema.
//
// entity is one of Entities(); it is required for "data" and ignored
// otherwise.
func (v *Validator) Response(kind, entity string, collection bool, body []byte) error {
	doc, err := decode(body)
	if err != nil {
		return fmt.Errorf("schematest: %s response: %v", kind, err)
	}
	if kind != KindData {
		p, ok := kindSchemas[kind]
		if !ok {
			return fmt.Errorf("schematest: unknown response kind %q", kind)
		}
		return v.validate(p, doc, kind+" response", "")
	}

	entitySchema, ok := entitySchemas[entity]
	if !ok {
		return fmt.Errorf("schematest: unknown entity %q (want one of %s)", entity, strings.Join(Entities(), ", "))
	}
	obj, _ := doc.(map[string]any)
	if _, isErr := obj["error"]; isErr {
		return v.validate(errorSchema, doc, "data response (error)", "")
	}
	meta, _ := obj["meta"].(map[string]any)
	gran, _ := meta["returnedGranularity"].(string)
	switch gran {
	case "boolean":
		return v.validate(booleanSchema, doc, "data response (boolean)", "")
	case "count":
		return v.validate(countSchema, doc, "data response (count)", "")
	case "record":
	default:
		// Missing or invalid granularity: let the schema say what is wrong
		// (meta.returnedGranularity is required, enum boolean|count|record).
		if err := v.validate(booleanSchema, doc, "data response (no usable meta.returnedGranularity)", ""); err != nil {
			return err
		}
		return fmt.Errorf("schematest: data response: meta.returnedGranularity is %v, want boolean, count or record", meta["returnedGranularity"])
	}

	resp, _ := obj["response"].(map[string]any)
	if collection {
		if err := v.validate(collectionsSchema, doc, "data response (record, collections)", ""); err != nil {
			return err
		}
		items, _ := resp["collections"].([]any)
		for i, item := range items {
			if err := v.validate(entitySchema, item, entity+" record", fmt.Sprintf("/response/collections/%d", i)); err != nil {
				return err
			}
		}
		return nil
	}
	if err := v.validate(resultsetsSchema, doc, "data response (record, resultsets)", ""); err != nil {
		return err
	}
	sets, _ := resp["resultSets"].([]any)
	for i, s := range sets {
		set, _ := s.(map[string]any)
		results, _ := set["results"].([]any)
		for j, item := range results {
			if err := v.validate(entitySchema, item, entity+" record", fmt.Sprintf("/response/resultSets/%d/results/%d", i, j)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Record validates one record (a JSON object) against the default-model
// schema of entity (one of Entities()).
func (v *Validator) Record(entity string, record []byte) error {
	p, ok := entitySchemas[entity]
	if !ok {
		return fmt.Errorf("schematest: unknown entity %q (want one of %s)", entity, strings.Join(Entities(), ", "))
	}
	doc, err := decode(record)
	if err != nil {
		return fmt.Errorf("schematest: %s record: %v", entity, err)
	}
	return v.validate(p, doc, entity+" record", "")
}

// RequestBody validates a POST request body against
// framework/json/requests/beaconRequestBody.json.
func (v *Validator) RequestBody(body []byte) error {
	doc, err := decode(body)
	if err != nil {
		return fmt.Errorf("schematest: request body: %v", err)
	}
	return v.validate(requestSchema, doc, "request body", "")
}

// maxErrLines caps the size of a reported validation error (oneOf failures
// over VRS can otherwise run to hundreds of lines).
const maxErrLines = 40

// validate checks doc against the schema at relative path p. what names the
// document and at is its location within the whole body ("" for the root).
func (v *Validator) validate(p string, doc any, what, at string) error {
	s, ok := v.schemas[p]
	if !ok {
		return fmt.Errorf("schematest: schema %s not compiled", p)
	}
	err := s.Validate(doc)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("schematest: %s: %v", what, err)
	}
	// %#v: the tree of failing instance locations, each with its absolute
	// keyword location (schema file + JSON pointer). Long trees (oneOf over
	// VRS) are replaced by their leaves, deepest instance location first.
	msg := fmt.Sprintf("%#v", ve)
	if lines := strings.Count(msg, "\n") + 1; lines > maxErrLines {
		msg = leafSummary(ve, lines)
	}
	msg = strings.ReplaceAll(msg, fileURL(v.dir)+"/", "")
	loc := ""
	if at != "" {
		loc = " at " + at + " (instance locations below are relative to it)"
	}
	return fmt.Errorf("schematest: %s%s does not validate against %s:\n%s", what, loc, p, msg)
}

// leafSummary lists the leaf errors of ve (the actual failed keywords),
// deepest instance location first, capped at maxErrLines.
func leafSummary(ve *jsonschema.ValidationError, treeLines int) string {
	type leaf struct {
		depth int
		text  string
	}
	var leaves []leaf
	seen := map[string]bool{}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		kw := e.SchemaURL
		if p := e.ErrorKind.KeywordPath(); len(p) > 0 {
			kw += "/" + strings.Join(p, "/")
		}
		one := &jsonschema.ValidationError{InstanceLocation: e.InstanceLocation, ErrorKind: e.ErrorKind}
		text := fmt.Sprintf("- [%s] %v", kw, one)
		if !seen[text] {
			seen[text] = true
			leaves = append(leaves, leaf{len(e.InstanceLocation), text})
		}
	}
	walk(ve)
	sort.SliceStable(leaves, func(i, j int) bool { return leaves[i].depth > leaves[j].depth })
	var sb strings.Builder
	fmt.Fprintf(&sb, "jsonschema validation failed with '%s' (%d-line error tree; %d failed keywords, deepest instance location first):", ve.SchemaURL, treeLines, len(leaves))
	for i, l := range leaves {
		if i == maxErrLines {
			fmt.Fprintf(&sb, "\n  ... (%d more)", len(leaves)-maxErrLines)
			break
		}
		sb.WriteString("\n")
		sb.WriteString(l.text)
	}
	return sb.String()
}

// decode parses one JSON value (numbers kept exact as json.Number).
func decode(b []byte) (any, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	return doc, nil
}
