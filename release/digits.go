package release

// AllDigits reports whether s is a non-empty run of ASCII digits: the one digit test of the
// module (CURIE local ids, release ids, patch levels, copy numbers).
func AllDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
