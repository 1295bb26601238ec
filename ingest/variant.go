package ingest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/bitbeacon/bitbeacon/release"
)

// vrsCURIE is the pattern of a VRS 1.3 CURIE (definitions/CURIE in vrs.json), which
// SequenceLocation.sequence_id must match for the record to validate.
var vrsCURIE = regexp.MustCompile(`^\w[^:]*:.+$`)

// NormalizeVariant turns one decoded BFF genomicVariation into a release.Variant: the record
// part as NormalizeRecord does it, plus the columns of the variant index. Coordinates come
// from variation.location (legacy variation or VRS Allele), falling back to the vcf2bff
// _position block; the chromosome and assembly are normalised, and the assembly argument is
// used only when the record implies none. A variant without a position or chromosome is an
// error. Coordinates are 0-based, half-open, as VRS and BFF already have them.
func NormalizeVariant(raw map[string]any, datasetID, assembly string) (*release.Variant, []Warning, error) {
	id, err := requireString(raw, "variantInternalId")
	if err != nil {
		return nil, nil, err
	}
	var warns []Warning
	warns = assignDataset(raw, datasetID, warns)
	variation, ok := raw["variation"].(map[string]any)
	if !ok {
		if raw["variation"] == nil {
			return nil, nil, fieldErr("variation", "missing (required)")
		}
		return nil, nil, fieldErr("variation", "want an object, got %s", jsonKind(raw["variation"]))
	}
	warns = checkRecord(release.GenomicVariation, raw, warns)
	pos, _ := raw["_position"].(map[string]any)

	v := &release.Variant{Record: release.Record{ID: id, DatasetID: datasetID}}
	p := placeVariant(variation, pos, assembly, &warns)
	if p.err != nil {
		return nil, nil, p.err
	}
	v.Chrom, v.Assembly, v.Start, v.End = p.chrom, p.assembly, p.start, p.end
	v.Ref, v.Alt, v.VariantType, warns = alleles(variation, warns)
	if !p.hasEnd {
		v.End = v.Start + int64(max(len(v.Ref), 1))
	}
	if v.End < v.Start {
		return nil, nil, fieldErr("variation.location.interval.end", "end %d before start %d", v.End, v.Start)
	}
	if v.VariantType == "" {
		warns = inferVariantType(variation, v, warns)
	}
	warns = repairLocation(variation, v, p, warns)
	warns = extendToReference(v, p, warns)

	v.IndividualID, warns = link(raw, keyIndividualID, warns)
	v.BiosampleID, warns = link(raw, keyBiosampleID, warns)
	v.RunID, warns = link(raw, keyRunID, warns)
	v.AnalysisID, warns = link(raw, keyAnalysisID, warns)
	// caseLevelData becomes the carrier columns; as fields it would add one entry per carrier
	// to every variant and duplicate what the carrier bitmaps answer better.
	w := walker{skipTop: map[string]bool{"variantInternalId": true}, skipFields: map[string]bool{"caseLevelData": true}}
	w.object(raw, "", true, false)
	v.Terms, v.Fields = w.result()

	if ma, ok := raw["molecularAttributes"].(map[string]any); ok {
		v.GeneIDs = stringList(ma["geneIds"])
		v.AminoacidChanges = stringList(ma["aminoacidChanges"])
	}
	if ids, ok := raw["identifiers"].(map[string]any); ok {
		v.HGVSIDs = stringList(ids["genomicHGVSId"])
		v.HGVSIDs = appendUnique(v.HGVSIDs, stringList(ids["transcriptHGVSIds"])...)
		v.HGVSIDs = appendUnique(v.HGVSIDs, stringList(ids["proteinHGVSIds"])...)
	}
	var plain bool
	v.Carriers, v.CarrierZygosity, plain, warns = carriers(raw["caseLevelData"], warns)
	if plain {
		// The carriers say all caseLevelData says: the release stores them once, as
		// bitmaps, and the engine renders caseLevelData from them.
		delete(raw, "caseLevelData")
		v.CaseLevelFromCarriers = true
	}
	if v.JSON, err = marshal(raw); err != nil {
		return nil, nil, fieldErr("", "cannot encode record: %v", err)
	}
	return v, warns, nil
}

