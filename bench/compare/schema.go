package compare

import (
	"context"
	"fmt"

	"github.com/bitbeacon/bitbeacon/release"
)

// The logical schema both engines share (DuckDB holds the entity tables as views over the
// Parquet files, PostgreSQL as tables; the rest are tables in both):
//
//	<entity>(rid, ds, id, individual_id, biosample_id, json)        individual, biosample, ...
//	variant(rid, ds, id, assembly, chrom, vstart, vend, vend_eff, ref, alt, json)
//	<entity>_term(rid, term)                 every term of the record (terms column)
//	<entity>_field(rid, path, value, num, days)   scalar leaves (fields column), with their
//	                                         number / ISO 8601 duration (days) readings
//	variant_gene(rid, gene)                  upper-cased geneIds
//	ontology_parent(id, parent), closure(anc, des)   is_a edges and their transitive closure
//	sample(ds, sample, id)                   samples.parquet
//	carrier(vrow, ds, sample)                decoded from the roaring carrier bitmaps
//	sample_bio(ds, sample, bio)              sample → biosample (by id, else the individual's)
//	bio_ind(bio, ind)                        biosample → individual
//
// rid is bitbeacon's row number: the row in the file plus the rows of the datasets before
// it in the manifest.

// derivedSQL builds the link and closure tables from the loaded ones, the same in both
// engines.
func derivedSQL(hasBio, hasInd bool) []string {
	out := []string{
		`CREATE TABLE closure AS
		 WITH RECURSIVE c(anc, des) AS (
		   SELECT parent, id FROM ontology_parent
		   UNION SELECT p.parent, c.des FROM c JOIN ontology_parent p ON p.id = c.anc)
		 SELECT DISTINCT anc, des FROM c`,
	}
	if hasBio {
		out = append(out, `CREATE TABLE sample_bio AS
		 SELECT s.ds, s.sample, b.rid AS bio FROM sample s JOIN biosample b ON b.ds = s.ds AND b.id = s.id
		 UNION ALL
		 SELECT s.ds, s.sample, b.rid FROM sample s JOIN biosample b ON b.ds = s.ds AND b.individual_id = s.id
		 WHERE NOT EXISTS (SELECT 1 FROM biosample b2 WHERE b2.ds = s.ds AND b2.id = s.id)`)
	} else {
		out = append(out, `CREATE TABLE sample_bio (ds INTEGER, sample INTEGER, bio INTEGER)`)
	}
	if hasBio && hasInd {
		out = append(out, `CREATE TABLE bio_ind AS
		 SELECT b.rid AS bio, i.rid AS ind FROM biosample b JOIN individual i ON i.ds = b.ds AND i.id = b.individual_id`)
	} else {
		out = append(out, `CREATE TABLE bio_ind (bio INTEGER, ind INTEGER)`)
	}
	return out
}

// layout is what the manifest says about the release: entities present and the row offset
// of each dataset per entity.
type layout struct {
	dir     string
	m       *release.Manifest
	ents    map[release.Entity]bool
	offsets map[release.Entity][]int64 // by dataset index
}

func newLayout(r *release.Reader) *layout {
	l := &layout{dir: r.Dir(), m: r.Manifest(), ents: map[release.Entity]bool{}, offsets: map[release.Entity][]int64{}}
	for _, e := range release.Entities {
		var off int64
		for _, d := range l.m.Datasets {
			l.offsets[e] = append(l.offsets[e], off)
			off += d.Rows[e]
			if d.Files[e] != "" {
				l.ents[e] = true
			}
		}
	}
	return l
}

func execAll(ctx context.Context, exec func(ctx context.Context, sql string) error, stmts []string) error {
	for _, s := range stmts {
		if err := exec(ctx, s); err != nil {
			return fmt.Errorf("%w\nin: %.300s", err, s)
		}
	}
	return nil
}
