package engine

import (
	"math/bits"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

// Allele frequencies are computed when asked, from the carriers, their zygosity codes
// (carriers.go) and the called alleles of every sample (calls.go), for a dataset's whole
// cohort or for the people a query's filters select. The unit is the sample (a VCF column,
// one genotype a person): a sample is counted through one biosample row, its representative
// (the row it maps to, the first one when it maps to an individual's several biosamples), so
// that an individual with two biosamples is not counted twice.
//
//   - alleleNumber: the alleles called in the group's samples, 2 for each sample but those of
//     the variant's call pattern (a haploid call 1, a no-call 0, "0/." 1);
//   - alleleCount: copies of the allele: a homozygous call gives its called alleles (2, or 1
//     for a haploid call read as homozygous), a heterozygous or hemizygous call 1, a call
//     without zygosity 1 (at least one copy);
//   - the homozygous, heterozygous and hemizygous counts are calls (samples), as gnomAD's
//     nhomalt and the allele-frequency networks count them.
//
// A polyploid heterozygous call ("0/1/1") counts one copy: the release keeps the zygosity of
// a call, not its number of copies. Variants not read from genotypes (BFF JSON, whose
// caseLevelData names carriers only) have no allele number and no frequency.

// AlleleCounts is the allele frequency of one variant in one group of samples.
type AlleleCounts struct {
	// Samples is the group's genotyped samples in the variant's dataset: its size, which
	// privacy thresholds compare.
	Samples      uint64
	AlleleCount  uint64
	AlleleNumber uint64
	Homozygous   uint64
	Heterozygous uint64
	Hemizygous   uint64
}

// AlleleFrequency is AlleleCount / AlleleNumber, 0 when no allele was called.
func (c AlleleCounts) AlleleFrequency() float64 {
	if c.AlleleNumber == 0 {
		return 0
	}
	return float64(c.AlleleCount) / float64(c.AlleleNumber)
}

// Zygosity classes of a call, as frequencies count them.
const (
	zygUnknown uint8 = iota
	zygHom
	zygHet
	zygHemi
)

// cohorts is what frequencies read of the sample spaces, built once per snapshot when first
// asked: the representative rows of every dataset's samples, as dense words over the
// biosample rows (a biosample row belongs to one dataset, so one set serves them all).
type cohorts struct {
	called  []uint64 // representative rows
	size    []uint64 // by dataset index: its samples with a representative row
	spread  []spreadSample
	classes []uint8 // by zygosity code (0 unused), codeSpace long
}

// spreadSample is a sample mapping to several biosample rows: it is in a group when any of
// them is.
type spreadSample struct {
	rep    uint32
	others []int32
}

// representative returns the biosample row that stands for sample x, false for none.
func (sp *sampleSpace) representative(x uint32) (uint32, bool) {
	if sp.shift {
		if sp.matched != nil && !sp.matched.Contains(x) {
			return 0, false
		}
		return uint32(int64(x) + sp.offset), true
	}
	if int(x) >= len(sp.rows) {
		return 0, false
	}
	switch r := sp.rows[x]; {
	case r >= 0:
		return uint32(r), true
	case r == -2:
		return uint32(sp.multi[x][0]), true
	}
	return 0, false
}

// cohortData returns the snapshot's cohorts, nil when it has no variants or biosamples.
func (s *Snapshot) cohortData() *cohorts {
	s.cohortOnce.Do(func() {
		vt, bios := s.variants, s.tables[release.Biosample]
		if vt == nil || vt.cl == nil || bios == nil {
			return
		}
		c := &cohorts{called: make([]uint64, (bios.n+63)/64), size: make([]uint64, len(vt.cl.spaces))}
		for d, sp := range vt.cl.spaces {
			for x := range sp.ids {
				r, ok := sp.representative(uint32(x))
				if !ok || r >= bios.n || c.called[r>>6]&(1<<(r&63)) != 0 {
					continue
				}
				c.called[r>>6] |= 1 << (r & 63)
				c.size[d]++
				if !sp.shift && sp.rows[x] == -2 {
					c.spread = append(c.spread, spreadSample{rep: r, others: sp.multi[uint32(x)][1:]})
				}
			}
		}
		c.classes = make([]uint8, codeSpace)
		for i, t := range vt.cl.terms {
			c.classes[i+1] = s.zygosityClass(t.ID)
		}
		s.cohort = c
	})
	return s.cohort
}

// zygosityClass places a zygosity term by itself or its nearest known ancestor.
func (s *Snapshot) zygosityClass(id string) uint8 {
	for _, t := range append([]string{id}, s.onto.Ancestors(id)...) {
		switch t {
		case "GENO:0000136", "GENO:0000393": // homozygous, trisomic homozygous
			return zygHom
		case "GENO:0000135", "GENO:0000394": // heterozygous, trisomic heterozygous
			return zygHet
		case "GENO:0000134": // hemizygous
			return zygHemi
		}
	}
	return zygUnknown
}

// Frequencies computes allele frequencies for the answers of one query: each variant's in
// its dataset's whole cohort and, when the query filters people (individuals, biosamples,
// runs or analyses, e.g. by sex or disease), in the people it selects.
type Frequencies struct {
	s        *Snapshot
	c        *cohorts
	subgroup []uint64 // representative rows of the selected people; nil without such filters
	subSize  []uint64 // by dataset index, counted when first asked (^0 until then)
	subIDs   []string // the ids of the filters that select the subgroup
	samples  []uint32
}

// Frequencies prepares the frequencies of q's answers. The subgroup is the people every
// filter of q on people selects (its OR groups and anchor do not narrow it). It spends q's
// budget as an evaluation does: each filter and its rows, and the rows it moves.
func (s *Snapshot) Frequencies(q *Query) (*Frequencies, error) {
	f := &Frequencies{s: s, c: s.cohortData()}
	if f.c == nil {
		return f, nil
	}
	normalizeFilterIDs(q)
	// The filters on individuals (and those on biosamples) are ANDed in their own rows before
	// moving to biosample rows: an individual's biosamples are its own, so the move of the
	// intersection is the intersection of the moves, one move instead of one per filter.
	// Runs and analyses move filter by filter: two runs of one biosample may each pass one.
	var inds, bios *roaring.Bitmap
	var moved []*roaring.Bitmap
	and := func(acc **roaring.Bitmap, rows *roaring.Bitmap) {
		if *acc == nil {
			*acc = rows.Clone()
		} else {
			(*acc).And(rows)
		}
	}
	for i := range q.Filters {
		sr, _, err := s.filterRows(&q.Filters[i], release.GenomicVariation)
		if err != nil {
			return nil, err
		}
		if err := q.Budget.Spend(filterCost + int64(sr.rows.GetCardinality())); err != nil {
			return nil, err
		}
		if !peopleScope(sr.entity) {
			continue
		}
		f.subIDs = append(f.subIDs, q.Filters[i].ID)
		switch sr.entity {
		case release.Individual:
			and(&inds, sr.rows)
		case release.Biosample:
			and(&bios, sr.rows)
		default:
			moved = append(moved, s.moveRows(sr.entity, sr.rows, release.Biosample, q.Budget))
			if err := q.Budget.Err(); err != nil {
				return nil, err
			}
		}
	}
	if f.subIDs == nil {
		return f, nil
	}
	n := len(f.c.called)
	var group []uint64 // the biosample rows every filter selects
	andWords := func(w []uint64) {
		if group == nil {
			group = w
			return
		}
		for i := range group {
			group[i] &= w[i]
		}
	}
	if inds != nil {
		andWords(s.biosampleWordsOfIndividuals(inds, n))
	}
	if bios != nil {
		moved = append(moved, bios)
	}
	for _, rows := range moved {
		andWords(rowWords(rows, n))
	}
	f.subgroup = f.groupWords(group)
	f.subSize = make([]uint64, len(f.c.size))
	for i := range f.subSize {
		f.subSize[i] = ^uint64(0)
	}
	return f, nil
}

// rowWords returns rows as n dense words (rows past them dropped).
func rowWords(rows *roaring.Bitmap, n int) []uint64 {
	words := make([]uint64, n)
	it := rows.ManyIterator()
	var buf [256]uint32
	for k := it.NextMany(buf[:]); k > 0; k = it.NextMany(buf[:]) {
		for _, r := range buf[:k] {
			if int(r>>6) < n {
				words[r>>6] |= 1 << (r & 63)
			}
		}
	}
	return words
}

// peopleScope: the entities whose filters select people.
func peopleScope(e release.Entity) bool {
	return e == release.Individual || e == release.Biosample || e == release.Run || e == release.Analysis
}

// groupWords turns the biosample rows of a group (dense words, modified in place) into the
// representative rows of the samples with a biosample row in it.
func (f *Frequencies) groupWords(words []uint64) []uint64 {
	var spreadIn []uint32
	for _, sp := range f.c.spread {
		for _, o := range sp.others {
			if words[o>>6]&(1<<(o&63)) != 0 {
				spreadIn = append(spreadIn, sp.rep)
				break
			}
		}
	}
	for i := range words {
		words[i] &= f.c.called[i]
	}
	for _, r := range spreadIn {
		words[r>>6] |= 1 << (r & 63)
	}
	return words
}

// HasSubgroup reports whether the query selects people, so that Subgroup answers.
func (f *Frequencies) HasSubgroup() bool { return f.subgroup != nil }

// SubgroupFilters returns the ids of the query's filters that select the subgroup.
func (f *Frequencies) SubgroupFilters() []string { return f.subIDs }

// SubgroupSamples returns the genotyped samples of the subgroup in a dataset, the
// subgroup's size there, which privacy thresholds compare; false without a subgroup.
func (f *Frequencies) SubgroupSamples(datasetID string) (uint64, bool) {
	d, ok := f.s.datasetIndex[datasetID]
	if f.subgroup == nil || !ok || int(d) >= len(f.subSize) {
		return 0, false
	}
	if f.subSize[d] == ^uint64(0) {
		f.subSize[d] = f.wordsIn(f.subgroup, d)
	}
	return f.subSize[d], true
}

// Cohort returns the counts of variant row v in its dataset's whole cohort; false when v was
// not read from genotypes.
func (f *Frequencies) Cohort(v uint32) (AlleleCounts, bool) {
	if !f.genotyped(v) {
		return AlleleCounts{}, false
	}
	return f.count(v, f.c.called, f.c.size[f.s.variants.dataset[v]]), true
}

// Subgroup returns the counts of variant row v among the people the query selects; false
// without such filters or when v was not read from genotypes.
func (f *Frequencies) Subgroup(v uint32) (AlleleCounts, bool) {
	if f.subgroup == nil || !f.genotyped(v) {
		return AlleleCounts{}, false
	}
	d := f.s.variants.dataset[v]
	n, _ := f.SubgroupSamples(f.s.datasets[d].ID)
	return f.count(v, f.subgroup, n), true
}

// wordsIn counts the rows of words in dataset d: a popcount over the dataset's rows when
// they are one range (as ingest appends them), else a walk of them.
func (f *Frequencies) wordsIn(words []uint64, d uint16) uint64 {
	rows := f.s.tables[release.Biosample].byDataset[d]
	if rows.IsEmpty() {
		return 0
	}
	if lo, hi := rows.Minimum(), rows.Maximum(); rows.GetCardinality() == uint64(hi-lo)+1 {
		return countRange(words, lo, hi)
	}
	var n uint64
	rows.Iterate(func(r uint32) bool {
		if words[r>>6]&(1<<(r&63)) != 0 {
			n++
		}
		return true
	})
	return n
}

// countRange counts the bits of words in rows lo to hi, both included.
func countRange(words []uint64, lo, hi uint32) uint64 {
	var n int
	for w := lo >> 6; w <= hi>>6 && int(w) < len(words); w++ {
		x := words[w]
		if w == lo>>6 {
			x &= ^uint64(0) << (lo & 63)
		}
		if w == hi>>6 {
			x &= ^uint64(0) >> (63 - hi&63)
		}
		n += bits.OnesCount64(x)
	}
	return uint64(n)
}

func (f *Frequencies) genotyped(v uint32) bool {
	vt := f.s.variants
	return f.c != nil && v < vt.n && vt.calls.genotyped.Contains(v)
}

// count returns the counts of variant row v over the representative rows in members, of
// which there are size in v's dataset.
func (f *Frequencies) count(v uint32, members []uint64, size uint64) AlleleCounts {
	vt := f.s.variants
	in := func(r uint32) bool { return int(r>>6) < len(members) && members[r>>6]&(1<<(r&63)) != 0 }
	out := AlleleCounts{Samples: size}
	// Allele number: 2 a sample, corrected by the pattern's samples in the group.
	an := int64(2 * size)
	pb, pa := vt.calls.exceptions(v)
	for i, r := range pb {
		if in(r) {
			an += int64(pa[i]) - 2
		}
	}
	out.AlleleNumber = uint64(max(an, 0))
	called := func(r uint32) uint64 {
		if i, ok := slices.BinarySearch(pb, r); ok {
			return uint64(pa[i])
		}
		return 2
	}
	add := func(r uint32, class uint8) {
		switch class {
		case zygHom:
			out.Homozygous++
			out.AlleleCount += called(r)
		case zygHet:
			out.Heterozygous++
			out.AlleleCount++
		case zygHemi:
			out.Hemizygous++
			out.AlleleCount++
		default:
			out.AlleleCount++
		}
	}
	cl := vt.cl
	sp := cl.spaces[vt.dataset[v]]
	if sets, ok := cl.fallback[v]; ok {
		// Zygosity by term id, sample by sample; a sample in no set has none.
		f.samples = vt.appendSamples(f.samples[:0], v)
		for _, x := range f.samples {
			r, ok := sp.representative(x)
			if !ok || !in(r) {
				continue
			}
			class := zygUnknown
			for _, z := range sets {
				if z.Bits.Contains(x) {
					class = f.s.zygosityClass(z.ID)
					break
				}
			}
			add(r, class)
		}
		return out
	}
	codes := cl.codes[cl.at[v]:cl.at[v+1]]
	if len(codes) == 0 || int(v) >= len(cl.sampleBits) || cl.sampleBits[v] == nil {
		// Carrier rows in sample order (the space is a shift), or without codes: one class
		// for every carrier, or none. A sample spread over several rows counts at its
		// representative only, the one row of it in members.
		f.samples = vt.carriers.appendTo(f.samples[:0], v)
		for i, r := range f.samples {
			if !in(r) {
				continue
			}
			add(r, f.c.classes[codeAt(codes, i)])
		}
		return out
	}
	// Codes follow the sample-space carriers kept for a space that cannot be inverted.
	f.samples = appendBits(f.samples[:0], cl.sampleBits[v])
	for i, x := range f.samples {
		r, ok := sp.representative(x)
		if !ok || !in(r) {
			continue
		}
		add(r, f.c.classes[codeAt(codes, i)])
	}
	return out
}

// codeAt is the zygosity code of a variant's i-th carrier: one code stands for every
// carrier, and a carrier past the codes has code 0.
func codeAt(codes []byte, i int) byte {
	switch {
	case len(codes) == 1:
		return codes[0]
	case i < len(codes):
		return codes[i]
	}
	return 0
}
