package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"unicode/utf8"

	"github.com/valyala/fastjson"

	"github.com/bitbeacon/bitbeacon/release/lexical"
)

// jsonParsers parse POST bodies. fastjson reuses its memory: a sequence query's body decodes
// in 2.0 µs and 47 allocations instead of encoding/json's 3.3 µs and 56; the tree is then
// copied into the map[string]any / []any / json.Number values the request builder reads,
// exactly as encoding/json with UseNumber would give them.
var jsonParsers fastjson.ParserPool

// bigParser keeps one parser of big bodies (heavyBody and more) out of jsonParsers: a
// collection empties a sync.Pool, and a parser of 10,000 filters (30,000 values, 2 MB)
// rebuilt after each was most of such a body's garbage. It keeps one of a body up to
// keptParserBody, so at most a few MB stay allocated for it.
var bigParser = make(chan *fastjson.Parser, 1)

const keptParserBody = 256 << 10

func getParser(n int) *fastjson.Parser {
	if n >= heavyBody {
		select {
		case p := <-bigParser:
			return p
		default:
		}
	}
	return jsonParsers.Get()
}

func putParser(p *fastjson.Parser, n int) {
	switch {
	case n > keptParserBody: // let the collector have it
	case n >= heavyBody:
		select {
		case bigParser <- p:
		default:
			jsonParsers.Put(p)
		}
	default:
		jsonParsers.Put(p)
	}
}

// decodeBody decodes a POST body into generic JSON values. Bodies with a backslash (string
// escapes, whose edge cases such as lone surrogates encoding/json replaces in its own way),
// with invalid UTF-8 (which encoding/json replaces), with a control character in a string or
// a number outside JSON's grammar (which fastjson accepts), or that fastjson rejects take the
// encoding/json path, which also words every error: the answer and the message are
// encoding/json's for every input (FuzzDecodeBody).
func decodeBody(body []byte) (any, error) { return decodeCapped(body, 0) }