// placement is where a variant sits, and where that was read from.
type placement struct {
	chrom, assembly string
	start, end      int64
	hasEnd          bool
	loc             map[string]any // variation.location (or subject), nil if absent
	err             error
}

// placeVariant reads chromosome, assembly and interval. Sources, strongest first: a RefSeq
// sequence_id ("refseq:NC_000022.10"), then _position.assemblyId, then the assembly argument,
// then an accession inside an "HGVSid:" sequence_id (vcf2bff copies ClinVar's HGVS there,
// which may be on the other assembly than the coordinates).
func placeVariant(variation, pos map[string]any, flagAsm string, warns *[]Warning) placement {
	var p placement
	p.loc, _ = variation["location"].(map[string]any)
	if p.loc == nil {
		p.loc, _ = variation["subject"].(map[string]any) // VRS copy-number variation
	}
	var seqChrom, seqAsm, rawChrom string
	weak := false
	if p.loc != nil {
		if sid, ok := p.loc["sequence_id"].(string); ok {
			seqChrom, seqAsm, weak, rawChrom = parseSequenceID(sid)
		}
	}
	var posChrom, posAsm string
	if pos != nil {
		if s, ok := pos["refseqId"].(string); ok && s != "" {
			if c, a, ok := release.NormalizeChrom(s); ok {
				posChrom = c
				if a != "" {
					posAsm = a
				}
			} else if rawChrom == "" {
				rawChrom = s
			}
		}
		if s, ok := pos["assemblyId"].(string); ok && s != "" {
			posAsm = release.NormalizeAssembly(s)
		}
	}
	flagAsm = release.NormalizeAssembly(flagAsm)

	switch {
	case seqChrom != "":
		p.chrom = seqChrom
		if posChrom != "" && posChrom != seqChrom {
			*warns = append(*warns, Warning{Field: "_position.refseqId", Msg: fmt.Sprintf("chromosome %s disagrees with sequence_id chromosome %s; using %s", posChrom, seqChrom, seqChrom)})
		}
	case posChrom != "":
		p.chrom = posChrom
	case rawChrom != "":
		p.chrom = rawChrom
		*warns = append(*warns, Warning{Field: "variation.location.sequence_id", Msg: fmt.Sprintf("%q is not a primary chromosome of GRCh37/GRCh38; stored as given", rawChrom)})
	default:
		p.err = fieldErr("variation.location.sequence_id", "cannot tell the chromosome (no usable sequence_id, no _position.refseqId)")
		return p
	}

	strong := ""
	if !weak {
		strong = seqAsm
	}
	switch {
	case strong != "":
		p.assembly = strong
		if posAsm != "" && posAsm != strong {
			*warns = append(*warns, Warning{Field: "_position.assemblyId", Msg: fmt.Sprintf("%s disagrees with sequence_id (%s); using %s", posAsm, strong, strong)})
		}
	case posAsm != "":
		p.assembly = posAsm
		if weak && seqAsm != "" && seqAsm != posAsm {
			*warns = append(*warns, Warning{Field: "variation.location.sequence_id", Msg: fmt.Sprintf("HGVS id is on %s but _position.assemblyId is %s; using %s", seqAsm, posAsm, posAsm)})
		}
	case flagAsm != "":
		p.assembly = flagAsm
	default:
		p.assembly = seqAsm
	}
	if p.assembly != "" && flagAsm != "" && p.assembly != flagAsm {
		*warns = append(*warns, Warning{Field: "assembly", Msg: fmt.Sprintf("record is on %s, --assembly says %s; using the record's", p.assembly, flagAsm)})
	}
	if p.assembly == "" {
		*warns = append(*warns, Warning{Field: "assembly", Msg: "unknown: the record names none; pass --assembly"})
	}

	startSet, endSet := false, false
	if p.loc != nil {
		iv, _ := p.loc["interval"].(map[string]any)
		if iv == nil {
			iv = p.loc // VRS 2 style: start/end on the location itself
		}
		if s, ok, err := bound(iv["start"], false); err != nil {
			p.err = fieldErr("variation.location.interval.start", "%v", err)
			return p
		} else if ok {
			p.start, startSet = s, true
		}
		if e, ok, err := bound(iv["end"], true); err != nil {
			p.err = fieldErr("variation.location.interval.end", "%v", err)
			return p
		} else if ok {
			p.end, endSet = e, true
		}
	}
	if pos != nil {
		if !startSet {
			if s, ok, err := bound(pos["startInteger"], false); err == nil && ok {
				p.start, startSet = s, true
			}
		}
		if !endSet && startSet {
			if e, ok, err := bound(pos["endInteger"], true); err == nil && ok {
				p.end, endSet = e, true
			}
		}
	}
	if !startSet {
		p.err = fieldErr("variation.location.interval.start", "no position (no interval start, no _position.startInteger)")
		return p
	}
	if p.start < 0 {
		p.err = fieldErr("variation.location.interval.start", "negative start %d", p.start)
		return p
	}
	p.hasEnd = endSet
	return p
}

