package engine

import (
	"strings"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

// cnvTypes maps a requested variantType to the stored types it covers. VCF-style DEL/DUP and
// the EFO copy-number terms describe the same events, so each side finds the other; CNV
// covers every copy-number change. Anything else matches itself only.
var cnvTypes = map[string][]string{
	"DEL":         {"DEL", "EFO:0030067", "EFO:0030068", "EFO:0030069"},
	"EFO:0030067": {"EFO:0030067", "EFO:0030068", "EFO:0030069", "DEL"},
	"DUP":         {"DUP", "EFO:0030070", "EFO:0030071", "EFO:0030072"},
	"EFO:0030070": {"EFO:0030070", "EFO:0030071", "EFO:0030072", "DUP"},
	"CNV": {"CNV", "DEL", "DUP", "EFO:0030064", "EFO:0030067", "EFO:0030068", "EFO:0030069",
		"EFO:0030070", "EFO:0030071", "EFO:0030072"},
	"EFO:0030064": {"CNV", "DEL", "DUP", "EFO:0030064", "EFO:0030067", "EFO:0030068", "EFO:0030069",
		"EFO:0030070", "EFO:0030071", "EFO:0030072"},
}

// normalizeVariantType spells a variant type the way the index stores it: upper case for the
// VCF-style words, SNV as SNP, CURIE prefixes upper case.
func normalizeVariantType(t string) string {
	t = strings.TrimSpace(t)
	if i := strings.IndexByte(t, ':'); i > 0 {
		return strings.ToUpper(t[:i]) + t[i:]
	}
	t = strings.ToUpper(t)
	if t == "SNV" {
		return "SNP"
	}
	return t
}

// normalizeAAChange drops a "p." prefix so V600E and p.V600E meet.
func normalizeAAChange(a string) string {
	return strings.TrimPrefix(strings.TrimSpace(a), "p.")
}

// matchVariants evaluates the variant request parameters into a bitmap of variant rows. The
// bitmap may be the index's own: read it, never modify it.
func (s *Snapshot) matchVariants(q *VariantQuery, b *Budget) (*roaring.Bitmap, error) {
	vt := s.variants
	if err := checkVariantQuery(q); err != nil {
		return nil, err
	}
	// The result borrows an index bitmap until a second condition narrows it, so a query of
	// one condition copies nothing; callers never modify it.
	var result *roaring.Bitmap
	owned := false
	and := func(bm *roaring.Bitmap) {
		switch {
		case result == nil:
			result = bm
		case owned:
			result.And(bm)
		default:
			result, owned = roaring.And(result, bm), true
		}
	}
	if q.ReferenceName != "" {
		seqs, err := s.sequencesFor(q.AssemblyID, q.ReferenceName)
		if err != nil {
			return nil, err
		}
		bm := roaring.New()
		m := scanMeter{b: b}
		for _, sq := range seqs {
			vt.matchPositions(sq, q, bm, &m)
		}
		if err := b.Err(); err != nil {
			return nil, err
		}
		and(bm)
	}
	if q.ReferenceName == "" && q.AssemblyID != "" {
		and(vt.assemblyRows(release.NormalizeAssembly(q.AssemblyID)))
	}
	if q.GeneID != "" {
		and(vt.genes.Exact(strings.ToUpper(strings.TrimSpace(q.GeneID))))
	}
	if q.AminoacidChange != "" {
		and(vt.aaChanges.Exact(normalizeAAChange(q.AminoacidChange)))
	}
	if q.GenomicAlleleShortForm != "" {
		and(vt.hgvs.Exact(strings.TrimSpace(q.GenomicAlleleShortForm)))
	}
	if q.VariantType != "" {
		want := normalizeVariantType(q.VariantType)
		names, ok := cnvTypes[want]
		if !ok {
			names = []string{want}
		}
		bm := roaring.New()
		for _, n := range names {
			bm.Or(vt.types.Exact(n))
		}
		and(bm)
	}
	if result == nil {
		result = vt.all
	}
	// Conditions checked per row on what the indexes narrowed down.
	needRow := q.VariantMinLength >= 0 || q.VariantMaxLength >= 0 ||
		(q.ReferenceName == "" && (q.AlternateBases != nil || q.ReferenceBases != nil))
	if needRow {
		keep := roaring.New()
		it := result.Iterator()
		for it.HasNext() {
			r := it.Next()
			if vt.rowMatchesExtras(r, q) {
				keep.Add(r)
			}
		}
		result = keep
	}
	return result, nil
}

// checkVariantQuery rejects combinations of parameters that form no Beacon variant query.
func checkVariantQuery(q *VariantQuery) error {
	if len(q.Start) > 2 || len(q.End) > 2 {
		return badRequest("start and end take one or two values each")
	}
	if (len(q.Start) > 0 || len(q.End) > 0) && q.ReferenceName == "" {
		return badRequest("start and end need referenceName")
	}
	if len(q.End) > 0 && len(q.Start) == 0 {
		return badRequest("end needs start")
	}
	switch {
	case len(q.Start) == 2 && len(q.End) != 2:
		return badRequest("a bracket query needs two start and two end values")
	case len(q.Start) == 1 && len(q.End) == 2:
		return badRequest("a bracket query needs two start values")
	case len(q.Start) == 1 && len(q.End) == 0 && q.AlternateBases == nil:
		return badRequest("a sequence query (start without end) needs alternateBases")
	case len(q.Start) == 2:
		if q.Start[0] > q.Start[1] || q.End[0] > q.End[1] {
			return badRequest("bracket bounds must be ordered: start[0] <= start[1] and end[0] <= end[1]")
		}
	case len(q.Start) == 1 && len(q.End) == 1 && q.End[0] < q.Start[0]:
		return badRequest("end must not be before start")
	}
	if q.VariantMinLength >= 0 && q.VariantMaxLength >= 0 && q.VariantMinLength > q.VariantMaxLength {
		return badRequest("variantMinLength is greater than variantMaxLength")
	}
	return nil
}

// assemblyRows returns the rows of every sequence of one assembly.
func (vt *variantTable) assemblyRows(assembly string) *roaring.Bitmap {
	bm := roaring.New()
	for _, sq := range vt.seqs {
		if sq.assembly == assembly {
			bm.AddRange(uint64(sq.base), uint64(sq.base)+uint64(sq.iv.Len()))
		}
	}
	return bm
}

// sequencesFor resolves referenceName (and assemblyId when given) to the loaded sequences.
// Names are normalised, never matched as substrings; a RefSeq accession fixes the assembly.
func (s *Snapshot) sequencesFor(assemblyID, name string) ([]sequence, error) {
	chrom, assembly, err := s.resolveSequence(assemblyID, name)
	if err != nil {
		return nil, err
	}
	var out []sequence
	for _, sq := range s.variants.seqs {
		if sq.chrom == chrom && (assembly == "" || sq.assembly == assembly) {
			out = append(out, sq)
		}
	}
	return out, nil
}

// resolveSequence normalises referenceName and assemblyId to the chromosome and assembly
// (empty: any) the loaded sequences are keyed by.
func (s *Snapshot) resolveSequence(assemblyID, name string) (chrom, assembly string, err error) {
	chrom, impliedAssembly, ok := release.NormalizeChrom(name)
	if !ok {
		return "", "", badRequest("referenceName %q is not a chromosome name this beacon knows (use 1-22, X, Y, MT, chr-prefixed or RefSeq NC_ accessions)", name)
	}
	if assemblyID != "" {
		assembly = release.NormalizeAssembly(assemblyID)
	}
	if impliedAssembly != "" {
		if assembly != "" && assembly != impliedAssembly {
			return "", "", badRequest("referenceName %q belongs to %s, not to assemblyId %q", name, impliedAssembly, assemblyID)
		}
		assembly = impliedAssembly
	}
	return chrom, assembly, nil
}

// countVariantsOnly answers a count of /g_variants whose only condition is a positional
// variant query (sequence, range or bracket, with bases and lengths): it counts the matching
// rows per dataset as the interval index visits them, with no bitmap and no allocation. ok
// is false for any other query, which takes the general path.
func (s *Snapshot) countVariantsOnly(q *Query, res *Result, allowed []uint16) (ok bool, err error) {
	v := q.Variant
	if !q.CountOnly || q.Target != release.GenomicVariation || len(q.Filters) > 0 || len(q.Groups) > 0 || q.Anchor != nil ||
		v == nil || s.variants == nil || v.ReferenceName == "" ||
		v.GeneID != "" || v.AminoacidChange != "" || v.GenomicAlleleShortForm != "" || v.VariantType != "" {
		return false, nil
	}
	if err := checkVariantQuery(v); err != nil {
		return false, err
	}
	chrom, assembly, err := s.resolveSequence(v.AssemblyID, v.ReferenceName)
	if err != nil {
		return false, err
	}
	vt := s.variants
	counts := res.scratch.datasetCounts(len(s.datasets))
	m := scanMeter{b: q.Budget}
	for _, sq := range vt.seqs {
		if sq.chrom != chrom || (assembly != "" && sq.assembly != assembly) {
			continue
		}
		vt.visitPositions(sq, v, &m, func(row uint32) { counts[vt.dataset[row]]++ })
	}
	if err := q.Budget.Err(); err != nil {
		return true, err
	}
	for _, d := range allowed {
		res.PerDataset = append(res.PerDataset, DatasetResult{DatasetID: s.datasets[d].ID, Index: d, Count: counts[d]})
		res.Total += counts[d]
	}
	return true, nil
}

// matchPositions adds to dst the rows of sequence sq that satisfy the positional part of q
// (sequence, range or bracket query, or the whole sequence when no start is given), metered
// by m where it visits rows one by one.
func (vt *variantTable) matchPositions(sq sequence, q *VariantQuery, dst *roaring.Bitmap, m *scanMeter) {
	if !q.hasRowConditions() {
		// The interval index adds the rows starting inside the query as one range: a 1 Mb
		// range at 10^7 variants is 14,000 rows, added one by one in 200 µs.
		switch {
		case len(q.Start) == 1 && len(q.End) == 0:
			sq.iv.StartsAtTo(q.Start[0], sq.base, dst)
			return
		case len(q.Start) == 1 && len(q.End) == 1:
			sq.iv.OverlapTo(q.Start[0], q.End[0], sq.base, dst)
			return
		}
	}
	vt.visitPositions(sq, q, m, func(row uint32) { dst.Add(row) })
}

// hasRowConditions reports whether q tests rows beyond their position: bases or length.
func (q *VariantQuery) hasRowConditions() bool {
	return q.ReferenceBases != nil || q.AlternateBases != nil || q.VariantMinLength >= 0 || q.VariantMaxLength >= 0
}

// visitPositions calls fn with each row of sequence sq that satisfies the positional part of
// q and its per-row conditions. It stops early when m's budget is past a bound.
func (vt *variantTable) visitPositions(sq sequence, q *VariantQuery, m *scanMeter, fn func(row uint32)) {
	base := sq.base
	visit := func(i int) bool {
		if row := base + uint32(i); vt.rowMatchesExtras(row, q) {
			fn(row)
		}
		return m.add(1)
	}
	switch {
	case len(q.Start) == 0:
		for i := 0; i < sq.iv.Len() && visit(i); i++ {
		}
	case len(q.Start) == 1 && len(q.End) == 0:
		sq.iv.StartsAt(q.Start[0], visit)
	case len(q.Start) == 1:
		sq.iv.Overlap(q.Start[0], q.End[0], visit)
	default:
		sq.iv.Bracket(q.Start[0], q.Start[1], q.End[0], q.End[1], visit)
	}
}

// rowMatchesExtras checks the per-row conditions: bases (N is a wildcard) and length.
func (vt *variantTable) rowMatchesExtras(row uint32, q *VariantQuery) bool {
	if q.ReferenceBases != nil && !basesMatch(*q.ReferenceBases, vt.ref.At(int(row))) {
		return false
	}
	if q.AlternateBases != nil && !basesMatch(*q.AlternateBases, vt.alt.At(int(row))) {
		return false
	}
	length := vt.end[row] - vt.start[row]
	if q.VariantMinLength >= 0 && length < q.VariantMinLength {
		return false
	}
	if q.VariantMaxLength >= 0 && length > q.VariantMaxLength {
		return false
	}
	return true
}

// basesMatch compares a requested allele with a stored one: equal length, N matches any base,
// case-insensitive. An empty request matches an empty allele only ("-" and "." mean empty).
func basesMatch(want, have string) bool {
	if want == "-" || want == "." {
		want = ""
	}
	if have == "-" || have == "." {
		have = ""
	}
	if len(want) != len(have) {
		return false
	}
	for i := 0; i < len(want); i++ {
		w, h := want[i]|0x20, have[i]|0x20
		if w != h && w != 'n' {
			return false
		}
	}
	return true
}
