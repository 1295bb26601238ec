package compare

import (
	"context"
	"fmt"
	"strings"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/release"
	"github.com/bitbeacon/bitbeacon/release/lexical"
)

// The SQL schema is the same in both engines (schema.go); only the overlap condition and the
// text collation differ (dialect). Every entity is a table or view <name>(rid, ds, id, ...)
// whose rid is bitbeacon's row number (file order, datasets in manifest order), and every
// query is a set of rids: filters, variant parameters and the anchor each give one set of
// rows of their own entity, moved to the target through the link tables, and ANDed with
// `x.rid IN (...)`.

// sqlNames are the table names of the entities.
var sqlNames = map[release.Entity]string{
	release.Individual:       "individual",
	release.Biosample:        "biosample",
	release.Run:              "run",
	release.Analysis:         "analysis",
	release.GenomicVariation: "variant",
	release.Dataset:          "dataset",
	release.Cohort:           "cohort",
}

// dialect holds what differs between the engines' SQL.
type dialect struct {
	// collate makes text comparisons byte-wise, as bitbeacon's (PostgreSQL: COLLATE "C").
	collate string
	// overlap returns the condition "variant v overlaps [s, e)" for the alias v.
	overlap func(v, s, e string) string
}

// querier runs the lookups translation needs (which entity holds a filter's term or field).
type querier interface {
	exists(ctx context.Context, sql string, args ...any) (bool, error)
}

// translation is one query in SQL: the timed statement and, for record pages, the count.
type translation struct {
	sql       string
	countSQL  string // record granularity: the total, checked once (not timed)
	args      []any
	countArgs []any
	record    bool
}

type sqlBuilder struct {
	d    dialect
	q    querier
	ents map[release.Entity]bool // entities with a table
	args []any
}

func (b *sqlBuilder) arg(v any) string {
	b.args = append(b.args, v)
	cast := "text"
	switch v.(type) {
	case int64:
		cast = "bigint"
	case float64:
		cast = "float8"
	}
	return fmt.Sprintf("$%d::%s", len(b.args), cast)
}

// translate turns a request into SQL. Scope lookups run here, once per query, the way a
// planner would consult its catalogue; they are not part of the timed statement.
func translate(ctx context.Context, d dialect, q querier, ents map[release.Entity]bool, r *request) (*translation, error) {
	b := &sqlBuilder{d: d, q: q, ents: ents}
	if !ents[r.target] {
		return nil, fmt.Errorf("no %s table", r.target)
	}
	conds, err := b.conditions(ctx, r)
	if err != nil {
		return nil, err
	}
	from := sqlNames[r.target] + " x"
	where := "TRUE"
	if len(conds) > 0 {
		where = strings.Join(conds, " AND ")
	}
	t := &translation{}
	switch r.granularity {
	case "boolean":
		t.sql = "SELECT CASE WHEN EXISTS (SELECT 1 FROM " + from + " WHERE " + where + ") THEN 1 ELSE 0 END"
	case "count":
		t.sql = "SELECT count(*) FROM " + from + " WHERE " + where
	case "record":
		t.record = true
		t.countSQL = "SELECT count(*) FROM " + from + " WHERE " + where
		t.countArgs = append([]any(nil), b.args...)
		lim, off := b.arg(int64(r.limit)), b.arg(int64(r.offset))
		t.sql = "SELECT x.id, x.json, count(*) OVER () FROM " + from + " WHERE " + where +
			" ORDER BY x.rid LIMIT " + lim + " OFFSET " + off
	default:
		return nil, fmt.Errorf("granularity %q", r.granularity)
	}
	t.args = b.args
	return t, nil
}

// conditions returns the WHERE conditions on the target alias x.
func (b *sqlBuilder) conditions(ctx context.Context, r *request) ([]string, error) {
	var conds []string
	for i := range r.filters {
		e, set, err := b.filterSet(ctx, &r.filters[i], r.target)
		if err != nil {
			return nil, err
		}
		if set == "" {
			conds = append(conds, "FALSE") // nobody holds it: matches nothing, as in bitbeacon
			continue
		}
		moved, err := b.move(e, set, r.target)
		if err != nil {
			return nil, err
		}
		conds = append(conds, "x.rid IN ("+moved+")")
	}
	if r.variant != nil {
		if !b.ents[release.GenomicVariation] {
			return append(conds, "FALSE"), nil
		}
		alias := "v"
		if r.target == release.GenomicVariation {
			alias = "x"
		}
		vc, err := b.variantConds(alias, r.variant)
		if err != nil {
			return nil, err
		}
		if r.target == release.GenomicVariation {
			conds = append(conds, vc...)
		} else {
			set := "SELECT v.rid FROM variant v"
			if len(vc) > 0 {
				set += " WHERE " + strings.Join(vc, " AND ")
			}
			moved, err := b.move(release.GenomicVariation, set, r.target)
			if err != nil {
				return nil, err
			}
			conds = append(conds, "x.rid IN ("+moved+")")
		}
	}
	if a := r.anchor; a != nil {
		if !b.ents[a.Entity] {
			return append(conds, "FALSE"), nil
		}
		set := "SELECT rid FROM " + sqlNames[a.Entity] + " WHERE id = " + b.arg(a.ID)
		moved, err := b.move(a.Entity, set, r.target)
		if err != nil {
			return nil, err
		}
		conds = append(conds, "x.rid IN ("+moved+")")
	}
	return conds, nil
}

