package release

import "unicode/utf8"

// AppendJSONString appends s as a JSON string, byte for byte what encoding/json writes with
// HTML escaping off (json.Encoder.SetEscapeHTML(false)): quote and backslash escaped, \b \f
// \n \r \t for those controls and \u00XX for the others, each invalid UTF-8 byte as \ufffd,
// and U+2028 and U+2029 escaped (JavaScript reads them as line ends). Every JSON string the
// server and ingest write by hand goes through it, so one fuzz test (FuzzAppendJSONString)
// holds them all to encoding/json.
func AppendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0 // s[start:i] is pending, written as it is
	for i := 0; i < len(s); {
		c := s[i]
		if jsonPlain[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// jsonPlain marks the bytes a JSON string holds as they are: printable ASCII, neither quote
// nor backslash ('<', '>' and '&' are plain: no HTML escaping). A byte-indexed table of 256
// needs no bounds check in the loop; bytes of multi-byte characters are not plain.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()