// parseSequenceID reads the chromosome out of a location's sequence_id: a RefSeq accession
// (with or without "refseq:"), a bare or chr-prefixed name, or vcf2bff's
// "HGVSid:<seq>:g.<hgvs>" whose <seq> part names the chromosome (weak=true: the accession
// version in an HGVS id is not a reliable assembly). raw is the unnormalisable name, if any.
func parseSequenceID(sid string) (chrom, asm string, weak bool, raw string) {
	s := strings.TrimSpace(sid)
	if rest, ok := cutPrefixFold(s, "HGVSid:"); ok {
		weak = true
		s = rest
		if i := strings.IndexByte(s, ':'); i >= 0 {
			s = s[:i]
		}
	}
	if c, a, ok := release.NormalizeChrom(s); ok {
		return c, a, weak, ""
	}
	if s != "" && (weak || !strings.Contains(s, ":")) {
		return "", "", weak, s
	}
	return "", "", weak, ""
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// bound reads one interval end: a plain integer, a VRS Number {value}, a DefiniteRange
// {min, max} (start takes min, end takes max) or an IndefiniteRange {value}.
func bound(v any, isEnd bool) (int64, bool, error) {
	switch x := v.(type) {
	case nil:
		return 0, false, nil
	case json.Number, float64:
		n, err := intValue(x)
		return n, err == nil, err
	case map[string]any:
		key := "value"
		if _, ok := x["value"]; !ok {
			key = "min"
			if isEnd {
				key = "max"
			}
		}
		if x[key] == nil {
			return 0, false, fmt.Errorf("no %s in %s", key, shortJSON(x))
		}
		n, err := intValue(x[key])
		return n, err == nil, err
	}
	return 0, false, fmt.Errorf("want a number or a VRS Number, got %s", jsonKind(v))
}

func intValue(v any) (int64, error) {
	switch x := v.(type) {
	case json.Number:
		if n, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return n, nil
		}
		f, err := x.Float64()
		if err == nil && f == float64(int64(f)) {
			return int64(f), nil
		}
		return 0, fmt.Errorf("want an integer, got %s", string(x))
	case float64:
		if x == float64(int64(x)) {
			return int64(x), nil
		}
		return 0, fmt.Errorf("want an integer, got %v", x)
	}
	return 0, fmt.Errorf("want an integer, got %s", jsonKind(v))
}

