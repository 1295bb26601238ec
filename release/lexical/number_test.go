package lexical

import "testing"

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"26", 26, true},
		{"26.0", 26, true},
		{"-3.5", -3.5, true},
		{"+7", 7, true},
		{".5", 0.5, true},
		{"1e3", 1000, true},
		{"0x10", 0, false},
		{"", 0, false},
		{"NaN", 0, false},
		{"+Inf", 0, false},
		{"-inf", 0, false},
		{"1e400", 0, false}, // out of range
		{"P1Y", 0, false},
		{"26 years", 0, false},
		{"e5", 0, false},
	}
	for _, tc := range tests {
		got, ok := ParseNumber(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
