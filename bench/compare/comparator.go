package compare

import (
	"context"

	"github.com/bitbeacon/bitbeacon/release"
)

// comparator is one SQL engine holding a release.
type comparator interface {
	name() string
	setup() EngineSetup
	dialect() dialect
	entities() map[release.Entity]bool
	querier
	prepare(ctx context.Context, sql string) (statement, error)
	close() error
}

// statement is a prepared query: a one-value answer (boolean as 0/1, count) or a page.
type statement interface {
	scalar(ctx context.Context, args []any) (int64, error)
	// page returns the ids of the page and the total (0 for an empty page).
	page(ctx context.Context, args []any) ([]string, int64, error)
	close() error
}
