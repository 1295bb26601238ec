package lexical

import "testing"

func TestAllDigits(t *testing.T) {
	for s, want := range map[string]bool{
		"0": true, "0123456789": true, "": false, "-1": false, "1a": false, " 1": false,
		"١":  false,              // a non-ASCII digit is not a digit here
		"1/": false, "1:": false, // the bytes just below and above '0'..'9'
	} {
		if got := AllDigits(s); got != want {
			t.Errorf("AllDigits(%q) = %v, want %v", s, got, want)
		}
	}
	for c := 0; c < 256; c++ {
		if got, want := IsDigit(byte(c)), c >= '0' && c <= '9'; got != want {
			t.Errorf("IsDigit(%q) = %v", rune(c), got)
		}
	}
}