// scopes lists the entities a filter may apply to, in bitbeacon's order: its scope, else the
// target first, then the others in release.Entities order.
func (b *sqlBuilder) scopes(f *engine.Filter, target release.Entity) []release.Entity {
	if f.Scope != "" {
		return []release.Entity{f.Scope}
	}
	out := []release.Entity{target}
	for _, e := range release.Entities {
		if e != target {
			out = append(out, e)
		}
	}
	return out
}

// filterSet returns the entity a filter applies to and the SQL of its matching rids, "" when
// no entity holds its term or field.
func (b *sqlBuilder) filterSet(ctx context.Context, f *engine.Filter, target release.Entity) (release.Entity, string, error) {
	if f.ID == "" {
		return "", "", fmt.Errorf("a filter needs an id")
	}
	for _, e := range b.scopes(f, target) {
		if !b.ents[e] {
			continue
		}
		if f.Kind == engine.AlphanumericFilter {
			if e == release.GenomicVariation {
				continue // variant fields are not loaded (see docs/benchmarks.md)
			}
			name := sqlNames[e]
			held, err := b.q.exists(ctx, "SELECT EXISTS (SELECT 1 FROM "+name+"_field WHERE path = $1::text)", f.ID)
			if err != nil {
				return "", "", err
			}
			if held {
				set, err := b.fieldSet(e, f)
				return e, set, err
			}
			continue
		}
		probe := &sqlBuilder{d: b.d}
		set := probe.termSet(e, f)
		held, err := b.q.exists(ctx, "SELECT EXISTS ("+set+")", probe.args...)
		if err != nil {
			return "", "", err
		}
		if held {
			return e, b.termSet(e, f), nil
		}
	}
	return "", "", nil
}

// termSet: rows holding the term or, for an ontology filter with descendants, one of its
// descendants (closure is the transitive is_a closure of ontology.parquet).
func (b *sqlBuilder) termSet(e release.Entity, f *engine.Filter) string {
	tab := sqlNames[e] + "_term"
	t := b.arg(f.ID)
	if f.IncludeDescendants && f.Kind == engine.OntologyFilter {
		return "SELECT rid FROM " + tab + " WHERE term IN (SELECT des FROM closure WHERE anc = " + t + " UNION ALL SELECT " + t + ")"
	}
	return "SELECT rid FROM " + tab + " WHERE term = " + t
}

