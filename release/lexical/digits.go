package lexical

// IsDigit reports whether c is an ASCII digit.
func IsDigit(c byte) bool { return c >= '0' && c <= '9' }

// AllDigits reports whether s is a non-empty run of ASCII digits: the one digit test of the
// module (CURIE local ids, release ids, patch levels, copy numbers).
func AllDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !IsDigit(s[i]) {
			return false
		}
	}
	return true
}