// alleles reads reference and alternate bases and the given variant type.
func alleles(variation map[string]any, warns []Warning) (ref, alt, vtype string, _ []Warning) {
	str := func(key, path string) string {
		v, ok := variation[key]
		if !ok || v == nil {
			return ""
		}
		s, ok := v.(string)
		if !ok {
			warns = append(warns, Warning{Field: path, Msg: "want a string, got " + shortJSON(v)})
		}
		return s
	}
	ref = str("referenceBases", "variation.referenceBases")
	alt = str("alternateBases", "variation.alternateBases")
	if st, ok := variation["state"].(map[string]any); ok && alt == "" {
		alt, _ = st["sequence"].(string)
	}
	vtype = str("variantType", "variation.variantType")
	return ref, alt, vtype, warns
}

// inferVariantType names the kind of a variant that has no variantType from the lengths of
// its alleles (the interval length stands in for a missing reference). A legacy variation
// requires variantType, so there it is also written into the record, with a warning.
func inferVariantType(variation map[string]any, v *release.Variant, warns []Warning) []Warning {
	refLen := int64(len(v.Ref))
	if v.Ref == "" {
		refLen = v.End - v.Start
	}
	altLen := int64(len(v.Alt))
	switch {
	case refLen == 1 && altLen == 1:
		v.VariantType = "SNP"
	case refLen != altLen:
		v.VariantType = "INDEL"
	case refLen > 1:
		v.VariantType = "MNP"
	default:
		return warns
	}
	if _, isLegacy := variation["alternateBases"]; isLegacy {
		variation["variantType"] = v.VariantType
		warns = append(warns, Warning{Field: "variation.variantType", Msg: "missing (required for a legacy variation); set to " + v.VariantType + " from the alleles"})
	}
	return warns
}

// extendToReference makes a sequence variant span its reference allele: end = start +
// len(referenceBases). Some converters (vcf2bff) write end = start + 1 for every indel,
// which would make a range query miss a deletion's later bases and its length read 1.
// The stored record's interval is corrected too, so records and queries agree.
func extendToReference(v *release.Variant, p placement, warns []Warning) []Warning {
	want := v.Start + int64(len(v.Ref))
	if v.End >= want || !plainBases(v.Ref) {
		return warns
	}
	warns = append(warns, Warning{Field: "variation.location.interval.end",
		Msg: fmt.Sprintf("end %d is inside referenceBases (%d bases from %d); set to %d", v.End, len(v.Ref), v.Start, want)})
	v.End = want
	if p.loc != nil {
		if iv, ok := p.loc["interval"].(map[string]any); ok {
			iv["end"] = map[string]any{"type": "Number", "value": want}
		}
	}
	return warns
}

// plainBases reports whether s is a literal sequence (not N-padding of a symbolic allele).
func plainBases(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch s[i] | 0x20 {
		case 'a', 'c', 'g', 't':
		default:
			return false
		}
	}
	return true
}

