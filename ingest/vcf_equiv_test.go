package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/bitbeacon/bitbeacon/internal/schematest"
	"github.com/bitbeacon/bitbeacon/internal/testenv"
	"github.com/bitbeacon/bitbeacon/release"
)

// knownVCFBFFDifferences lists every way the CNAG BFF (made by vcf2bff from the same VCF)
// differs from what VCF ingest makes of cineca_uk1_chr22_5002.fully_annotated.vcf.gz, with
// the reason. TestVCFEquivalentToBFF fails on any difference not listed here, and on any
// listed one that no longer occurs.
var knownVCFBFFDifferences = []struct {
	ids    []string // variantInternalIds concerned
	aspect string   // what differs
	reason string
}{
	{
		ids:    []string{"chr22_16050654_A_<CN0>", "chr22_16050654_A_<CN2>", "chr22_16050654_A_<CN3>", "chr22_16050654_A_<CN4>"},
		aspect: "only in VCF ingest",
		reason: "vcf2bff does not emit symbolic copy-number alleles (manifest: \"The current Perl converter does not emit " +
			"the selected symbolic copy-number alleles\"; 5002 records - 4 = 4998). VCF ingest writes them as CNV " +
			"[POS, END) = [16050654, 16063474) with their 323+306+41 carrier calls.",
	},
	{
		ids: []string{"chr22_16275272_C_T", "chr22_16287445_C_A", "chr22_16287449_C_A", "chr22_16287495_G_C",
			"chr22_16287557_C_G", "chr22_16287771_C_T", "chr22_16287786_A_C", "chr22_16287800_C_T", "chr22_17071787_T_A",
			"chr22_17566000_C_T"},
		aspect: "genomicHGVSId",
		reason: "vcf2bff takes genomicHGVSId from ClinVar when the record has a ClinVar match: INFO CLINVAR_CLNHGVS " +
			"(\"NC_000022.10:g.16275272C>T\", 9 records) or, for chr22_17566000_C_T, dbNSFP_clinvar_hgvs, which is on " +
			"GRCh38 (\"NC_000022.11:g.17085110C>T\" for a GRCh37 record). VCF ingest writes \"22:g.<POS><REF>><ALT>\" for " +
			"every sequence variant, the form vcf2bff uses for the other 4,988.",
	},
	{
		ids:    nil, // every variant with a transcript annotation: checked as a rule, see below
		aspect: "transcriptHGVSIds/proteinHGVSIds",
		reason: "vcf2bff fills them only from dbNSFP's Ensembl ids (ENST...:c., ENSP...:p.; 2 records here); VCF ingest " +
			"reads SnpEff ANN: Feature_ID:HGVS.c of every transcript annotation (RefSeq ids, 1,864 records), and ANN " +
			"names no protein accession, so there are no proteinHGVSIds.",
	},
}

// vcfTranscriptHGVSRecords is how many CINECA VCF records have transcript annotations.
const vcfTranscriptHGVSRecords = 1864

