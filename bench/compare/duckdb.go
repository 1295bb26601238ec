package compare

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/marcboeker/go-duckdb"

	"github.com/bitbeacon/bitbeacon/release"
)

// duckDB queries the release's Parquet files: the entity tables are views over
// read_parquet, so ids, coordinates, alleles and JSON are read from the files by every
// query. What the files hold in a form DuckDB cannot join on (list columns, carrier bitmaps)
// is unnested once at setup into helper tables (schema.go).
type duckDB struct {
	db    *sql.DB
	conn  *sql.Conn
	lay   *layout
	stats EngineSetup
}

// OpenDuckDB loads a release into an in-memory DuckDB.
func openDuckDB(ctx context.Context, r *release.Reader) (*duckDB, error) {
	t0 := time.Now()
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		return nil, fmt.Errorf("duckdb: %w", err)
	}
	d := &duckDB{db: sql.OpenDB(connector), lay: newLayout(r), stats: EngineSetup{Engine: "duckdb"}}
	if d.conn, err = d.db.Conn(ctx); err != nil {
		d.db.Close()
		return nil, err
	}
	if err := d.load(ctx, r); err != nil {
		d.close()
		return nil, fmt.Errorf("duckdb: %w", err)
	}
	d.stats.LoadSeconds = time.Since(t0).Seconds()
	d.stats.SetupSeconds = d.stats.LoadSeconds
	_ = d.conn.QueryRowContext(ctx, "SELECT version()").Scan(&d.stats.Version)
	var mem sql.NullInt64
	if err := d.conn.QueryRowContext(ctx, "SELECT sum(memory_usage_bytes)::BIGINT FROM duckdb_memory()").Scan(&mem); err == nil {
		d.stats.DatabaseBytes = mem.Int64
	}
	return d, nil
}

