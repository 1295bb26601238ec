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

// rows is what database/sql's and pgx's result sets have in common.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// scanPage reads a record page: (id, json, total) per row; the ids in order and the total
// before paging (the record JSON is fetched, as a Beacon would, then dropped).
func scanPage(rs rows) ([]string, int64, error) {
	var ids []string
	var total int64
	for rs.Next() {
		var id string
		var js []byte
		if err := rs.Scan(&id, &js, &total); err != nil {
			return nil, 0, err
		}
		ids = append(ids, id)
	}
	return ids, total, rs.Err()
}