// repairLocation makes variation.location valid VRS where ingest can do so without
// guessing: a sequence_id that is not a CURIE becomes the RefSeq accession of the normalised
// chromosome, a missing interval type is filled in, and a legacy variation placed only by
// _position gets a location built from it.
func repairLocation(variation map[string]any, v *release.Variant, p placement, warns []Warning) []Warning {
	acc, haveAcc := release.RefSeqAccession(v.Chrom, v.Assembly)
	_, isLegacy := variation["alternateBases"]
	if p.loc == nil {
		if isLegacy && haveAcc {
			variation["location"] = map[string]any{
				"type":        "SequenceLocation",
				"sequence_id": "refseq:" + acc,
				"interval": map[string]any{
					"type":  "SequenceInterval",
					"start": map[string]any{"type": "Number", "value": v.Start},
					"end":   map[string]any{"type": "Number", "value": v.End},
				},
			}
			warns = append(warns, Warning{Field: "variation.location", Msg: "missing; built from _position"})
		}
		return warns
	}
	sid, _ := p.loc["sequence_id"].(string)
	if !vrsCURIE.MatchString(sid) {
		if haveAcc {
			p.loc["sequence_id"] = "refseq:" + acc
			warns = append(warns, Warning{Field: "variation.location.sequence_id", Msg: fmt.Sprintf("%q is not a CURIE; stored as refseq:%s", sid, acc)})
		} else {
			warns = append(warns, Warning{Field: "variation.location.sequence_id", Msg: fmt.Sprintf("%q is not a CURIE and the assembly is unknown; kept", sid)})
		}
	}
	if _, ok := p.loc["type"]; !ok {
		p.loc["type"] = "SequenceLocation"
		warns = append(warns, Warning{Field: "variation.location.type", Msg: "missing; set to SequenceLocation"})
	}
	if iv, ok := p.loc["interval"].(map[string]any); ok {
		if _, ok := iv["type"]; !ok {
			iv["type"] = "SequenceInterval"
			warns = append(warns, Warning{Field: "variation.location.interval.type", Msg: "missing; set to SequenceInterval"})
		}
	}
	return warns
}

// carriers reads caseLevelData into the index-aligned carrier and zygosity lists. plain
// reports that caseLevelData can be rebuilt exactly from them (release.Variant
// CaseLevelFromCarriers): a non-empty array of objects that each hold a biosampleId string
// and at most a zygosity {id, label} of two strings, no biosampleId twice. Anything else
// (an individualId, which would come back as biosampleId, another key, a zygosity without
// label) keeps caseLevelData in the record.
func carriers(v any, warns []Warning) ([]string, []release.ZygosityTerm, bool, []Warning) {
	cl, ok := v.([]any)
	if !ok || len(cl) == 0 {
		return nil, nil, false, warns
	}
	ids := make([]string, 0, len(cl))
	zyg := make([]release.ZygosityTerm, 0, len(cl))
	plain := true
	anyZyg := false
	for _, e := range cl {
		m, ok := e.(map[string]any)
		if !ok {
			plain = false
			continue // reported by checkRecord
		}
		id, _ := m["biosampleId"].(string)
		if id == "" {
			plain = false
			id, _ = m["individualId"].(string)
		}
		if id == "" {
			warns = append(warns, Warning{Field: "caseLevelData.biosampleId", Msg: "missing; carrier skipped"})
			continue
		}
		var z release.ZygosityTerm
		zm, hasZ := m["zygosity"].(map[string]any)
		if hasZ {
			z.ID, _ = zm["id"].(string)
			label, okL := zm["label"].(string)
			if z.ID == "" || !okL || len(zm) != 2 {
				plain = false
			}
			if z.ID != "" {
				z.Label = label
				anyZyg = true
			}
		}
		switch {
		case len(m) == 1:
		case len(m) == 2 && hasZ:
		default:
			plain = false
		}
		ids = append(ids, id)
		zyg = append(zyg, z)
	}
	if plain && len(ids) > 1 {
		seen := make(map[string]struct{}, len(ids))
		for _, id := range ids {
			if _, dup := seen[id]; dup {
				plain = false
				break
			}
			seen[id] = struct{}{}
		}
	}
	if !anyZyg {
		zyg = nil
	}
	return ids, zyg, plain && len(ids) == len(cl), warns
}

// stringList reads a string or an array of strings, skipping "", "." and HGVS ids without a
// change ("ENSP00000497821:."), which vcf2bff writes for "not applicable".
func stringList(v any) []string {
	var out []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s == "" || s == "." || strings.HasSuffix(s, ":.") {
			return
		}
		out = appendUnique(out, s)
	}
	switch x := v.(type) {
	case string:
		add(x)
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				add(s)
			}
		}
	}
	return out
}

func appendUnique(dst []string, ss ...string) []string {
	for _, s := range ss {
		if !containsStr(dst, s) {
			dst = append(dst, s)
		}
	}
	return dst
}
