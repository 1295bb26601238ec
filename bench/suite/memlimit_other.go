//go:build !linux

package suite

import "fmt"

// evictFromPageCache: memory cgroups, and so the step that needs the eviction, are Linux's.
func evictFromPageCache(string) error {
	return fmt.Errorf("%w: memory cgroups are Linux's", errNoCgroup)
}
