package api

import (
	"encoding/json"
	"fmt"
	"testing"
)

// Defect 3 of issue 12, everywhere: skip and limit of any size, in a GET's query string or a
// POST's pagination, on every kind of path that pages (entries, related entries, collections,
// filtering terms), never overflow: each answer is a 200 or a 400, with a Beacon body.
func TestHugePagingEverywhere(t *testing.T) {
	for _, unit := range []string{"pages", "records"} {
		cfg := DefaultConfig()
		cfg.Pagination.SkipUnit = unit
		cfg.Pagination.MaxLimit = 1 << 62
		h := testHandlerWith(t, "fixture", &cfg)
		paths := []string{"/individuals", "/biosamples", "/g_variants", "/analyses", "/runs", "/cohorts", "/datasets",
			"/individuals/I1/biosamples", "/datasets/FIXTURE/individuals", "/filtering_terms", "/individuals/filtering_terms"}
		for _, path := range paths {
			for _, n := range []string{"2147483648", "4611686018427387904", "9223372036854775807", "99999999999999999999999"} {
				for _, pair := range [][2]string{{n, n}, {"3", n}, {n, "1"}} {
					get := fmt.Sprintf("%s?skip=%s&limit=%s&requestedGranularity=record", path, pair[0], pair[1])
					post := fmt.Sprintf(`{"query":{"pagination":{"skip":%s,"limit":%s},"requestedGranularity":"record"}}`, pair[0], pair[1])
					for _, r := range []struct {
						method, uri string
						body        []byte
					}{{"GET", get, nil}, {"POST", path, []byte(post)}} {
						status, out := do(h, r.method, r.uri, r.body)
						var s summary
						if (status != 200 && status != 400) || json.Unmarshal(out, &s) != nil {
							t.Errorf("%s unit, %s %s %s: %d %.300s", unit, r.method, r.uri, r.body, status, out)
						} else if status == 400 && (s.Error == nil || s.Error.ErrorCode != 400) {
							t.Errorf("%s unit, %s %s %s: 400 without a Beacon error body: %.300s", unit, r.method, r.uri, r.body, out)
						}
					}
				}
			}
		}
	}
}
