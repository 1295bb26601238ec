package compare

import (
	"fmt"
	"strings"

	"github.com/bitbeacon/bitbeacon/api"
	"github.com/bitbeacon/bitbeacon/bench/workload"
	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/release"
)

// request is a workload query parsed into what the SQL translation needs. The Beacon body
// is parsed by api.ParsePOST, the server's own parser, so that both sides read the same
// question; only the evaluation differs.
type request struct {
	target      release.Entity
	anchor      *engine.Anchor
	filters     []engine.Filter
	variant     *engine.VariantQuery
	granularity string // boolean, count or record
	offset      int    // records skipped (skip counts pages, as the server's default)
	limit       int
}

// pathEntity reads an endpoint path element: the record entry types only (collections are
// not translated).
func pathEntity(seg string) (release.Entity, bool) {
	e, ok := release.EntityByPath(seg)
	return e, ok && !e.IsCollection()
}

// maxLimit is the server's default pagination.maxLimit.
const maxLimit = 1000

func parseRequest(q *workload.Query) (*request, error) {
	cfg := api.DefaultConfig()
	req, err := api.ParsePOST(q.Body, cfg.Defaults())
	if err != nil {
		return nil, fmt.Errorf("body: %w", err)
	}
	r := &request{
		filters:     req.Query.Filters,
		variant:     req.Query.Variant,
		granularity: req.Granularity.String(),
	}
	if len(req.Query.DatasetIDs) > 0 {
		return nil, fmt.Errorf("datasetIds are not translated")
	}
	segs := strings.Split(strings.Trim(q.Path, "/"), "/")
	first, ok := pathEntity(segs[0])
	if !ok {
		return nil, fmt.Errorf("path %q: unsupported endpoint", q.Path)
	}
	switch len(segs) {
	case 1:
		r.target = first
	case 3:
		to, ok := pathEntity(segs[2])
		if !ok || segs[1] == "" {
			return nil, fmt.Errorf("path %q: unsupported endpoint", q.Path)
		}
		r.target, r.anchor = to, &engine.Anchor{Entity: first, ID: segs[1]}
	default:
		return nil, fmt.Errorf("path %q: unsupported endpoint", q.Path)
	}
	r.limit = req.Limit
	if r.limit <= 0 || r.limit > maxLimit {
		r.limit = maxLimit
	}
	r.offset = req.Skip * r.limit
	return r, nil
}