// TestVCFEquivalentToBFF ingests the CINECA UK1 metadata with the chr22 VCF into one release
// and with the BFF vcf2bff made of the same VCF into another, and compares every variant:
// position, alleles, type, carriers and zygosity, genes, effects, amino-acid changes, HGVS.
func TestVCFEquivalentToBFF(t *testing.T) {
	data := testenv.DataDir(t)
	meta := []string{
		filepath.Join(data, "cineca_uk1_ega_ri_api", "individuals.json"),
		filepath.Join(data, "cineca_uk1_ega_ri_api", "biosamples.json"),
	}
	ingestWith := func(variants string) (*Summary, map[string]*release.Variant) {
		out := t.TempDir()
		sum, err := Run(context.Background(), Options{Out: out, DatasetID: cinecaDataset, Assembly: "GRCh37", Log: testLogger(t)},
			append(slices.Clone(meta), filepath.Join(data, "cineca_uk1_cnag_vcf", variants)))
		if err != nil {
			t.Fatal(err)
		}
		return sum, readVariants(t, out, cinecaDataset)
	}
	vsum, fromVCF := ingestWith("cineca_uk1_chr22_5002.fully_annotated.vcf.gz")
	_, fromBFF := ingestWith("cineca_uk1_chr22_5002.genomicVariations.bff.json.gz")
	if s := vsum.VCF[0]; s.Records != 5002 || s.Variants != 5002 || s.Samples != 2504 || s.UnmatchedSamples != 0 || s.Calls != 5002*2504 {
		t.Errorf("VCF summary %+v", s)
	}
	if len(fromVCF) != 5002 || len(fromBFF) != 4998 {
		t.Fatalf("%d variants from the VCF, %d from the BFF; want 5002 and 4998", len(fromVCF), len(fromBFF))
	}
	// The VCF path's index keys, on real annotations, are those the BFF path would derive
	// from the records the VCF path wrote.
	checkKeysAsWalked(t, "cineca VCF", fromVCF)

	known := map[string]bool{} // "id\x00aspect"
	for _, k := range knownVCFBFFDifferences {
		for _, id := range k.ids {
			known[id+"\x00"+k.aspect] = true
		}
	}
	seen := map[string]bool{}
	diff := func(id, aspect, format string, args ...any) {
		key := id + "\x00" + aspect
		if known[key] {
			seen[key] = true
			return
		}
		t.Errorf("%s: %s: %s", id, aspect, fmt.Sprintf(format, args...))
	}
	for id := range fromVCF {
		if fromBFF[id] == nil {
			diff(id, "only in VCF ingest", "")
		}
	}
	for id := range fromBFF {
		if fromVCF[id] == nil {
			diff(id, "only in BFF ingest", "")
		}
	}
	sv := schematest.For(t)
	calls, withTx, bffTx := 0, 0, 0
	for id, b := range fromBFF {
		v := fromVCF[id]
		if v == nil {
			continue
		}
		if v.Chrom != b.Chrom || v.Assembly != b.Assembly || v.Start != b.Start || v.End != b.End {
			diff(id, "position", "VCF %s %s [%d,%d), BFF %s %s [%d,%d)", v.Assembly, v.Chrom, v.Start, v.End, b.Assembly, b.Chrom, b.Start, b.End)
		}
		if v.Ref != b.Ref || v.Alt != b.Alt || v.VariantType != b.VariantType {
			diff(id, "alleles", "VCF %s>%s %s, BFF %s>%s %s", v.Ref, v.Alt, v.VariantType, b.Ref, b.Alt, b.VariantType)
		}
		if vc, bc := sortedPairs(v), sortedPairs(b); !slices.Equal(vc, bc) {
			diff(id, "carriers", "VCF %d, BFF %d carriers; first differences %v", len(vc), len(bc), firstDiffs(vc, bc))
		}
		calls += len(v.Carriers)
		if !slices.Equal(v.GeneIDs, b.GeneIDs) {
			diff(id, "geneIds", "VCF %v, BFF %v", v.GeneIDs, b.GeneIDs)
		}
		// vcf2bff stores three-letter changes ("Ile538Thr"); VCF ingest stores the one-letter
		// form Beacon queries use and indexes both.
		for _, a := range b.AminoacidChanges {
			if !slices.Contains(v.AminoacidChanges, a) {
				diff(id, "aminoacidChanges", "VCF %v lacks BFF %q", v.AminoacidChanges, a)
			}
		}
		// Effects: vcf2bff writes ENSGLOSSARY ids and joined labels ("splice_region_variant&
		// intron_variant"); VCF ingest one SO term per effect name. The names must agree.
		if ve, be := effectNames(t, v.JSON), effectNames(t, b.JSON); !slices.Equal(ve, be) {
			diff(id, "molecularEffects", "VCF %v, BFF %v", ve, be)
		}
		// Ids: vcf2bff gives a joined label the id of its first name, and writes
		// ENSGLOSSARY:0000000 for names it has no id for; every other id it writes must be
		// the VCF record's id of that name or an equivalent of it (release.EffectEquivalents),
		// so that a query by either finds the variant whichever way it was ingested.
		if bad := effectIDMismatches(t, v.JSON, b.JSON); len(bad) > 0 {
			diff(id, "molecularEffects ids", "%v", bad)
		}
		if vh, bh := genomicHGVS(t, v.JSON), genomicHGVS(t, b.JSON); vh != bh {
			diff(id, "genomicHGVSId", "VCF %q, BFF %q", vh, bh)
		}
		// The rule of the transcriptHGVSIds/proteinHGVSIds difference: where vcf2bff has a
		// transcript change (from dbNSFP), VCF ingest has the same c. change (from ANN).
		vt, bt := otherHGVS(v), otherHGVS(b)
		if len(vt) > 0 {
			withTx++
		}
		if len(bt) > 0 {
			bffTx++
			for _, h := range bt {
				if _, c, _ := strings.Cut(h, ":"); strings.HasPrefix(c, "c.") && !slices.ContainsFunc(vt, func(x string) bool { return strings.HasSuffix(x, ":"+c) }) {
					t.Errorf("%s: BFF %s, VCF has no %s: %v", id, h, c, vt)
				}
			}
		}
		if err := sv.Record("genomicVariation", v.JSON); err != nil {
			t.Errorf("%s does not validate: %v", id, err)
		}
	}
	for _, id := range knownVCFBFFDifferences[0].ids {
		if err := sv.Record("genomicVariation", fromVCF[id].JSON); err != nil {
			t.Errorf("%s does not validate: %v", id, err)
		}
	}
	for key := range known {
		if !seen[key] {
			id, aspect, _ := strings.Cut(key, "\x00")
			t.Errorf("listed difference no longer occurs: %s: %s", id, aspect)
		}
	}
	if withTx != vcfTranscriptHGVSRecords || bffTx != 2 {
		t.Errorf("transcript HGVS ids in %d VCF-ingested and %d BFF-ingested variants, want %d and 2", withTx, bffTx, vcfTranscriptHGVSRecords)
	}
	if calls != 414977 {
		t.Errorf("%d carrier calls in the common variants, want the BFF's 414977", calls)
	}
	if cn := fromVCF["chr22_16050654_A_<CN3>"]; cn == nil || cn.Start != 16050654 || cn.End != 16063474 || cn.VariantType != "CNV" || len(cn.Carriers) != 256+257+41 || countZyg(cn, "GENO:0000136") != 41 {
		t.Errorf("CN3: [%d,%d) %s, %d carriers", cn.Start, cn.End, cn.VariantType, len(cn.Carriers))
	}
}