// fieldSet: rows whose value at the path satisfies the operator, with bitbeacon's rules
// (index.ValueIndex.Match): = compares text, or numbers / durations when both read so, or
// a case-insensitive pattern with %; ! is the complement; < > <= >= compare numbers, else
// durations in days, else text byte-wise.
func (b *sqlBuilder) fieldSet(e release.Entity, f *engine.Filter) (string, error) {
	tab := sqlNames[e] + "_field"
	op := f.Operator
	if op == "" {
		op = "="
	}
	num, isNum := lexical.ParseNumber(f.Value)
	days, isDur := 0.0, false
	if !isNum {
		days, isDur = lexical.ParseDurationDays(f.Value)
	}
	path := b.arg(f.ID)
	eq := func() string {
		if strings.Contains(f.Value, "%") {
			pat := strings.NewReplacer(`\`, `\\`, "_", `\_`).Replace(strings.ToLower(f.Value))
			return "lower(value) LIKE " + b.arg(pat) + ` ESCAPE '\'`
		}
		c := "value = " + b.arg(f.Value)
		if isNum {
			c += " OR num = " + b.arg(num)
		} else if isDur {
			c += " OR days = " + b.arg(days)
		}
		return "(" + c + ")"
	}
	switch op {
	case "=":
		return "SELECT rid FROM " + tab + " WHERE path = " + path + " AND " + eq(), nil
	case "!", "!=":
		return "SELECT rid FROM " + sqlNames[e] + " WHERE rid NOT IN (SELECT rid FROM " + tab +
			" WHERE path = " + path + " AND " + eq() + ")", nil
	case "<", ">", "<=", ">=":
		switch {
		case isNum:
			return "SELECT rid FROM " + tab + " WHERE path = " + path + " AND num " + op + " " + b.arg(num), nil
		case isDur:
			return "SELECT rid FROM " + tab + " WHERE path = " + path + " AND days " + op + " " + b.arg(days), nil
		}
		return "SELECT rid FROM " + tab + " WHERE path = " + path + " AND value" + b.d.collate + " " + op + " " + b.arg(f.Value), nil
	}
	return "", fmt.Errorf("filter %q: unknown operator %q", f.ID, op)
}

// move returns the rids of entity to linked to the rids in set (of entity from), through
// bio_ind (biosample → individual) and carrier + sample_bio (variant → biosample).
func (b *sqlBuilder) move(from release.Entity, set string, to release.Entity) (string, error) {
	if from == to {
		return set, nil
	}
	const carriers = "FROM carrier c JOIN sample_bio sb ON sb.ds = c.ds AND sb.sample = c.sample"
	switch {
	case from == release.Individual && to == release.Biosample:
		return "SELECT bio FROM bio_ind WHERE ind IN (" + set + ")", nil
	case from == release.Biosample && to == release.Individual:
		return "SELECT ind FROM bio_ind WHERE bio IN (" + set + ")", nil
	case from == release.Biosample && to == release.GenomicVariation:
		return "SELECT c.vrow " + carriers + " WHERE sb.bio IN (" + set + ")", nil
	case from == release.GenomicVariation && to == release.Biosample:
		return "SELECT sb.bio " + carriers + " WHERE c.vrow IN (" + set + ")", nil
	case from == release.Individual && to == release.GenomicVariation:
		s, _ := b.move(release.Individual, set, release.Biosample)
		return b.move(release.Biosample, s, release.GenomicVariation)
	case from == release.GenomicVariation && to == release.Individual:
		s, _ := b.move(release.GenomicVariation, set, release.Biosample)
		return b.move(release.Biosample, s, release.Individual)
	}
	return "", fmt.Errorf("links from %s to %s are not translated", from, to)
}

// variantConds returns the conditions of the variant request parameters on alias v.
func (b *sqlBuilder) variantConds(v string, q *engine.VariantQuery) ([]string, error) {
	var conds []string
	switch {
	case q.VariantType != "", q.AminoacidChange != "", q.GenomicAlleleShortForm != "", q.MateName != "":
		return nil, fmt.Errorf("variantType, aminoacidChange, genomicAlleleShortForm and mateName are not translated")
	case (len(q.Start) > 0 || len(q.End) > 0) && q.ReferenceName == "":
		return nil, fmt.Errorf("start and end need referenceName")
	}
	assembly := ""
	if q.AssemblyID != "" {
		assembly = release.NormalizeAssembly(q.AssemblyID)
	}
	if q.ReferenceName != "" {
		chrom, implied, ok := release.NormalizeChrom(q.ReferenceName)
		if !ok {
			return nil, fmt.Errorf("referenceName %q is not a chromosome name", q.ReferenceName)
		}
		if implied != "" {
			if assembly != "" && assembly != implied {
				return nil, fmt.Errorf("referenceName %q belongs to %s, not %s", q.ReferenceName, implied, assembly)
			}
			assembly = implied
		}
		conds = append(conds, v+".chrom = "+b.arg(chrom))
	}
	if assembly != "" {
		conds = append(conds, v+".assembly = "+b.arg(assembly))
	}
	switch {
	case len(q.Start) == 0:
	case len(q.Start) == 1 && len(q.End) == 0:
		if q.AlternateBases == nil {
			return nil, fmt.Errorf("a sequence query needs alternateBases")
		}
		conds = append(conds, v+".vstart = "+b.arg(q.Start[0]))
	case len(q.Start) == 1 && len(q.End) == 1:
		conds = append(conds, b.d.overlap(v, b.arg(q.Start[0]), b.arg(q.End[0])))
	case len(q.Start) == 2 && len(q.End) == 2:
		conds = append(conds,
			v+".vstart >= "+b.arg(q.Start[0]), v+".vstart < "+b.arg(q.Start[1]),
			v+".vend >= "+b.arg(q.End[0]), v+".vend < "+b.arg(q.End[1]))
	default:
		return nil, fmt.Errorf("start/end: %d and %d values form no query", len(q.Start), len(q.End))
	}
	if q.ReferenceBases != nil {
		conds = append(conds, b.bases(v+".ref", *q.ReferenceBases))
	}
	if q.AlternateBases != nil {
		conds = append(conds, b.bases(v+".alt", *q.AlternateBases))
	}
	if q.GeneID != "" {
		conds = append(conds, v+".rid IN (SELECT rid FROM variant_gene WHERE gene = "+b.arg(strings.ToUpper(strings.TrimSpace(q.GeneID)))+")")
	}
	if q.VariantMinLength >= 0 {
		conds = append(conds, v+".vend - "+v+".vstart >= "+b.arg(q.VariantMinLength))
	}
	if q.VariantMaxLength >= 0 {
		conds = append(conds, v+".vend - "+v+".vstart <= "+b.arg(q.VariantMaxLength))
	}
	return conds, nil
}

// bases compares an allele as bitbeacon does: case-insensitive, N any base, "-" and "."
// empty.
func (b *sqlBuilder) bases(col, want string) string {
	if want == "-" || want == "." {
		want = ""
	}
	want = strings.ToUpper(want)
	if strings.Contains(want, "N") {
		return "upper(" + col + ") LIKE " + b.arg(strings.ReplaceAll(want, "N", "_"))
	}
	return "upper(" + col + ") = " + b.arg(want)
}
