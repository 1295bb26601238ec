package release

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// encodingJSON is what encoding/json writes for s with HTML escaping off, the form
// AppendJSONString promises.
func encodingJSON(t testing.TB, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

var jsonStringCases = []string{
	"", "plain", `quote " and \ backslash`, "<a href='x'>&amp;</a>",
	"\b\f\n\r\t", "\x00\x01\x1f\x7f", "été 😀", "line\u2028sep\u2029par",
	"\xff", "bad\xc3(utf8", "\xed\xa0\x80 surrogate", "\xf4\x90\x80\x80 beyond U+10FFFF",
	"truncated \xe2\x80", "\ufffd literal replacement", strings.Repeat("long plain text ", 64),
}

// Every case is what encoding/json writes, and HTML characters are left as they are: the
// escaping that json.Marshal adds on top (\u003c \u003e \u0026) is all that differs.
func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range jsonStringCases {
		got := AppendJSONString([]byte("prefix"), s)
		if want := append([]byte("prefix"), encodingJSON(t, s)...); !bytes.Equal(got, want) {
			t.Errorf("%q:\n got %s\nwant %s", s, got, want)
		}
		marshal, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		html := strings.NewReplacer("<", `\u003c`, ">", `\u003e`, "&", `\u0026`).Replace(string(got[len("prefix"):]))
		if html != string(marshal) {
			t.Errorf("%q: with HTML escaping %s, json.Marshal %s", s, html, marshal)
		}
	}
	if got := string(AppendJSONString(nil, "a\u2028b\u2029")); got != `"a\u2028b\u2029"` {
		t.Errorf("U+2028/U+2029 written as %s, want them escaped", got)
	}
}

// FuzzAppendJSONString holds AppendJSONString to encoding/json (HTML escaping off) byte for
// byte, and checks that the result reads back as the string with invalid UTF-8 replaced.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range jsonStringCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := AppendJSONString(nil, s)
		if want := encodingJSON(t, s); !bytes.Equal(got, want) {
			t.Fatalf("%q:\n got %s\nwant %s", s, got, want)
		}
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q: %s does not read back: %v", s, got, err)
		}
		if want := validUTF8(s); back != want {
			t.Fatalf("%q read back as %q, want %q", s, back, want)
		}
	})
}

// validUTF8 is s with each byte that is not part of valid UTF-8 replaced by U+FFFD.
func validUTF8(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// AppendJSONString writes into the caller's buffer without allocating.
func TestAppendJSONStringAllocations(t *testing.T) {
	buf := make([]byte, 0, 4096)
	for _, s := range jsonStringCases {
		if n := testing.AllocsPerRun(100, func() { buf = AppendJSONString(buf[:0], s) }); n != 0 {
			t.Errorf("%q: %.0f allocations, want 0", s, n)
		}
	}
}

func BenchmarkAppendJSONString(b *testing.B) {
	for _, c := range []struct{ name, s string }{
		{"id", "NCIT:C16576"},
		{"plain", "Genomic variation carried by a sample of the cohort, 120 characters of ordinary ASCII text as in a label or a name."},
		{"escapes", "tab\there \"quoted\" line\nbreak \\ back"},
		{"unicode", "Ètude génétique — cohorte 北京 😀 données"},
	} {
		b.Run(c.name, func(b *testing.B) {
			buf := make([]byte, 0, 512)
			b.SetBytes(int64(len(c.s)))
			for b.Loop() {
				buf = AppendJSONString(buf[:0], c.s)
			}
		})
	}
}