func (d *duckDB) exec(ctx context.Context, s string) error {
	_, err := d.conn.ExecContext(ctx, s)
	return err
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// parquetUnion is a UNION ALL over one entity's file in every dataset, with rid and ds.
func (d *duckDB) parquetUnion(e release.Entity, cols string) string {
	var parts []string
	for i, ds := range d.lay.m.Datasets {
		f := ds.Files[e]
		if f == "" {
			continue
		}
		path := filepath.Join(d.lay.dir, filepath.FromSlash(f))
		parts = append(parts, fmt.Sprintf("SELECT (file_row_number + %d)::INTEGER AS rid, %d AS ds, %s FROM read_parquet(%s, file_row_number = true)",
			d.lay.offsets[e][i], i, cols, sqlString(path)))
	}
	return strings.Join(parts, " UNION ALL ")
}

func (d *duckDB) load(ctx context.Context, r *release.Reader) error {
	const recordCols = "id, individualId AS individual_id, biosampleId AS biosample_id, terms, fields, json"
	const variantCols = `id, assembly, chrom, "start" AS vstart, "end" AS vend, greatest("end", "start" + 1) AS vend_eff, ref, alt, geneIds, terms, json`
	var stmts []string
	var fieldTables []string
	for _, e := range release.Entities {
		if !d.lay.ents[e] {
			continue
		}
		name := sqlNames[e]
		if e == release.GenomicVariation {
			stmts = append(stmts,
				"CREATE VIEW variant AS "+d.parquetUnion(e, variantCols),
				"CREATE TABLE variant_term AS SELECT rid, unnest(terms) AS term FROM variant",
				"CREATE TABLE variant_gene AS SELECT rid, upper(unnest(geneIds)) AS gene FROM variant")
			continue
		}
		stmts = append(stmts,
			"CREATE VIEW "+name+" AS "+d.parquetUnion(e, recordCols),
			"CREATE TABLE "+name+"_term AS SELECT rid, unnest(terms) AS term FROM "+name,
			"CREATE TABLE "+name+"_field0 AS SELECT rid, f.path AS path, f.value AS value FROM (SELECT rid, unnest(fields) AS f FROM "+name+")")
		fieldTables = append(fieldTables, name)
	}
	if !d.lay.ents[release.GenomicVariation] {
		stmts = append(stmts, "CREATE TABLE variant_gene (rid INTEGER, gene VARCHAR)")
	}
	// Samples and ontology, from their files.
	var samples []string
	for i, ds := range d.lay.m.Datasets {
		if ds.Samples != "" {
			samples = append(samples, fmt.Sprintf("SELECT %d AS ds, file_row_number::INTEGER AS sample, id FROM read_parquet(%s, file_row_number = true)",
				i, sqlString(filepath.Join(d.lay.dir, filepath.FromSlash(ds.Samples)))))
		}
	}
	if len(samples) > 0 {
		stmts = append(stmts, "CREATE TABLE sample AS "+strings.Join(samples, " UNION ALL "))
	} else {
		stmts = append(stmts, "CREATE TABLE sample (ds INTEGER, sample INTEGER, id VARCHAR)")
	}
	if f := d.lay.m.OntologyFile; f != "" {
		stmts = append(stmts, "CREATE TABLE ontology_parent AS SELECT id, unnest(parents) AS parent FROM read_parquet("+
			sqlString(filepath.Join(d.lay.dir, filepath.FromSlash(f)))+")")
	} else {
		stmts = append(stmts, "CREATE TABLE ontology_parent (id VARCHAR, parent VARCHAR)")
	}
	stmts = append(stmts,
		"CREATE TABLE carrier (vrow INTEGER, ds INTEGER, sample INTEGER)",
		"CREATE TABLE reading (value VARCHAR, num DOUBLE, days DOUBLE)")
	if err := execAll(ctx, d.exec, stmts); err != nil {
		return err
	}
	if err := d.loadReadings(ctx, fieldTables); err != nil {
		return err
	}
	var finish []string
	for _, name := range fieldTables {
		finish = append(finish,
			"CREATE TABLE "+name+"_field AS SELECT f.rid, f.path, f.value, r.num, r.days FROM "+name+"_field0 f LEFT JOIN reading r ON r.value = f.value",
			"DROP TABLE "+name+"_field0")
	}
	if err := execAll(ctx, d.exec, finish); err != nil {
		return err
	}
	t0 := time.Now()
	n, err := d.loadCarriers(ctx, r)
	if err != nil {
		return err
	}
	d.stats.CarrierSeconds, d.stats.CarrierRows = time.Since(t0).Seconds(), n
	return execAll(ctx, d.exec, derivedSQL(d.lay.ents[release.Biosample], d.lay.ents[release.Individual]))
}

// loadReadings computes in Go the number and duration readings of every distinct field
// value (DuckDB has no ISO 8601 duration parser matching bitbeacon's).
func (d *duckDB) loadReadings(ctx context.Context, tables []string) error {
	if len(tables) == 0 {
		return nil
	}
	var parts []string
	for _, t := range tables {
		parts = append(parts, "SELECT value FROM "+t+"_field0")
	}
	rows, err := d.conn.QueryContext(ctx, "SELECT DISTINCT value FROM ("+strings.Join(parts, " UNION ALL ")+")")
	if err != nil {
		return err
	}
	var values []string
	for rows.Next() {
		var v sql.NullString
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		if v.Valid {
			values = append(values, v.String)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return d.appendRows(ctx, "reading", func(add func(args ...driver.Value) error) error {
		for _, v := range values {
			num, days := reading(v)
			if num == nil && days == nil {
				continue
			}
			if err := add(v, num, days); err != nil {
				return err
			}
		}
		return nil
	})
}

// loadCarriers decodes every variant's carrier bitmap into (variant row, dataset, sample)
// rows.
func (d *duckDB) loadCarriers(ctx context.Context, r *release.Reader) (int64, error) {
	var n int64
	err := d.appendRows(ctx, "carrier", func(add func(args ...driver.Value) error) error {
		return eachCarrier(r, d.lay, func(vrow, ds, sample int32) error {
			n++
			return add(vrow, ds, sample)
		})
	})
	return n, err
}

// appendRows streams rows into a table through DuckDB's appender.
func (d *duckDB) appendRows(ctx context.Context, table string, fill func(add func(args ...driver.Value) error) error) error {
	return d.conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", table)
		if err != nil {
			return err
		}
		if err := fill(a.AppendRow); err != nil {
			a.Close()
			return err
		}
		return a.Close()
	})
}

func (d *duckDB) name() string                      { return "duckdb" }
func (d *duckDB) setup() EngineSetup                { return d.stats }
func (d *duckDB) entities() map[release.Entity]bool { return d.lay.ents }
func (d *duckDB) dialect() dialect {
	return dialect{overlap: func(v, s, e string) string {
		return v + ".vstart < " + e + " AND " + v + ".vend_eff > " + s
	}}
}

func (d *duckDB) exists(ctx context.Context, q string, args ...any) (bool, error) {
	var ok bool
	err := d.conn.QueryRowContext(ctx, q, args...).Scan(&ok)
	return ok, err
}

func (d *duckDB) prepare(ctx context.Context, q string) (statement, error) {
	st, err := d.conn.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	return sqlStatement{st}, nil
}

func (d *duckDB) close() error {
	if d.conn != nil {
		d.conn.Close()
	}
	return d.db.Close()
}

// sqlStatement is a database/sql prepared statement.
type sqlStatement struct{ st *sql.Stmt }

func (s sqlStatement) scalar(ctx context.Context, args []any) (int64, error) {
	var n int64
	err := s.st.QueryRowContext(ctx, args...).Scan(&n)
	return n, err
}

func (s sqlStatement) page(ctx context.Context, args []any) ([]string, int64, error) {
	rows, err := s.st.QueryContext(ctx, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	return scanPage(rows)
}

func (s sqlStatement) close() error { return s.st.Close() }
