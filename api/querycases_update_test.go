package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// updateQueryCases is -update: TestQueryCases rewrites the expectations of testdata/queries
// from the current answers (see querycases_test.go) instead of checking them.
var updateQueryCases = flag.Bool("update", false, "TestQueryCases: rewrite the expectations in testdata/queries from the current answers")

// caseFileUpdate is one query case file as text, with where each case and each of its
// members lie, so that -update rewrites only the cases whose expectations change and leaves
// every other byte (layout, key order, escapes) as the author wrote it.
type caseFileUpdate struct {
	raw   []byte
	cases []caseText
}

// caseText is one case object of the file: its members, raw, and the layout they are joined
// with, taken from the file, to write a changed case back in the same style.
type caseText struct {
	start, end int    // the object's span in the file
	open       string // from '{' to the first key
	sep        string // between a value and the next key
	colon      string // between a key and its value
	close      string // from the last value to '}'
	members    []caseMember
	changed    bool
}

type caseMember struct {
	key   string // as written, quotes included
	name  string
	value []byte // as written
}

// newCaseFileUpdate reads a case file's text; n is how many cases the typed decoding found.
func newCaseFileUpdate(raw []byte, n int) (*caseFileUpdate, error) {
	u := &caseFileUpdate{raw: raw}
	dec := json.NewDecoder(bytes.NewReader(raw))
	delim := func(want json.Delim) error {
		tok, err := dec.Token()
		if err == nil && tok != want {
			err = fmt.Errorf("at byte %d: %v, want %v", dec.InputOffset(), tok, want)
		}
		return err
	}
	if err := delim('{'); err != nil {
		return nil, err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		if tok != "cases" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, err
			}
			continue
		}
		if err := delim('['); err != nil {
			return nil, err
		}
		for dec.More() {
			c, err := readCaseText(dec, raw)
			if err != nil {
				return nil, err
			}
			u.cases = append(u.cases, c)
		}
		if err := delim(']'); err != nil {
			return nil, err
		}
	}
	if len(u.cases) != n {
		return nil, fmt.Errorf("%d cases read as text, %d typed", len(u.cases), n)
	}
	return u, nil
}

// readCaseText reads the next case object of dec, whose input is raw.
func readCaseText(dec *json.Decoder, raw []byte) (caseText, error) {
	var c caseText
	c.start = int(dec.InputOffset()) + bytes.IndexByte(raw[dec.InputOffset():], '{')
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return c, fmt.Errorf("at byte %d: a case is not an object (%v)", c.start, err)
	}
	prev := int(dec.InputOffset()) // end of the '{' or of the last value
	for dec.More() {
		keyStart := prev + bytes.IndexByte(raw[prev:], '"')
		tok, err := dec.Token()
		if err != nil {
			return c, err
		}
		keyEnd := int(dec.InputOffset())
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return c, err
		}
		valEnd := int(dec.InputOffset())
		valStart := valEnd - len(v)
		if !bytes.Equal(raw[valStart:valEnd], v) {
			return c, fmt.Errorf("at byte %d: value not where it was read", valStart)
		}
		if len(c.members) == 0 {
			c.open = string(raw[c.start:keyStart])
			c.colon = string(raw[keyEnd:valStart])
		} else if len(c.members) == 1 {
			c.sep = string(raw[prev:keyStart])
		}
		c.members = append(c.members, caseMember{string(raw[keyStart:keyEnd]), tok.(string), v})
		prev = valEnd
	}
	if _, err := dec.Token(); err != nil {
		return c, err
	}
	c.end = int(dec.InputOffset())
	c.close = string(raw[prev:c.end])
	if c.sep == "" {
		c.sep = ", "
	}
	return c, nil
}

func (c *caseText) get(name string) ([]byte, bool) {
	for _, m := range c.members {
		if m.name == name {
			return m.value, true
		}
	}
	return nil, false
}

// set gives name the JSON value v, in place, or as a new last member.
func (c *caseText) set(name string, v []byte) {
	c.changed = true
	for i := range c.members {
		if c.members[i].name == name {
			c.members[i].value = v
			return
		}
	}
	c.members = append(c.members, caseMember{`"` + name + `"`, name, v})
}

func (c *caseText) del(name string) {
	c.changed = true
	c.members = slices.DeleteFunc(c.members, func(m caseMember) bool { return m.name == name })
}

