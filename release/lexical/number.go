package lexical

import (
	"math"
	"strconv"
)

// ParseNumber reads a value as a number the way the value index does: a decimal; NaN and
// infinities are text, not numbers.
func ParseNumber(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	// Cheap reject before strconv: numbers start with a digit, a sign or a point.
	if c := s[0]; !(IsDigit(c) || c == '-' || c == '+' || c == '.') {
		return 0, false
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, false
	}
	return n, true
}
