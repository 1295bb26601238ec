package api

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/release"
)

// Allele frequencies computed when asked (engine/frequency.go): a genomicVariation record
// carries, among its frequencyInPopulations, one entry of this beacon with the frequency in
// the dataset's whole cohort and, when the query filters people (sex, disease), in the
// people the filters select. Each frequency gives the counts the allele-frequency networks
// read (alleleCount, alleleNumber, alleleCountHomozygous, alleleCountHeterozygous,
// alleleCountHemizygous) beside the model's population and alleleFrequency. A group smaller
// than the dataset's countThreshold (in genotyped samples) is not reported, whatever
// thresholdAnswer says (a frequency has no "at least K" form). With filters on people the
// variant answer's own threshold (its carriers among them, applyThresholds) already holds
// it: the group contains those carriers; the check keeps the rule on every path.

// frequencies renders the frequencyInPopulations entries of one answer's variants.
type frequencies struct {
	s       *Server
	f       *engine.Frequencies
	release string
	// subgroup names the filtered people in their population's name.
	subgroup string
	buf      []byte
}

// newFrequencies prepares the frequencies of q's variant answer.
func (s *Server) newFrequencies(snap *engine.Snapshot, q *engine.Query) (*frequencies, error) {
	f, err := snap.Frequencies(q)
	if err != nil {
		return nil, err
	}
	fr := &frequencies{s: s, f: f, release: snap.ReleaseID}
	if f.HasSubgroup() {
		fr.subgroup = "individuals matching " + strings.Join(f.SubgroupFilters(), " AND ")
	}
	return fr, nil
}

// reportable reports whether a group of n genotyped samples of a dataset may be reported.
func (fr *frequencies) reportable(datasetID string, c engine.AlleleCounts) bool {
	if c.AlleleNumber == 0 {
		return false
	}
	return !fr.s.thresholds || c.Samples >= uint64(fr.s.cfg.Dataset(datasetID).CountThreshold)
}

// appendEntry appends the beacon's frequencyInPopulations entry for variant row v of a
// dataset; false (b unchanged) when no group may be reported.
func (fr *frequencies) appendEntry(b []byte, datasetID string, v uint32) ([]byte, bool) {
	cohort, ok := fr.f.Cohort(v)
	if !ok {
		return b, false
	}
	sub, subOK := fr.f.Subgroup(v)
	showCohort, showSub := fr.reportable(datasetID, cohort), subOK && fr.reportable(datasetID, sub)
	if !showCohort && !showSub {
		return b, false
	}
	b = append(b, `{"source":`...)
	name := fr.s.cfg.Name
	if name == "" {
		name = fr.s.cfg.BeaconID
	}
	b = release.AppendJSONString(b, name+" (computed from the genotypes of dataset "+datasetID+")")
	b = append(b, `,"sourceReference":`...)
	b = release.AppendJSONString(b, fr.s.cfg.BaseURL+"/datasets/"+datasetID)
	b = append(b, `,"version":`...)
	b = release.AppendJSONString(b, fr.release)
	b = append(b, `,"frequencies":[`...)
	if showCohort {
		b = appendPopulationFrequency(b, datasetID+": all genotyped individuals", cohort)
	}
	if showSub {
		if showCohort {
			b = append(b, ',')
		}
		b = appendPopulationFrequency(b, datasetID+": "+fr.subgroup, sub)
	}
	return append(b, "]}"...), true
}

// appendPopulationFrequency appends one PopulationFrequency with the networks' counts.
func appendPopulationFrequency(b []byte, population string, c engine.AlleleCounts) []byte {
	b = append(b, `{"population":`...)
	b = release.AppendJSONString(b, population)
	b = append(b, `,"alleleFrequency":`...)
	b = strconv.AppendFloat(b, c.AlleleFrequency(), 'g', -1, 64)
	b = append(b, `,"alleleCount":`...)
	b = strconv.AppendUint(b, c.AlleleCount, 10)
	b = append(b, `,"alleleNumber":`...)
	b = strconv.AppendUint(b, c.AlleleNumber, 10)
	b = append(b, `,"alleleCountHomozygous":`...)
	b = strconv.AppendUint(b, c.Homozygous, 10)
	b = append(b, `,"alleleCountHeterozygous":`...)
	b = strconv.AppendUint(b, c.Heterozygous, 10)
	b = append(b, `,"alleleCountHemizygous":`...)
	b = strconv.AppendUint(b, c.Hemizygous, 10)
	return append(b, '}')
}

// withFrequency returns the record rec of variant row v with the beacon's entry first in its
// frequencyInPopulations (added when the record has none); rec itself when nothing may be
// reported.
func (fr *frequencies) withFrequency(rec []byte, datasetID string, v uint32) []byte {
	entry, ok := fr.appendEntry(fr.buf[:0], datasetID, v)
	fr.buf = entry
	if !ok {
		return rec
	}
	return spliceFrequency(rec, entry)
}

