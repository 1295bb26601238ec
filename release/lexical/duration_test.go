package lexical

import (
	"math"
	"testing"
)

func TestParseDurationDays(t *testing.T) {
	const y, m = 365.25, 30.4375 // written out, not DaysPerYear, so a changed constant fails
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"P70Y", 70 * y, true},
		{"P1Y2M10D", y + 2*m + 10, true},
		{"P3W", 21, true},
		{"PT5H", 5.0 / 24, true},
		{"P40Y10M05D", 40*y + 10*m + 5, true},
		{"P1Y2M", 14 * m, true},
		{"P14M", 14 * m, true},
		{"P0.5Y", y / 2, true},
		{"P0,5Y", y / 2, true},
		{"P1DT12H", 1.5, true},
		{"PT36H", 1.5, true},
		{"PT90M", 90.0 / 1440, true},
		{"PT1H30M15S", 1.0/24 + 30.0/1440 + 15.0/86400, true},
		{"p2y", 2 * y, true},
		{"", 0, false},
		{"P", 0, false},
		{"PT", 0, false},
		{"P1", 0, false},
		{"PY", 0, false},
		{"P1M1Y", 0, false},
		{"P1Y1Y", 0, false},
		{"P1H", 0, false},
		{"PT1D", 0, false},
		{"P1YT", 0, false},
		{"P1Y2", 0, false},
		{"70Y", 0, false},
		{"P-1Y", 0, false},
		{"P1.Y", 0, false},
		{"P.5Y", 0, false},
		{"P1X", 0, false},
		{"P1DTT1H", 0, false},
	}
	for _, tc := range tests {
		got, ok := ParseDurationDays(tc.in)
		if ok != tc.ok || (ok && math.Abs(got-tc.want) > 1e-9) {
			t.Errorf("ParseDurationDays(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	// The brief's motivating comparisons.
	a, _ := ParseDurationDays("P70Y")
	b, _ := ParseDurationDays("P65Y")
	c, _ := ParseDurationDays("P1Y2M")
	d, _ := ParseDurationDays("P14M")
	if !(a > b) || c != d {
		t.Errorf("P70Y > P65Y and P1Y2M == P14M should hold: %v %v %v %v", a, b, c, d)
	}
}
