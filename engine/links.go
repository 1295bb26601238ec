package engine

import (
	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

// The model links individual ← biosample ← run ← analysis by id, and variants to biosamples
// through their carriers (caseLevelData; see carriers.go). Every individual-level record therefore resolves to one individual
// row (indOf) and, except individuals, one biosample row (bioOf); translate moves a set of
// rows from one entity to another along these links, which is what a filter scoped to
// another entity and the /{entity}/{id}/{other} endpoints need.

// resolveHubs fills indOf/bioOf of every table from the direct links, following
// analysis → run → biosample → individual where a direct link is missing.
func (s *Snapshot) resolveHubs() {
	bios := s.tables[release.Biosample]
	runs := s.tables[release.Run]
	indOfBio := func(b int32) int32 {
		if b < 0 || bios == nil {
			return -1
		}
		return bios.individual[b]
	}
	for e, t := range s.tables {
		if e == release.GenomicVariation {
			continue // linked through carriers
		}
		t.indOf = make([]int32, t.n)
		t.bioOf = make([]int32, t.n)
		for r := range t.indOf {
			ind, bio := int32(-1), int32(-1)
			switch e {
			case release.Individual:
				ind = int32(r)
			case release.Biosample:
				bio, ind = int32(r), t.individual[r]
			case release.Run, release.Analysis:
				bio = t.biosample[r]
				if bio < 0 && e == release.Analysis && t.run[r] >= 0 && runs != nil {
					bio = runs.biosample[t.run[r]]
				}
				ind = t.individual[r]
				if ind < 0 {
					ind = indOfBio(bio)
				}
				if ind < 0 && e == release.Analysis && t.run[r] >= 0 && runs != nil {
					ind = runs.individual[t.run[r]]
				}
			}
			t.indOf[r], t.bioOf[r] = ind, bio
		}
	}
}

// translate returns the rows of entity to linked to the given rows of entity from. The result
// is a new bitmap, or rows itself when from == to.
func (s *Snapshot) translate(from release.Entity, rows *roaring.Bitmap, to release.Entity) *roaring.Bitmap {
	return s.moveRows(from, rows, to, nil)
}

// moveRows is translate within a query's budget: the scan of the variants' carriers stops
// early, with partial rows, when b is past a bound (the caller checks b.Err).
func (s *Snapshot) moveRows(from release.Entity, rows *roaring.Bitmap, to release.Entity, b *Budget) *roaring.Bitmap {
	if from == to {
		return rows
	}
	src, dst := s.tables[from], s.tables[to]
	if src == nil || dst == nil || rows.IsEmpty() {
		return roaring.New()
	}
	if from.IsCollection() || to.IsCollection() {
		return s.byDatasets(s.datasetsOf(src, rows), dst)
	}
	if from == release.GenomicVariation {
		return s.fromBiosamples(s.carriersOf(rows, b), to, b)
	}
	if to == release.Individual && rows.GetCardinality() < fewRowsToIndividuals {
		out := roaring.New()
		it := rows.Iterator()
		for it.HasNext() {
			if ind := src.indOf[it.Next()]; ind >= 0 {
				out.Add(uint32(ind))
			}
		}
		return out
	}
	if to == release.Individual {
		// Many rows: bits in a dense buffer, one bitmap at the end: the carriers of a common variant
		// among 100,000 samples are tens of thousands of rows, and roaring's Add one by one
		// was most of a mixed query's time there.
		words := make([]uint64, (dst.n+63)/64)
		it := rows.ManyIterator()
		var buf [256]uint32
		for n := it.NextMany(buf[:]); n > 0; n = it.NextMany(buf[:]) {
			for _, r := range buf[:n] {
				if ind := src.indOf[r]; ind >= 0 {
					words[ind>>6] |= 1 << (ind & 63)
				}
			}
		}
		return roaring.FromDense(words, false)
	}
	if from == release.Individual {
		switch to {
		case release.GenomicVariation:
			return s.variantsOf(s.biosamplesOfIndividuals(rows), b)
		case release.Biosample:
			return s.biosamplesOfIndividuals(rows)
		}
		return s.scanLinked(dst, func(r uint32) int32 { return dst.indOf[r] }, rows)
	}
	if from == release.Run && to == release.Analysis {
		return s.analysesOfRuns(rows)
	}
	if from == release.Analysis && to == release.Run {
		return s.runsOfAnalyses(rows)
	}
	return s.fromBiosamples(s.biosamplesOf(src, rows), to, b)
}

// biosamplesOf returns the biosample rows of the given rows of t.
func (s *Snapshot) biosamplesOf(t *table, rows *roaring.Bitmap) *roaring.Bitmap {
	bios := roaring.New()
	it := rows.Iterator()
	for it.HasNext() {
		if b := t.bioOf[it.Next()]; b >= 0 {
			bios.Add(uint32(b))
		}
	}
	return bios
}

// analysesOfRuns follows analysis.runId where an analysis has one, so two runs of one
// biosample keep their own analyses; an analysis without a run link belongs to every run
// of its biosample.
func (s *Snapshot) analysesOfRuns(runs *roaring.Bitmap) *roaring.Bitmap {
	an := s.tables[release.Analysis]
	bios := s.biosamplesOf(s.tables[release.Run], runs)
	out := roaring.New()
	for a := uint32(0); a < an.n; a++ {
		if r := an.run[a]; r >= 0 {
			if runs.Contains(uint32(r)) {
				out.Add(a)
			}
		} else if b := an.bioOf[a]; b >= 0 && bios.Contains(uint32(b)) {
			out.Add(a)
		}
	}
	return out
}

// runsOfAnalyses is the inverse of analysesOfRuns.
func (s *Snapshot) runsOfAnalyses(analyses *roaring.Bitmap) *roaring.Bitmap {
	an := s.tables[release.Analysis]
	out := roaring.New()
	unlinked := roaring.New()
	it := analyses.Iterator()
	for it.HasNext() {
		a := it.Next()
		if r := an.run[a]; r >= 0 {
			out.Add(uint32(r))
		} else if b := an.bioOf[a]; b >= 0 {
			unlinked.Add(uint32(b))
		}
	}
	if !unlinked.IsEmpty() {
		out.Or(s.fromBiosamples(unlinked, release.Run, nil))
	}
	return out
}

// fromBiosamples maps biosample rows to rows of entity to, within b (nil: unbounded).
func (s *Snapshot) fromBiosamples(bios *roaring.Bitmap, to release.Entity, b *Budget) *roaring.Bitmap {
	switch to {
	case release.Biosample:
		return bios
	case release.GenomicVariation:
		return s.variantsOf(bios, b)
	case release.Individual, release.Dataset, release.Cohort:
		return s.translate(release.Biosample, bios, to)
	}
	dst := s.tables[to]
	return s.scanLinked(dst, func(r uint32) int32 { return dst.bioOf[r] }, bios)
}

// biosamplesOfIndividuals returns the biosample rows of the individual rows, through the
// inverted link (a lookup per individual, not a scan of every biosample).
func (s *Snapshot) biosamplesOfIndividuals(inds *roaring.Bitmap) *roaring.Bitmap {
	if bios := s.tables[release.Biosample]; bios != nil && inds.GetCardinality() >= fewIndividualsToBiosamples {
		return roaring.FromDense(s.biosampleWordsOfIndividuals(inds, int(bios.n+63)/64), false)
	}
	out := roaring.New()
	it := inds.Iterator()
	for it.HasNext() {
		if r := it.Next(); int(r) < len(s.biosamplesOfIndividual) {
			out.AddMany(s.biosamplesOfIndividual[r])
		}
	}
	return out
}

// biosampleWordsOfIndividuals returns the biosample rows of the individual rows as n dense
// words: the inverted link, as biosamplesOfIndividuals follows it, without building a bitmap
// (frequencies AND them with other words; biosamplesOfIndividuals makes them a bitmap).
func (s *Snapshot) biosampleWordsOfIndividuals(inds *roaring.Bitmap, n int) []uint64 {
	words := make([]uint64, n)
	it := inds.ManyIterator()
	var buf [256]uint32
	for k := it.NextMany(buf[:]); k > 0; k = it.NextMany(buf[:]) {
		for _, ind := range buf[:k] {
			if int(ind) >= len(s.biosamplesOfIndividual) {
				continue
			}
			for _, r := range s.biosamplesOfIndividual[ind] {
				if int(r>>6) < n {
					words[r>>6] |= 1 << (r & 63)
				}
			}
		}
	}
	return words
}

// scanLinked returns the rows r of t whose link(r) is in set.
func (s *Snapshot) scanLinked(t *table, link func(r uint32) int32, set *roaring.Bitmap) *roaring.Bitmap {
	out := roaring.New()
	if t == nil {
		return out
	}
	for r := uint32(0); r < t.n; r++ {
		if l := link(r); l >= 0 && set.Contains(uint32(l)) {
			out.Add(r)
		}
	}
	return out
}

// carriersOf returns the biosample rows carrying any of the variant rows, ORed in a dense
// buffer over the biosample rows (a few words per thousand samples), a block of rows at a
// time where the variants cover it (carrierLists.orCarriers), metered on b.
func (s *Snapshot) carriersOf(variants *roaring.Bitmap, b *Budget) *roaring.Bitmap {
	bios := s.tables[release.Biosample]
	if bios == nil {
		return roaring.New()
	}
	words := make([]uint64, (bios.n+63)/64)
	m := scanMeter{b: b}
	s.variants.carriers.orCarriers(variants, words, &m)
	return roaring.FromDense(words, false)
}

// variantsOf returns the variant rows carried by any of the biosample rows. The bitmap may be
// the index's own: read it, never modify it. Many biosamples are ORed unionStep at a time,
// with a check of b between steps (nil: one union): one ontology filter on /g_variants
// that matches most individuals ORs thousands of bitmaps, milliseconds in one roaring call
// during which the query neither stops at its deadline nor, when heavy, steps aside for the
// cheap queries queued on its core (Budget.Spend). It stops early, with partial rows, when
// b is past a bound (the caller checks b.Err).
func (s *Snapshot) variantsOf(bios *roaring.Bitmap, b *Budget) *roaring.Bitmap {
	var parts []*roaring.Bitmap
	it := bios.Iterator()
	for it.HasNext() {
		r := it.Next()
		if int(r) < len(s.variants.carriedBy) {
			if v := s.variants.carriedBy[r]; v != nil {
				parts = append(parts, v)
			}
		}
	}
	if len(parts) == 1 {
		return parts[0] // one biosample (the usual individual): its own bitmap, read only
	}
	if b == nil || len(parts) <= unionStep {
		return roaring.FastOr(parts...)
	}
	out := roaring.FastOr(parts[:unionStep]...)
	for i := unionStep; i < len(parts); i += unionStep {
		if b.Spend(0) != nil {
			return out
		}
		for _, p := range parts[i:min(i+unionStep, len(parts))] {
			out.Or(p)
		}
	}
	return out
}

// unionStep is how many carried-variant bitmaps variantsOf ORs between two checks of the
// query's budget: tens of microseconds of work at 2,504 samples.
const unionStep = 32

// datasetsOf returns the dataset indexes of the rows, ascending: with spans, one step per
// dataset the rows touch.
func (s *Snapshot) datasetsOf(t *table, rows *roaring.Bitmap) []uint16 {
	var out []uint16
	if t.spans != nil {
		for x := rows.NextValue(0); x >= 0; {
			d := spanOf(t.spans, uint32(x))
			out = append(out, uint16(d))
			if t.spans[d+1] >= t.n {
				break
			}
			x = rows.NextValue(t.spans[d+1])
		}
		return out
	}
	for d, bm := range t.byDataset {
		if bm.Intersects(rows) {
			out = append(out, uint16(d))
		}
	}
	return out
}

// byDatasets returns, as a new bitmap, every row of t that belongs to one of the datasets
// (ascending): from spans as ranges, adjacent ones merged, where the table has them.
func (s *Snapshot) byDatasets(ds []uint16, t *table) *roaring.Bitmap {
	out := roaring.New()
	if t.spans == nil {
		for _, d := range ds {
			out.Or(t.byDataset[d])
		}
		return out
	}
	for i := 0; i < len(ds); {
		j := i + 1
		for j < len(ds) && ds[j] == ds[j-1]+1 {
			j++
		}
		out.AddRange(uint64(t.spans[ds[i]]), uint64(t.spans[ds[j-1]+1]))
		i = j
	}
	return out
}
