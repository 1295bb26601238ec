package api

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"testing"
)

// stdDecode is what ParsePOST did before fastjson: the reference decodeBody must equal.
func stdDecode(body []byte) (any, string) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, "invalid JSON body: " + jsonErrText(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, "invalid JSON body: unexpected data after the top-level value"
	}
	return doc, ""
}

// FuzzDecodeBody: for any body, decodeBody gives encoding/json's value or encoding/json's
// error message.
func FuzzDecodeBody(f *testing.F) {
	for _, s := range []string{
		`{"meta":{"apiVersion":"2.0"},"query":{"filters":[{"id":"NCIT:C16576"}],"requestedGranularity":"count"}}`,
		`{"a":1,"a":2}`, `{"n":1e400,"m":-0.0,"k":12345678901234567890}`, `[1,2,[3,{"x":null}]]`,
		`{"s":"caf\u00e9 \ud800"}`, "{\"s\":\"\xff\"}", `{"a":}`, `{`, `{} {}`, ` {"a" : [ true , false ] } `,
		`"text"`, `null`, `{"deep":[[[[[[[[[[]]]]]]]]]]}`, "{\"tab\":\"a\tb\"}", `{"e":""}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		want, wantErr := stdDecode(body)
		got, err := decodeBody(body)
		if wantErr != "" {
			if err == nil || err.Error() != wantErr {
				t.Fatalf("%q: error %v, want %q", body, err, wantErr)
			}
			return
		}
		if err != nil {
			t.Fatalf("%q: %v, encoding/json decodes it", body, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: %#v, encoding/json %#v", body, got, want)
		}
	})
}