// render writes the case in its own layout.
func (c *caseText) render() []byte {
	b := []byte(c.open)
	for i, m := range c.members {
		if i > 0 {
			b = append(b, c.sep...)
		}
		b = append(b, m.key...)
		b = append(b, c.colon...)
		b = append(b, m.value...)
	}
	return append(b, c.close...)
}

// value encodes v in the case's layout: indented one space a level, under the keys, when the
// case spans lines; on one line with a space after each comma and colon otherwise.
func (c *caseText) value(t *testing.T, v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	compact := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	if i := strings.LastIndexByte(c.open, '\n'); i >= 0 {
		var out bytes.Buffer
		if err := json.Indent(&out, compact, c.open[i+1:], " "); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	return spaced(compact)
}

// spaced puts a space after every comma and colon of compact JSON outside its strings.
func spaced(compact []byte) []byte {
	var out []byte
	inString, escaped := false, false
	for _, ch := range compact {
		out = append(out, ch)
		switch {
		case escaped:
			escaped = false
		case inString && ch == '\\':
			escaped = true
		case ch == '"':
			inString = !inString
		case !inString && (ch == ',' || ch == ':'):
			out = append(out, ' ')
		}
	}
	return out
}

// apply rewrites the expectations case i states that answer a contradicts, in c and in the
// file's text, and logs each change.
func (u *caseFileUpdate) apply(t *testing.T, i int, c *queryCase, a queryAnswer) {
	ct := &u.cases[i]
	set := func(name string, v any, was any) {
		ct.set(name, ct.value(t, v))
		t.Logf("%s: %v → %v", name, was, v)
	}
	if a.status != c.wantStatus() {
		if a.status == 200 {
			ct.del("status")
			t.Logf("status: %d → 200; state what the answer must hold (count, ids, sets, warnings)", c.Status)
		} else {
			set("status", a.status, c.wantStatus())
		}
		c.Status = a.status
		if a.status != 200 {
			// An error answer has none of these: leaving them would keep expectations that
			// are no longer checked.
			for _, k := range []string{"count", "ids", "sets", "warnings"} {
				if _, ok := ct.get(k); ok {
					ct.del(k)
					t.Logf("%s: dropped (the answer is an error)", k)
				}
			}
			c.Count, c.IDs, c.Sets, c.Warnings = nil, nil, nil, nil
			return
		}
	}
	if a.status != 200 {
		return
	}
	if c.Count != nil && (a.count == nil || *a.count != *c.Count) {
		if a.count == nil {
			t.Errorf("numTotalResults absent: no count to write in place of %d", *c.Count)
		} else {
			set("count", *a.count, *c.Count)
			c.Count = a.count
		}
	}
	if c.IDs != nil && !slices.Equal(a.ids, c.IDs) {
		set("ids", a.ids, c.IDs)
		c.IDs = a.ids
	}
	if c.Sets != nil && !maps.Equal(a.sets, c.wantSets()) {
		old, _ := ct.get("sets")
		ct.set("sets", ct.value(t, orderedSets(old, a.sets)))
		t.Logf("sets: %v → %v", c.Sets, a.sets)
		c.Sets = a.sets
	}
	if got := len(a.warnings) > 0; c.Warnings != nil && got != *c.Warnings {
		set("warnings", got, *c.Warnings)
		c.Warnings = &got
	}
}

// orderedSets is sets as a JSON object keeping the order of the ids in old, new ids after
// them, sorted.
func orderedSets(old []byte, sets map[string]uint64) json.RawMessage {
	var order []string
	dec := json.NewDecoder(bytes.NewReader(old))
	if tok, err := dec.Token(); err == nil && tok == json.Delim('{') {
		for dec.More() {
			tok, err := dec.Token()
			var skip json.RawMessage
			if err != nil || dec.Decode(&skip) != nil {
				break
			}
			if _, ok := sets[tok.(string)]; ok {
				order = append(order, tok.(string))
			}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(sets)) {
		if !slices.Contains(order, id) {
			order = append(order, id)
		}
	}
	b := []byte{'{'}
	for i, id := range order {
		if i > 0 {
			b = append(b, ',')
		}
		k, _ := json.Marshal(id)
		b = append(b, k...)
		b = append(b, ':')
		b = strconv.AppendUint(b, sets[id], 10)
	}
	return append(b, '}')
}

// write saves the file if a case changed: the changed cases rendered anew, every other byte
// as it was.
func (u *caseFileUpdate) write(path string) error {
	var out []byte
	at, changed := 0, false
	for i := range u.cases {
		c := &u.cases[i]
		if !c.changed {
			continue
		}
		out = append(out, u.raw[at:c.start]...)
		out = append(out, c.render()...)
		at, changed = c.end, true
	}
	if !changed {
		return nil
	}
	out = append(out, u.raw[at:]...)
	if err := json.Unmarshal(out, new(queryCaseFile)); err != nil {
		return fmt.Errorf("the rewritten file does not read back: %v", err)
	}
	return os.WriteFile(path, out, 0o644)
}

// TestCaseFileUpdateKeepsText checks that a case file read and written back unchanged is
// byte for byte the file, so that -update's diff shows only the expectations it rewrote.
func TestCaseFileUpdateKeepsText(t *testing.T) {
	for _, c := range readQueryCaseFiles(t) {
		f, raw, cf := c.path, c.raw, c.file
		u, err := newCaseFileUpdate(raw, len(cf.Cases))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for i := range u.cases {
			u.cases[i].changed = true // render every case anew
		}
		out := filepath.Join(t.TempDir(), "out.json")
		if err := u.write(out); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, raw) {
			t.Errorf("%s changes when written back unchanged", filepath.Base(f))
		}
	}
}

// TestCaseFileUpdateRewrites feeds answers that contradict a file's expectations and checks
// the text written: the contradicted values rewritten in each case's layout, sets in their
// order, an error answer dropping the expectations it cannot have, the rest untouched.
func TestCaseFileUpdateRewrites(t *testing.T) {
	const in = `{
 "release": "x",
 "about": "caf\u00e9 <kept as written>",
 "cases": [
  {
   "name": "a",
   "method": "GET",
   "path": "/individuals",
   "count": 6,
   "ids": ["I1"]
  },
  {"name": "b", "method": "GET", "path": "/individuals", "count": 1, "sets": {"Z": 1, "A": 0}},
  {"name": "c", "method": "GET", "path": "/x", "count": 2, "warnings": false},
  {"name": "d",  "method": "GET", "path": "/individuals", "count": 3}
 ]
}
`
	const want = `{
 "release": "x",
 "about": "caf\u00e9 <kept as written>",
 "cases": [
  {
   "name": "a",
   "method": "GET",
   "path": "/individuals",
   "count": 7,
   "ids": [
    "I1",
    "I<2>"
   ]
  },
  {"name": "b", "method": "GET", "path": "/individuals", "count": 1, "sets": {"Z": 2, "A": 0, "M": 1}},
  {"name": "c", "method": "GET", "path": "/x", "status": 400},
  {"name": "d",  "method": "GET", "path": "/individuals", "count": 3}
 ]
}
`
	var cf queryCaseFile
	if err := json.Unmarshal([]byte(in), &cf); err != nil {
		t.Fatal(err)
	}
	u, err := newCaseFileUpdate([]byte(in), len(cf.Cases))
	if err != nil {
		t.Fatal(err)
	}
	n := func(v uint64) *uint64 { return &v }
	answers := []queryAnswer{
		{status: 200, count: n(7), ids: []string{"I1", "I<2>"}},
		{status: 200, count: n(1), sets: map[string]uint64{"Z": 2, "A": 0, "M": 1}},
		{status: 400},
		{status: 200, count: n(3)},
	}
	for i, a := range answers {
		u.apply(t, i, &cf.Cases[i], a)
		expectQueryCase(t, &cf.Cases[i], a) // the typed case now expects the answer too
	}
	out := filepath.Join(t.TempDir(), "out.json")
	if err := u.write(out); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("written:\n%s\nwant:\n%s", got, want)
	}

	// Answers that agree change nothing, and nothing is written.
	u, err = newCaseFileUpdate([]byte(want), len(cf.Cases))
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range answers {
		u.apply(t, i, &cf.Cases[i], a)
	}
	untouched := filepath.Join(t.TempDir(), "untouched.json")
	if err := u.write(untouched); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(untouched); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a file whose expectations all hold was written (%v)", err)
	}
}