func countZyg(v *release.Variant, z string) int {
	n := 0
	for _, x := range v.CarrierZygosity {
		if x.ID == z {
			n++
		}
	}
	return n
}

func sortedPairs(v *release.Variant) []string {
	p := carrierPairs(v)
	sort.Strings(p)
	return p
}

func firstDiffs(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, "+"+x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			out = append(out, "-"+x)
		}
	}
	return out[:min(len(out), 6)]
}

type variantDoc struct {
	Identifiers struct {
		GenomicHGVSId     string   `json:"genomicHGVSId"`
		TranscriptHGVSIds []string `json:"transcriptHGVSIds"`
		ProteinHGVSIds    []string `json:"proteinHGVSIds"`
	} `json:"identifiers"`
	MolecularAttributes struct {
		MolecularEffects []struct{ ID, Label string } `json:"molecularEffects"`
	} `json:"molecularAttributes"`
}

func decodeVariant(t *testing.T, b []byte) variantDoc {
	var d variantDoc
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return d
}

// effectIDMismatches lists the BFF effect ids that name the same consequence as no id of the
// VCF-ingested record's effect of that name.
func effectIDMismatches(t *testing.T, vcf, bff []byte) []string {
	vcfIDs := map[string]string{}
	for _, e := range decodeVariant(t, vcf).MolecularAttributes.MolecularEffects {
		vcfIDs[e.Label] = e.ID
	}
	var bad []string
	for _, e := range decodeVariant(t, bff).MolecularAttributes.MolecularEffects {
		first, _, _ := strings.Cut(e.Label, "&")
		if e.ID == "ENSGLOSSARY:0000000" {
			if _, known := release.EffectByName(first); !known {
				bad = append(bad, first+": unknown to both, but ingest left it out")
			}
			continue
		}
		got, ok := vcfIDs[first]
		if !ok || got != e.ID && !slices.Contains(release.EffectEquivalents(got), e.ID) {
			bad = append(bad, fmt.Sprintf("%s: BFF %s, VCF %s", first, e.ID, got))
		}
	}
	return bad
}

// effectNames are the effect names of a record, '&'-joined labels split, sorted, unique.
func effectNames(t *testing.T, b []byte) []string {
	var out []string
	for _, e := range decodeVariant(t, b).MolecularAttributes.MolecularEffects {
		for n := range strings.SplitSeq(e.Label, "&") {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func genomicHGVS(t *testing.T, b []byte) string { return decodeVariant(t, b).Identifiers.GenomicHGVSId }

// otherHGVS are the HGVS ids of the index column other than the genomic one.
func otherHGVS(v *release.Variant) []string {
	var out []string
	for _, h := range v.HGVSIDs {
		if !strings.Contains(h, ":g.") {
			out = append(out, h)
		}
	}
	slices.Sort(out)
	return out
}
