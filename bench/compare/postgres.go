package compare

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bitbeacon/bitbeacon/release"
)

// postgres holds the release in an indexed PostgreSQL schema (schema.go): every table is
// loaded with COPY from Go (the release read through package release), then indexed and
// analysed. Overlap queries use a GiST index on (chrom, int8range(vstart, vend_eff))
// (btree_gist); the rest are B-trees.
type postgres struct {
	srv   *pgServer
	conn  *pgx.Conn
	lay   *layout
	gist  bool
	stats EngineSetup
	n     atomic.Int64 // prepared statement names
}

func openPostgres(ctx context.Context, r *release.Reader, opts PostgresOptions, logf func(string, ...any)) (*postgres, error) {
	t0 := time.Now()
	srv, err := startPostgres(ctx, opts)
	if err != nil {
		return nil, err
	}
	p := &postgres{srv: srv, lay: newLayout(r), stats: EngineSetup{Engine: "postgres"}}
	p.stats.StartSeconds = time.Since(t0).Seconds()
	if p.conn, err = pgx.Connect(ctx, srv.url()); err != nil {
		srv.stop()
		return nil, err
	}
	if err := p.load(ctx, r, logf); err != nil {
		p.close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	p.stats.SetupSeconds = time.Since(t0).Seconds()
	_ = p.conn.QueryRow(ctx, "SELECT version()").Scan(&p.stats.Version)
	_ = p.conn.QueryRow(ctx, "SELECT pg_database_size(current_database())").Scan(&p.stats.DatabaseBytes)
	return p, nil
}

func (p *postgres) exec(ctx context.Context, s string) error {
	_, err := p.conn.Exec(ctx, s)
	return err
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (p *postgres) load(ctx context.Context, r *release.Reader, logf func(string, ...any)) error {
	t0 := time.Now()
	var ddl []string
	for _, e := range release.Entities {
		if !p.lay.ents[e] || e == release.GenomicVariation {
			continue
		}
		n := sqlNames[e]
		ddl = append(ddl,
			"CREATE TABLE "+n+" (rid integer, ds integer, id text, individual_id text, biosample_id text, json bytea)",
			"CREATE TABLE "+n+"_term (rid integer, term text)",
			"CREATE TABLE "+n+"_field (rid integer, path text, value text, num float8, days float8)")
	}
	ddl = append(ddl,
		"CREATE TABLE variant (rid integer, ds integer, id text, assembly text, chrom text, vstart bigint, vend bigint, vend_eff bigint, ref text, alt text, json bytea)",
		"CREATE TABLE variant_term (rid integer, term text)",
		"CREATE TABLE variant_gene (rid integer, gene text)",
		"CREATE TABLE sample (ds integer, sample integer, id text)",
		"CREATE TABLE carrier (vrow integer, ds integer, sample integer)",
		"CREATE TABLE ontology_parent (id text, parent text)")
	if err := execAll(ctx, p.exec, ddl); err != nil {
		return err
	}
	for _, e := range release.Entities {
		if !p.lay.ents[e] {
			continue
		}
		if err := p.loadEntity(ctx, r, e); err != nil {
			return fmt.Errorf("%s: %w", e, err)
		}
	}
	// Samples and ontology.
	err := p.copy(ctx, "sample", []string{"ds", "sample", "id"}, func(emit func(...any) error) error {
		for i, ds := range p.lay.m.Datasets {
			ids, err := r.ReadSamples(ds.ID)
			if err != nil {
				return err
			}
			for k, id := range ids {
				if err := emit(int32(i), int32(k), id); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = p.copy(ctx, "ontology_parent", []string{"id", "parent"}, func(emit func(...any) error) error {
		return r.ReadOntology(func(t *release.OntologyTerm) error {
			for _, par := range t.Parents {
				if err := emit(t.ID, par); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	tc := time.Now()
	err = p.copy(ctx, "carrier", []string{"vrow", "ds", "sample"}, func(emit func(...any) error) error {
		return eachCarrier(r, p.lay, func(vrow, ds, sample int32) error {
			p.stats.CarrierRows++
			return emit(vrow, ds, sample)
		})
	})
	if err != nil {
		return err
	}
	p.stats.CarrierSeconds = time.Since(tc).Seconds()
	if err := execAll(ctx, p.exec, derivedSQL(p.lay.ents[release.Biosample], p.lay.ents[release.Individual])); err != nil {
		return err
	}
	p.stats.LoadSeconds = time.Since(t0).Seconds()
	logf("postgres: loaded in %.1f s (%d carrier rows); indexing", p.stats.LoadSeconds, p.stats.CarrierRows)
	ti := time.Now()
	if err := p.index(ctx); err != nil {
		return err
	}
	p.stats.IndexSeconds = time.Since(ti).Seconds()
	return nil
}

func (p *postgres) loadEntity(ctx context.Context, r *release.Reader, e release.Entity) error {
	n := sqlNames[e]
	// One pass per table: the records are read again for each (reading is cheap next to
	// COPY and keeps memory flat).
	each := func(fn func(rid, ds int32, rec *release.Record, v *release.Variant) error) error {
		for i, ds := range p.lay.m.Datasets {
			if ds.Files[e] == "" {
				continue
			}
			rid := int32(p.lay.offsets[e][i])
			var err error
			if e == release.GenomicVariation {
				err = r.ReadVariants(ds.ID, func(v *release.Variant) error {
					rid++
					return fn(rid-1, int32(i), &v.Record, v)
				})
			} else {
				err = r.ReadRecords(ds.ID, e, func(rec *release.Record) error {
					rid++
					return fn(rid-1, int32(i), rec, nil)
				})
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	var err error
	if e == release.GenomicVariation {
		err = p.copy(ctx, "variant", []string{"rid", "ds", "id", "assembly", "chrom", "vstart", "vend", "vend_eff", "ref", "alt", "json"},
			func(emit func(...any) error) error {
				return each(func(rid, ds int32, rec *release.Record, v *release.Variant) error {
					return emit(rid, ds, v.ID, v.Assembly, v.Chrom, v.Start, v.End, max(v.End, v.Start+1), v.Ref, v.Alt, v.JSON)
				})
			})
		if err == nil {
			err = p.copy(ctx, "variant_gene", []string{"rid", "gene"}, func(emit func(...any) error) error {
				return each(func(rid, ds int32, rec *release.Record, v *release.Variant) error {
					for _, g := range v.GeneIDs {
						if err := emit(rid, upper(g)); err != nil {
							return err
						}
					}
					return nil
				})
			})
		}
	} else {
		err = p.copy(ctx, n, []string{"rid", "ds", "id", "individual_id", "biosample_id", "json"}, func(emit func(...any) error) error {
			return each(func(rid, ds int32, rec *release.Record, _ *release.Variant) error {
				return emit(rid, ds, rec.ID, nullable(rec.IndividualID), nullable(rec.BiosampleID), rec.JSON)
			})
		})
		if err == nil {
			err = p.copy(ctx, n+"_field", []string{"rid", "path", "value", "num", "days"}, func(emit func(...any) error) error {
				return each(func(rid, ds int32, rec *release.Record, _ *release.Variant) error {
					for _, f := range rec.Fields {
						num, days := reading(f.Value)
						if err := emit(rid, f.Path, f.Value, num, days); err != nil {
							return err
						}
					}
					return nil
				})
			})
		}
	}
	if err != nil {
		return err
	}
	return p.copy(ctx, n+"_term", []string{"rid", "term"}, func(emit func(...any) error) error {
		return each(func(rid, ds int32, rec *release.Record, _ *release.Variant) error {
			for _, t := range rec.Terms {
				if err := emit(rid, t); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// copy streams rows from produce into a table with COPY.
func (p *postgres) copy(ctx context.Context, table string, cols []string, produce func(emit func(...any) error) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rows := make(chan []any, 4096)
	var perr error
	go func() {
		defer close(rows)
		perr = produce(func(vals ...any) error {
			select {
			case rows <- vals:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	_, err := p.conn.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromFunc(func() ([]any, error) {
		row, ok := <-rows
		if !ok {
			return nil, nil
		}
		return row, nil
	}))
	cancel()
	for range rows { // let the producer finish
	}
	if err != nil {
		return fmt.Errorf("COPY %s: %w", table, err)
	}
	if perr != nil {
		return fmt.Errorf("COPY %s: %w", table, perr)
	}
	return nil
}

// index builds what a competent schema has: primary keys, B-trees on every join and lookup
// column, a GiST range index for overlap, then ANALYZE.
func (p *postgres) index(ctx context.Context) error {
	var stmts []string
	for _, e := range release.Entities {
		if !p.lay.ents[e] {
			continue
		}
		n := sqlNames[e]
		stmts = append(stmts,
			"ALTER TABLE "+n+" ADD PRIMARY KEY (rid)",
			"CREATE INDEX ON "+n+" (id)",
			"CREATE INDEX ON "+n+"_term (term, rid)")
		if e != release.GenomicVariation {
			stmts = append(stmts,
				"CREATE INDEX ON "+n+"_field (path, value)",
				"CREATE INDEX ON "+n+"_field (path, num) WHERE num IS NOT NULL",
				"CREATE INDEX ON "+n+"_field (path, days) WHERE days IS NOT NULL")
		}
	}
	stmts = append(stmts,
		"CREATE INDEX ON variant (assembly, chrom, vstart)",
		"CREATE INDEX ON variant (chrom, vend)",
		"CREATE INDEX ON variant_gene (gene, rid)",
		"CREATE INDEX ON carrier (vrow)",
		"CREATE INDEX ON carrier (ds, sample, vrow)",
		"CREATE INDEX ON sample_bio (ds, sample, bio)",
		"CREATE INDEX ON sample_bio (bio, ds, sample)",
		"CREATE INDEX ON bio_ind (bio, ind)",
		"CREATE INDEX ON bio_ind (ind, bio)",
		"CREATE INDEX ON closure (anc, des)")
	if p.lay.ents[release.Biosample] {
		stmts = append(stmts, "CREATE INDEX ON biosample (ds, individual_id)")
	}
	if err := execAll(ctx, p.exec, stmts); err != nil {
		return err
	}
	if p.exec(ctx, "CREATE EXTENSION IF NOT EXISTS btree_gist") == nil &&
		p.exec(ctx, "CREATE INDEX ON variant USING gist (chrom, int8range(vstart, vend_eff))") == nil {
		p.gist = true
	}
	return p.exec(ctx, "ANALYZE")
}

func (p *postgres) name() string                      { return "postgres" }
func (p *postgres) setup() EngineSetup                { return p.stats }
func (p *postgres) entities() map[release.Entity]bool { return p.lay.ents }
func (p *postgres) dialect() dialect {
	return dialect{collate: ` COLLATE "C"`, overlap: func(v, s, e string) string {
		if p.gist {
			return "int8range(" + v + ".vstart, " + v + ".vend_eff) && int8range(" + s + ", " + e + ")"
		}
		return v + ".vstart < " + e + " AND " + v + ".vend_eff > " + s
	}}
}

func (p *postgres) exists(ctx context.Context, q string, args ...any) (bool, error) {
	var ok bool
	err := p.conn.QueryRow(ctx, q, args...).Scan(&ok)
	return ok, err
}

func (p *postgres) prepare(ctx context.Context, q string) (statement, error) {
	name := "q" + strconv.FormatInt(p.n.Add(1), 10)
	if _, err := p.conn.Prepare(ctx, name, q); err != nil {
		return nil, err
	}
	return &pgStatement{conn: p.conn, name: name}, nil
}

func (p *postgres) close() error {
	if p.conn != nil {
		p.conn.Close(context.Background())
	}
	return p.srv.stop()
}

type pgStatement struct {
	conn *pgx.Conn
	name string
}

func (s *pgStatement) scalar(ctx context.Context, args []any) (int64, error) {
	var n int64
	err := s.conn.QueryRow(ctx, s.name, args...).Scan(&n)
	return n, err
}

func (s *pgStatement) page(ctx context.Context, args []any) ([]string, int64, error) {
	rows, err := s.conn.Query(ctx, s.name, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	return scanPage(rows)
}

func (s *pgStatement) close() error {
	return s.conn.Deallocate(context.Background(), s.name)
}