// spliceFrequency inserts entry at the head of the top-level frequencyInPopulations array of
// the JSON object rec, or adds that array before the closing brace; a new slice.
func spliceFrequency(rec, entry []byte) []byte {
	out := make([]byte, 0, len(rec)+len(entry)+32)
	if at, ok := topLevelArray(rec, "frequencyInPopulations"); ok {
		out = append(out, rec[:at+1]...)
		out = append(out, entry...)
		rest := rec[at+1:]
		if i := skipSpace(rest, 0); i < len(rest) && rest[i] != ']' {
			out = append(out, ',')
		}
		return append(out, rest...)
	}
	end := len(rec) - 1
	for end > 0 && rec[end] != '}' {
		end--
	}
	body := rec[:end]
	out = append(out, body...)
	if i := lastNonSpace(body); i >= 0 && body[i] != '{' {
		out = append(out, ',')
	}
	out = append(out, `"frequencyInPopulations":[`...)
	out = append(out, entry...)
	out = append(out, ']')
	return append(out, rec[end:]...)
}

// topLevelArray returns the index of the '[' opening the value of key in the JSON object
// js, when that value is an array.
func topLevelArray(js []byte, key string) (int, bool) {
	depth := 0
	for i := 0; i < len(js); i++ {
		switch c := js[i]; c {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		case '"':
			start := i + 1
			i = endOfString(js, start)
			if depth != 1 || i >= len(js) {
				continue
			}
			j := skipSpace(js, i+1)
			if j >= len(js) || js[j] != ':' || string(js[start:i]) != key {
				continue
			}
			if j = skipSpace(js, j+1); j < len(js) && js[j] == '[' {
				return j, true
			}
			return 0, false
		}
	}
	return 0, false
}

// endOfString returns the index of the quote closing the string that starts at i.
func endOfString(js []byte, i int) int {
	for ; i < len(js); i++ {
		switch js[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return i
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func lastNonSpace(b []byte) int {
	i := len(b) - 1
	for i >= 0 && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i--
	}
	return i
}

// maxCountFrequencyVariants bounds the answers a count gives frequencies for: finding the
// variant of each set evaluates the query again with rows, cheap for a handful.
const maxCountFrequencyVariants = 64

// answerFrequencies prepares the frequencies of a variant answer: the renderer of the
// records at record granularity, or at count the frequencyInPopulations of each result set
// that matches exactly one variant (the allele asked about). Its work (the subgroup, and at
// count a second evaluation with rows) spends q's budget: past it, the error is a
// *engine.LimitError and the answer goes without frequencies (data.go).
func (s *Server) answerFrequencies(snap *engine.Snapshot, q *engine.Query, res *engine.Result, g Granularity, collections bool) (*frequencies, [][]byte, error) {
	if res.Target != release.GenomicVariation || collections || res.Total == 0 || g < Count {
		return nil, nil, nil
	}
	fr, err := s.newFrequencies(snap, q)
	if err != nil {
		return nil, nil, err
	}
	if g == Record {
		return fr, nil, nil
	}
	if res.Total > maxCountFrequencyVariants {
		return nil, nil, nil
	}
	// The second pass evaluates the sets that matched one variant, and only those: the
	// datasets of the first answer (narrowed to what the caller may see), by id.
	rq := *q // the same budget: the second pass is the request's work too
	rq.CountOnly, rq.DatasetIDs = false, nil
	for _, d := range res.PerDataset {
		if d.Count == 1 {
			rq.DatasetIDs = append(rq.DatasetIDs, d.DatasetID)
		}
	}
	if len(rq.DatasetIDs) == 0 {
		return nil, nil, nil
	}
	full, err := snap.Evaluate(&rq)
	if err != nil {
		return nil, nil, err
	}
	rows := make(map[string]*roaring.Bitmap, len(full.PerDataset))
	for _, d := range full.PerDataset {
		rows[d.DatasetID] = d.Rows
	}
	var out [][]byte
	for i, d := range res.PerDataset {
		v := rows[d.DatasetID]
		if d.Count != 1 || v == nil || v.GetCardinality() != 1 {
			continue
		}
		entry, ok := fr.appendEntry(nil, d.DatasetID, v.Minimum())
		if !ok {
			continue
		}
		if out == nil {
			out = make([][]byte, len(res.PerDataset))
		}
		out[i] = append(append([]byte{'['}, entry...), ']')
	}
	return nil, out, nil
}

// setPage returns the records of one page of a result set, variants with their frequencies
// when fr is not nil.
func (s *Server) setPage(snap *engine.Snapshot, e release.Entity, d engine.DatasetResult, offset, limit int, fr *frequencies) []json.RawMessage {
	if fr == nil || e != release.GenomicVariation {
		return s.page(snap, e, d.Rows, offset, limit)
	}
	rows := engine.Page(d.Rows, offset, limit, nil)
	out := make([]json.RawMessage, 0, len(rows))
	for _, v := range rows {
		out = append(out, fr.withFrequency(snap.RecordJSON(e, v), d.DatasetID, v))
	}
	return out
}