// decodeCapped is decodeBody stopping at the filters array's first invalid item or past
// maxFilters distinct filters (filter_cap.go; 0: no cap). A body with escapes is counted on
// fastjson's reading before encoding/json decodes it, so that it is stopped as soon.
func decodeCapped(body []byte, maxFilters int) (any, error) {
	if utf8.Valid(body) {
		p := getParser(len(body))
		v, err := p.ParseBytes(body)
		var doc any
		var capErr error
		ok := err == nil
		escaped := bytes.IndexByte(body, '\\') >= 0
		if ok {
			c := converter{cap: newFilterCap(v, maxFilters), countOnly: escaped}
			if !escaped || c.cap != nil {
				doc, ok = c.value(v)
				capErr = c.err
			}
		}
		putParser(p, len(body))
		if capErr != nil {
			return nil, capErr
		}
		if ok && !escaped {
			return doc, nil
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, reqErrorf("invalid JSON body: %s", jsonErrText(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, reqErrorf("invalid JSON body: unexpected data after the top-level value")
	}
	return doc, nil
}

// converter copies one parsed body. A hostile body repeats one filter thousands of times
// (10,000 copies: 8.5 MB of maps and strings a request, a garbage collection every few
// requests, which other callers wait out): the items of a long array are converted once per
// distinct JSON text and shared (nothing modifies the decoded values). It also yields the
// core every yieldEvery values, so that a big body's decoding, which checks no budget, never
// holds a core for long.
type converter struct {
	values int
	depth  int            // of the value being converted: the body is 1
	memo   map[string]any // converted items of long arrays, by their JSON text
	text   []byte
	cap    *filterCap // counts the filters array's items as they are converted, or nil
	err    error      // why cap stopped the conversion
	// countOnly converts a body with escapes only for cap to count its filters: what
	// fastjson reads differently from encoding/json (a control character, a number such
	// as 00) is let through, as encoding/json decodes the body again (or words its error).
	countOnly bool
}

const (
	// repeatArray is the shortest array whose items are memoised: shorter ones (every
	// ordinary request) convert as they are.
	repeatArray = 16
	// maxMemoDepth is the deepest array whose items are memoised: a POST's filters are at
	// depth 3 (query.filters) and the members of an OR group at 4. Each memoised level
	// writes its items' text once more, so the bound keeps that work under 4 times the body.
	maxMemoDepth = 4
	// maxMemo bounds the distinct items memoised: a body of distinct items gains nothing.
	maxMemo = 256
	// yieldEvery is how many values are converted between two yields of the core: about
	// 50 µs of work.
	yieldEvery = 1024
)

func (c *converter) value(v *fastjson.Value) (any, bool) {
	c.depth++
	defer func() { c.depth-- }()
	if c.values++; c.values%yieldEvery == 0 {
		runtime.Gosched()
	}
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		m := make(map[string]any, o.Len())
		ok := true
		o.Visit(func(k []byte, x *fastjson.Value) {
			val, valOK := c.value(x)
			ok = ok && valOK && (c.countOnly || !hasControl(k))
			m[bodyKey(k)] = val // a repeated key: the last wins, as in encoding/json
		})
		return m, ok
	case fastjson.TypeArray:
		items, _ := v.Array()
		out := make([]any, len(items))
		counted := c.cap != nil && v == c.cap.array
		for i, x := range items {
			var val any
			ok, repeat := true, false
			if len(items) >= repeatArray && c.depth <= maxMemoDepth {
				val, repeat, ok = c.repeated(x)
			} else {
				val, ok = c.value(x)
			}
			if ok && counted {
				if c.err = c.cap.add(i, val, repeat); c.err != nil {
					ok = false
				}
			}
			if !ok {
				return nil, false
			}
			out[i] = val
		}
		return out, true
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		return string(b), c.countOnly || !hasControl(b)
	case fastjson.TypeNumber:
		n := v.MarshalTo(nil)
		return json.Number(n), c.countOnly || isJSONNumber(n) // fastjson also takes 00, 1., inf, ...
	case fastjson.TypeTrue:
		return true, true
	case fastjson.TypeFalse:
		return false, true
	}
	return nil, true
}

// repeated converts an item of a long array, or returns the value of an identical earlier
// item (repeat). Two values with the same text convert to equal values: a string's text is
// its quoted bytes (bodies with escapes are converted only to be counted, filter_cap.go),
// a number's its digits, an object's its keys and values in order.
func (c *converter) repeated(x *fastjson.Value) (val any, repeat, ok bool) {
	switch x.Type() {
	case fastjson.TypeObject, fastjson.TypeArray, fastjson.TypeString:
	default:
		val, ok = c.value(x)
		return val, false, ok
	}
	// The text is appended to c.text and cut off again, so that the items of a nested long
	// array, converted below, append after it instead of overwriting it.
	start := len(c.text)
	c.text = x.MarshalTo(c.text)
	end := len(c.text)
	defer func() { c.text = c.text[:start] }()
	if val, ok := c.memo[string(c.text[start:end])]; ok {
		if c.values++; c.values%yieldEvery == 0 {
			runtime.Gosched()
		}
		return val, true, true
	}
	val, ok = c.value(x)
	if ok && len(c.memo) < maxMemo {
		if c.memo == nil {
			c.memo = map[string]any{}
		}
		c.memo[string(c.text[start:end])] = val
	}
	return val, false, ok
}

func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}

// isJSONNumber checks RFC 8259's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func isJSONNumber(b []byte) bool {
	i := 0
	digits := func() int {
		n := 0
		for i < len(b) && lexical.IsDigit(b[i]) {
			i++
			n++
		}
		return n
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(b)
}

// bodyKeys are the keys of a Beacon request body, whose strings bodyKey shares instead of
// allocating one per key and request.
var bodyKeys = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{KeySchema, KeyMeta, KeyAPIVersion, KeyRequestedSchemas, "entityType", "schema",
		KeyQuery, "id", "operator", "value", "scope", "includeDescendantTerms", "similarity",
		ParamSkip, ParamLimit, KeyGVariant, KeyDatasets, ParamDatasetIDs} {
		m[k] = k
	}
	for _, k := range queryKeys {
		m[k] = k
	}
	for k := range variantParamNames {
		m[k] = k
	}
	return m
}()

func bodyKey(k []byte) string {
	if s, ok := bodyKeys[string(k)]; ok {
		return s
	}
	return string(k)
}

func jsonErrText(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s (at byte %d)", se.Error(), se.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of input"
	}
	return err.Error()
}
