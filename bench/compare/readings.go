package compare

import (
	"math"
	"strconv"
	"strings"

	"github.com/bitbeacon/bitbeacon/index"
)

// parseNumber reads a value as a number the way bitbeacon's value index does: a decimal
// starting with a digit, sign or point; NaN and infinities are text.
func parseNumber(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	if c := s[0]; !(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.') {
		return 0, false
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, false
	}
	return n, true
}

// reading returns the numeric readings of a field value stored beside it (num, days), so
// that SQL compares numbers and ISO 8601 durations as bitbeacon does; nil for none.
func reading(value string) (num, days any) {
	if n, ok := parseNumber(value); ok {
		return n, nil
	}
	if d, ok := index.ParseDuration(value); ok {
		return nil, d
	}
	return nil, nil
}

func upper(s string) string { return strings.ToUpper(s) }
