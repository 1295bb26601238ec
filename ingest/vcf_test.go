package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/biogo/hts/bgzf"
	"github.com/klauspost/compress/gzip"

	"github.com/bitbeacon/bitbeacon/internal/schematest"
	"github.com/bitbeacon/bitbeacon/internal/testenv"
	"github.com/bitbeacon/bitbeacon/release"
)

// vcfHead is a minimal header; vcfCols the #CHROM line for samples S1..S6.
const (
	vcfHead = "##fileformat=VCFv4.3\n##reference=GRCh37\n##contig=<ID=1,length=249250621>\n"
	vcfCols = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\tS3\tS4\tS5\tS6\n"
)

// vcfRun ingests files (the VCF content is written to name in a temp dir) and returns the
// summary and the published variants by id.
func vcfRun(t *testing.T, opts Options, name, vcf string, more ...string) (*Summary, map[string]*release.Variant, error) {
	t.Helper()
	dir := t.TempDir()
	p := writeFile(t, dir, name, vcf)
	if opts.Out == "" {
		opts.Out = filepath.Join(dir, "out")
	}
	if opts.DatasetID == "" {
		opts.DatasetID = "d"
	}
	if opts.Log == nil {
		opts.Log = testLogger(t)
	}
	sum, err := Run(context.Background(), opts, append(more, p))
	if err != nil {
		return nil, nil, err
	}
	return sum, readVariants(t, opts.Out, opts.DatasetID), nil
}

// readVariants reads the variants of a dataset, expanded by expandCarriers: as served, with
// carrier lists.
func readVariants(t testing.TB, out, dataset string) map[string]*release.Variant {
	t.Helper()
	r, err := release.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	samples, err := r.ReadSamples(dataset)
	if err != nil {
		t.Fatal(err)
	}
	vs := map[string]*release.Variant{}
	err = r.ReadVariants(dataset, func(v *release.Variant) error {
		if vs[v.ID] != nil {
			t.Errorf("variant %s twice", v.ID)
		}
		expandCarriers(t, v, samples)
		vs[v.ID] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// expandCarriers turns a variant read from a release into what the tests compare: JSON with
// the caseLevelData the engine renders (release.Variant.FullJSON), and the carriers as
// lists in sample order (Carriers, CarrierZygosity with a zero term for none).
func expandCarriers(t testing.TB, v *release.Variant, samples []string) {
	t.Helper()
	js, err := v.FullJSON(samples)
	if err != nil {
		t.Fatal(err)
	}
	v.JSON = js
	v.Carriers, v.CarrierZygosity = nil, nil
	if v.CarrierBits == nil {
		return
	}
	v.CarrierBits.Iterate(func(x uint32) bool {
		v.Carriers = append(v.Carriers, samples[x])
		var z release.ZygosityTerm
		for _, s := range v.Zygosity {
			if s.Bits.Contains(x) {
				z = release.ZygosityTerm{ID: s.ID, Label: s.Label}
				break
			}
		}
		v.CarrierZygosity = append(v.CarrierZygosity, z)
		return true
	})
}

// carrierPairs renders a variant's carriers (expandCarriers) as "sample:zygosity id" pairs.
func carrierPairs(v *release.Variant) []string {
	var out []string
	for i, c := range v.Carriers {
		out = append(out, c+":"+v.CarrierZygosity[i].ID)
	}
	return out
}

// validateVariants checks every variant record against the genomicVariation schema.
func validateVariants(t *testing.T, vs map[string]*release.Variant) {
	t.Helper()
	sv := schematest.For(t)
	for id, v := range vs {
		if err := sv.Record("genomicVariation", v.JSON); err != nil {
			t.Errorf("%s does not validate: %v\n%s", id, err, v.JSON)
		}
		var m map[string]any
		if err := json.Unmarshal(v.JSON, &m); err != nil {
			t.Errorf("%s: JSON: %v", id, err)
		}
	}
}

func TestVCFMultiAllelicSplit(t *testing.T) {
	vcf := vcfHead + vcfCols +
		"1\t100\trs1\tA\tG,T,*\t50\tPASS\tAC=3\tGT\t1/2\t2/2\t0/1\t./1\t1|0\t0/3\n" +
		"1\t200\t.\tac\tA,ACC\t.\t.\t.\tGT\t0/1\t0/2\t0/0\t0/0\t0/0\t0/0\n" +
		"1\t300\t.\tAC\tGT\t.\tq10\t.\tGT\t0/0\t0/0\t0/0\t0/0\t0/0\t1/1\n" +
		"1\t400\t.\tA\t.\t.\t.\t.\tGT\t0/0\t0/0\t0/0\t0/0\t0/0\t0/0\n"
	sum, vs, err := vcfRun(t, Options{}, "x.vcf", vcf)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Variants != 5 || len(sum.VCF) != 1 || sum.VCF[0].Records != 4 || sum.VCF[0].SkippedAlts != 2 || sum.VCF[0].Calls != 24 {
		t.Fatalf("summary %+v %+v", sum, sum.VCF)
	}
	want := map[string]struct {
		start, end int64
		ref, alt   string
		vt         string
		carriers   []string
	}{
		"chr1_100_A_G":  {99, 100, "A", "G", "SNP", []string{"S1:GENO:0000402", "S3:GENO:0000458", "S4:GENO:0000135", "S5:GENO:0000458"}},
		"chr1_100_A_T":  {99, 100, "A", "T", "SNP", []string{"S1:GENO:0000402", "S2:GENO:0000136"}},
		"chr1_200_AC_A": {199, 201, "AC", "A", "INDEL", []string{"S1:GENO:0000458"}},
		// Split from a multi-allelic record: trimmed to its minimal representation.
		"chr1_200_A_AC":  {199, 200, "A", "AC", "INDEL", []string{"S2:GENO:0000458"}},
		"chr1_300_AC_GT": {299, 301, "AC", "GT", "MNP", []string{"S6:GENO:0000136"}},
	}
	if len(vs) != 5 {
		t.Errorf("%d variants: %v", len(vs), slices.Collect(mapKeys(vs)))
	}
	for id, w := range want {
		v := vs[id]
		if v == nil {
			t.Errorf("%s missing", id)
			continue
		}
		if v.Start != w.start || v.End != w.end || v.Ref != w.ref || v.Alt != w.alt || v.VariantType != w.vt || v.Chrom != "1" || v.Assembly != release.GRCh37 {
			t.Errorf("%s: %s %s [%d,%d) %s>%s %s", id, v.Assembly, v.Chrom, v.Start, v.End, v.Ref, v.Alt, v.VariantType)
		}
		if got := carrierPairs(v); !slices.Equal(got, w.carriers) {
			t.Errorf("%s carriers %v, want %v", id, got, w.carriers)
		}
	}
	g := vs["chr1_100_A_G"]
	for _, s := range []string{`"genomicHGVSId":"1:g.100A>G"`, `"sequence_id":"refseq:NC_000001.10"`,
		`"start":{"type":"Number","value":99},"end":{"type":"Number","value":100}`, `"variantQuality":{"QUAL":50,"FILTER":"PASS"}`,
		`{"biosampleId":"S1","zygosity":{"id":"GENO:0000402","label":"compound heterozygous"}}`} {
		if !bytes.Contains(g.JSON, []byte(s)) {
			t.Errorf("chr1_100_A_G JSON lacks %s:\n%s", s, g.JSON)
		}
	}
	if !slices.Equal(g.Terms, []string{"GENO:0000135", "GENO:0000402", "GENO:0000458"}) {
		t.Errorf("terms %v", g.Terms)
	}
	for _, f := range []release.Field{{Path: "variation.variantType", Value: "SNP"}, {Path: "variation.location.interval.start.value", Value: "99"},
		{Path: "identifiers.genomicHGVSId", Value: "1:g.100A>G"}, {Path: "variantQuality.FILTER", Value: "PASS"}, {Path: "variantQuality.QUAL", Value: "50"}} {
		if !slices.Contains(g.Fields, f) {
			t.Errorf("fields %v lack %v", g.Fields, f)
		}
	}
	for _, f := range g.Fields {
		if strings.HasPrefix(f.Path, "caseLevelData") || f.Path == "variantInternalId" {
			t.Errorf("field %v indexed", f)
		}
	}
	if !slices.IsSortedFunc(g.Fields, func(a, b release.Field) int { return strings.Compare(a.Path+"\x00"+a.Value, b.Path+"\x00"+b.Value) }) {
		t.Errorf("fields not sorted: %v", g.Fields)
	}
	if !slices.Equal(g.HGVSIDs, []string{"1:g.100A>G"}) {
		t.Errorf("hgvs %v", g.HGVSIDs)
	}
	validateVariants(t, vs)
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestVCFSymbolicSV(t *testing.T) {
	vcf := vcfHead + vcfCols +
		"1\t1000\tsv1\tA\t<DEL>\t.\tPASS\tSVTYPE=DEL;END=2000\tGT\t0/1\t0/0\t0/0\t0/0\t0/0\t0/0\n" +
		"1\t3000\tsv2\tC\t<DUP:TANDEM>\t.\tPASS\tSVLEN=500\tGT\t0/0\t1/1\t0/0\t0/0\t0/0\t0/0\n" +
		"1\t4000\tsv3\tG\t<INS>\t.\tPASS\tSVTYPE=INS;SVLEN=300\tGT\t0/0\t0/0\t0|1\t0/0\t0/0\t0/0\n" +
		"1\t5000\tsv4\tT\t<INV>\t.\tPASS\tEND=5100\tGT\t0/0\t0/0\t0/0\t1/0\t0/0\t0/0\n" +
		"1\t6000\tsv5\tA\t<DEL:ME:ALU>\t.\tPASS\tSVTYPE=DEL;SVLEN=-280\tGT\t0/0\t0/0\t0/0\t0/0\t0/1\t0/0\n" +
		"1\t7000\tsv6\tA\t<CN0>,<CN3>\t.\tPASS\tSVTYPE=CNV;END=7500\tGT\t0/1\t2/0\t0/0\t0/0\t0/0\t1/2\n" +
		"1\t8000\tbnd\tG\tG]2:12345]\t.\tPASS\tSVTYPE=BND\tGT\t0/0\t0/0\t0/0\t0/0\t0/0\t0/1\n"
	_, vs, err := vcfRun(t, Options{}, "sv.vcf", vcf)
	if err != nil {
		t.Fatal(err)
	}
	for id, w := range map[string]struct {
		start, end int64
		vt, hgvs   string
	}{
		// Padding base at POS: the event starts after it (0-based POS), END is the 0-based
		// exclusive end.
		"chr1_1000_A_<DEL>":        {1000, 2000, "DEL", "1:g.1001_2000del"},
		"chr1_3000_C_<DUP:TANDEM>": {3000, 3500, "DUP", "1:g.3001_3500dup"},
		"chr1_4000_G_<INS>":        {4000, 4000, "INS", ""},
		"chr1_5000_T_<INV>":        {5000, 5100, "INV", "1:g.5001_5100inv"},
		"chr1_6000_A_<DEL:ME:ALU>": {6000, 6280, "DEL", "1:g.6001_6280del"},
		"chr1_7000_A_<CN0>":        {7000, 7500, "CNV", ""},
		"chr1_7000_A_<CN3>":        {7000, 7500, "CNV", ""},
		"chr1_8000_G_G]2:12345]":   {7999, 8000, "BND", ""},
	} {
		v := vs[id]
		if v == nil {
			t.Errorf("%s missing; have %v", id, slices.Collect(mapKeys(vs)))
			continue
		}
		if v.Start != w.start || v.End != w.end || v.VariantType != w.vt {
			t.Errorf("%s: [%d,%d) %s, want [%d,%d) %s", id, v.Start, v.End, v.VariantType, w.start, w.end, w.vt)
		}
		if !bytes.Contains(v.JSON, []byte(`"alternateBases":"N"`)) {
			t.Errorf("%s: %s", id, v.JSON)
		}
		if w.hgvs != "" && !slices.Equal(v.HGVSIDs, []string{w.hgvs}) || w.hgvs == "" && len(v.HGVSIDs) > 0 {
			t.Errorf("%s: hgvs %v, want %q", id, v.HGVSIDs, w.hgvs)
		}
	}
	if v := vs["chr1_1000_A_<DEL>"]; v != nil && (bytes.Contains(v.JSON, []byte("referenceBases")) || v.Alt != "<DEL>" || v.Ref != "") {
		t.Errorf("symbolic DEL: ref %q alt %q %s", v.Ref, v.Alt, v.JSON)
	}
	if v := vs["chr1_7000_A_<CN3>"]; v != nil && !slices.Equal(carrierPairs(v), []string{"S2:GENO:0000458", "S6:GENO:0000402"}) {
		t.Errorf("CN3 carriers %v", carrierPairs(v))
	}
	validateVariants(t, vs)

	// A symbolic allele without END or SVLEN cannot be placed.
	_, _, err = vcfRun(t, Options{}, "bad.vcf", vcfHead+vcfCols+"1\t10\t.\tA\t<DUP>\t.\t.\t.\tGT\t0/1\t0/0\t0/0\t0/0\t0/0\t0/0\n")
	if err == nil || !strings.Contains(err.Error(), "bad.vcf:5: symbolic ALT <DUP> without INFO END or SVLEN") {
		t.Errorf("err = %v", err)
	}
}

func TestVCFGenotypes(t *testing.T) {
	vcf := vcfHead + "##contig=<ID=X>\n##contig=<ID=MT>\n" + vcfCols +
		// Phased, unphased, missing, half-missing; the 8-byte hom-ref skipping around them.
		"1\t10\t.\tA\tG\t.\t.\t.\tGT\t0|1\t1|1\t.|.\t./.\t.\t1/.\n" +
		// Haploid calls (male X), a triploid call, a lone '.', multi-digit allele indexes.
		"X\t20\t.\tC\tT\t.\t.\t.\tGT\t1\t0\t.\t1/1/0\t1/1/1\t0/0/0\n" +
		// GT not first, missing trailing sub-fields, GT absent from a column.
		"1\t30\t.\tA\tG\t.\t.\t.\tDP:GT:GQ\t5:0/1:30\t7:1/1\t3\t:.:\t8:0|0:1\t9:1|0:99\n" +
		// FORMAT without GT: no carriers.
		"1\t40\t.\tA\tC\t.\t.\t.\tDP\t1\t2\t3\t4\t5\t6\n" +
		"MT\t50\t.\tA\tG,C,T,AA,AC,AG,AT,CA,CC,CG,CT\t.\t.\t.\tGT\t11\t0\t1\t0\t10\t.\n"
	_, vs, err := vcfRun(t, Options{}, "gt.vcf", vcf)
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string][]string{
		"chr1_10_A_G":   {"S1:GENO:0000458", "S2:GENO:0000136", "S6:GENO:0000135"},
		"chrX_20_C_T":   {"S1:GENO:0000134", "S4:GENO:0000135", "S5:GENO:0000136"},
		"chr1_30_A_G":   {"S1:GENO:0000458", "S2:GENO:0000136", "S6:GENO:0000458"},
		"chr1_40_A_C":   nil,
		"chrMT_50_A_CT": {"S1:GENO:0000134"},
		"chrMT_50_A_CG": {"S5:GENO:0000134"},
		"chrMT_50_A_G":  {"S3:GENO:0000134"},
	} {
		v := vs[id]
		if v == nil {
			t.Errorf("%s missing", id)
			continue
		}
		if got := carrierPairs(v); !slices.Equal(got, want) {
			t.Errorf("%s carriers %v, want %v", id, got, want)
		}
	}
	if v := vs["chrMT_50_A_G"]; v != nil && !bytes.Contains(v.JSON, []byte(`"sequence_id":"refseq:NC_012920.1"`)) {
		t.Errorf("MT: %s", v.JSON)
	}
	validateVariants(t, vs)
}

// TestVCFGenotypeScanner runs the genotype scanner over many sample counts and positions of
// the non-ref calls, against a plain split-and-parse reading.
func TestVCFGenotypeScanner(t *testing.T) {
	for n := 1; n <= 40; n++ {
		for alt := -1; alt < n; alt++ {
			for _, sep := range []string{"/", "|"} {
				fields := make([]string, n)
				for i := range fields {
					fields[i] = "0" + sep + "0"
				}
				if alt >= 0 {
					fields[alt] = "0" + sep + "1"
				}
				samples := make([]string, n)
				for i := range samples {
					samples[i] = "S" + string(rune('a'+i))
				}
				p := newVCFParser(&vcfFile{hdr: &vcfHeader{samples: samples, nCols: 9 + n}}, "d", false)
				if msg := p.genotypes([]byte(strings.Join(fields, "\t")), 1, 0, true); msg != "" {
					t.Fatalf("n=%d alt=%d: %s", n, alt, msg)
				}
				if alt < 0 && len(p.calls) != 0 || alt >= 0 && (len(p.calls) != 1 || p.calls[0].sample != int32(alt)) {
					t.Fatalf("n=%d alt=%d sep=%s: calls %+v", n, alt, sep, p.calls)
				}
				// One column too many or too few is an error.
				if msg := p.genotypes([]byte(strings.Join(append(fields, "0/0"), "\t")), 1, 0, true); !strings.Contains(msg, "columns") {
					t.Fatalf("n=%d: extra column: %q", n, msg)
				}
				if n > 1 {
					if msg := p.genotypes([]byte(strings.Join(fields[1:], "\t")), 1, 0, true); !strings.Contains(msg, "columns") {
						t.Fatalf("n=%d: missing column: %q", n, msg)
					}
				}
			}
		}
	}
}

func TestVCFAnnotationsANN(t *testing.T) {
	ann := "ANN=G|missense_variant|MODERATE|BRAF|BRAF|transcript|NM_004333.6|protein_coding|15/18|c.1799T>A|p.Val600Glu|1860/2946|1799/2301|600/766||," +
		"G|splice_region_variant&intron_variant|LOW|BRAF|BRAF|transcript|NM_001354609.2|protein_coding|14/17|c.1700+5T>A||||||," +
		"T|stop_gained|HIGH|BRAF|BRAF|transcript|NM_004333.6|protein_coding|15/18|c.1799T>T|p.Trp600Ter|||||," +
		"G|upstream_gene_variant|MODIFIER|MIR-X|MIR-X|transcript|NR_1.1|miRNA||n.-10T>A|||||10|," +
		"G|weird_new_effect|LOW|BRAF|BRAF|transcript|NM_X|protein_coding||c.1T>A|p.Leu36%3D|||||"
	vcf := vcfHead + vcfCols +
		"1\t100\t.\tA\tG,T\t.\tPASS\tAC=1;" + ann + "\tGT\t0/1\t0/2\t0/0\t0/0\t0/0\t0/0\n" +
		"1\t200\t.\tA\tC\t.\tPASS\tANN=C|intergenic_region|MODIFIER|A-B|A-B|intergenic_region|A-B|||n.200A>C||||||\tGT\t0/1\t0/0\t0/0\t0/0\t0/0\t0/0\n"
	sum, vs, err := vcfRun(t, Options{}, "ann.vcf", vcf)
	if err != nil {
		t.Fatal(err)
	}
	g := vs["chr1_100_A_G"]
	if g == nil {
		t.Fatal("chr1_100_A_G missing")
	}
	if !slices.Equal(g.GeneIDs, []string{"BRAF", "MIR-X"}) || !slices.Equal(g.AminoacidChanges, []string{"V600E", "Val600Glu", "L36=", "Leu36="}) {
		t.Errorf("genes %v aa %v", g.GeneIDs, g.AminoacidChanges)
	}
	for _, s := range []string{
		`"molecularEffects":[{"id":"ENSGLOSSARY:0000150","label":"missense_variant"},{"id":"ENSGLOSSARY:0000152","label":"splice_region_variant"},{"id":"ENSGLOSSARY:0000161","label":"intron_variant"},{"id":"ENSGLOSSARY:0000164","label":"upstream_gene_variant"}]`,
		`"aminoacidChanges":["V600E","L36="]`, `"annotationImpact":["MODERATE","LOW","MODIFIER"]`,
		`"transcriptHGVSIds":["NM_004333.6:c.1799T>A","NM_001354609.2:c.1700+5T>A","NR_1.1:n.-10T>A","NM_X:c.1T>A"]`,
	} {
		if !bytes.Contains(g.JSON, []byte(s)) {
			t.Errorf("JSON lacks %s:\n%s", s, g.JSON)
		}
	}
	if !slices.Contains(g.Terms, "ENSGLOSSARY:0000150") || !slices.Contains(g.HGVSIDs, "NM_004333.6:c.1799T>A") {
		t.Errorf("terms %v hgvs %v", g.Terms, g.HGVSIDs)
	}
	if tv := vs["chr1_100_A_T"]; tv == nil || !slices.Equal(tv.AminoacidChanges, []string{"W600*", "Trp600Ter"}) ||
		!bytes.Contains(tv.JSON, []byte(`"molecularEffects":[{"id":"ENSGLOSSARY:0000143","label":"stop_gained"}]`)) {
		t.Errorf("chr1_100_A_T: %+v", tv)
	}
	ig := vs["chr1_200_A_C"]
	if ig == nil || !bytes.Contains(ig.JSON, []byte(`{"id":"ENSGLOSSARY:0000174","label":"intergenic_region"}`)) || bytes.Contains(ig.JSON, []byte("transcriptHGVSIds")) ||
		!slices.Equal(ig.GeneIDs, []string{"A-B"}) {
		t.Errorf("intergenic: %s", ig.JSON)
	}
	if sum.WarningsByField["INFO/ANN"] != 1 || !strings.Contains(sum.Warnings[0].Msg, "weird_new_effect") {
		t.Errorf("warnings %v %v", sum.WarningsByField, sum.Warnings)
	}
	validateVariants(t, vs)
}

func TestVCFAnnotationsCSQ(t *testing.T) {
	head := vcfHead + `##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|HGVSc|HGVSp">` + "\n"
	vcf := head + vcfCols +
		// Deletion and insertion sharing the first base: VEP drops it ("-" and "TCC").
		"1\t100\t.\tAT\tA,ATCC\t.\tPASS\tCSQ=-|frameshift_variant|HIGH|GENE1|ENSG1|Transcript|ENST1.2|protein_coding|3/5||ENST1.2:c.10del|ENSP1.1:p.Leu4fs,TCC|inframe_insertion|MODERATE|GENE1|ENSG1|Transcript|ENST1.2|protein_coding|3/5||ENST1.2:c.10_11insCC|ENSP1.1:p.Leu4_Ser5insPro\tGT\t0/1\t0/2\t0/0\t0/0\t0/0\t0/0\n" +
		"1\t200\t.\tC\tT\t.\tPASS\tCSQ=T|synonymous_variant|LOW|GENE2|ENSG2|Transcript|ENST2.1|protein_coding|1/2||ENST2.1:c.3C>T|ENSP2.1:p.Leu1%3D\tGT\t0/1\t0/0\t0/0\t0/0\t0/0\t0/0\n"
	_, vs, err := vcfRun(t, Options{}, "csq.vcf", vcf)
	if err != nil {
		t.Fatal(err)
	}
	del, ins, syn := vs["chr1_100_AT_A"], vs["chr1_101_T_TCC"], vs["chr1_200_C_T"]
	if del == nil || ins == nil || syn == nil {
		t.Fatalf("variants %v", slices.Collect(mapKeys(vs)))
	}
	if !slices.Equal(del.GeneIDs, []string{"GENE1"}) || !slices.Equal(del.AminoacidChanges, []string{"L4fs", "Leu4fs"}) ||
		!slices.Contains(del.HGVSIDs, "ENST1.2:c.10del") || !slices.Contains(del.HGVSIDs, "ENSP1.1:p.Leu4fs") || slices.Contains(del.HGVSIDs, "ENST1.2:c.10_11insCC") {
		t.Errorf("deletion: genes %v aa %v hgvs %v", del.GeneIDs, del.AminoacidChanges, del.HGVSIDs)
	}
	if !bytes.Contains(del.JSON, []byte(`"molecularEffects":[{"id":"ENSGLOSSARY:0000144","label":"frameshift_variant"}]`)) ||
		!bytes.Contains(del.JSON, []byte(`"proteinHGVSIds":["ENSP1.1:p.Leu4fs"]`)) {
		t.Errorf("deletion JSON %s", del.JSON)
	}
	if !slices.Equal(ins.AminoacidChanges, []string{"L4_S5insP", "Leu4_Ser5insPro"}) || !bytes.Contains(ins.JSON, []byte(`"ENSGLOSSARY:0000148"`)) {
		t.Errorf("insertion aa %v %s", ins.AminoacidChanges, ins.JSON)
	}
	if !slices.Equal(syn.AminoacidChanges, []string{"L1=", "Leu1="}) || !bytes.Contains(syn.JSON, []byte(`"proteinHGVSIds":["ENSP2.1:p.Leu1="]`)) {
		t.Errorf("synonymous aa %v %s", syn.AminoacidChanges, syn.JSON)
	}
	validateVariants(t, vs)
}

func TestAminoacidChange(t *testing.T) {
	for in, want := range map[string][2]string{
		"p.Val600Glu":       {"V600E", "Val600Glu"},
		"p.(Gly12Asp)":      {"G12D", "Gly12Asp"},
		"p.Trp24Ter":        {"W24*", "Trp24Ter"},
		"p.Trp24*":          {"W24*", "Trp24*"},
		"p.Leu36_Leu38del":  {"L36_L38del", "Leu36_Leu38del"},
		"p.Gln5fs":          {"Q5fs", "Gln5fs"},
		"p.Arg97ProfsTer23": {"R97Pfs*23", "Arg97ProfsTer23"},
		"p.V600E":           {"V600E", "V600E"},
	} {
		one, three, ok := aminoacidChange([]byte(in))
		if !ok || one != want[0] || three != want[1] {
			t.Errorf("%s: %q %q %v, want %q %q", in, one, three, ok, want[0], want[1])
		}
	}
	for _, in := range []string{"p.?", "p.=", "p.0", ""} {
		if _, _, ok := aminoacidChange([]byte(in)); ok {
			t.Errorf("%q: ok", in)
		}
	}
}

func TestVCFBadLines(t *testing.T) {
	good := "1\t10\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/0\t0/0\t0/0\t0/0\t0/0\n"
	for _, tc := range []struct{ name, line, want string }{
		{"columns", "1\t11\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/0\n", "bad.vcf:6: 11 tab-separated columns, want 15"},
		{"columns-extra", "1\t11\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/0\t0/0\t0/0\t0/0\t0/0\t0/0\n", "bad.vcf:6: 16 tab-separated columns, want 15"},
		{"fixed-columns", "1\t11\t.\tA\n", "bad.vcf:6: 4 tab-separated columns, want 15"},
		{"pos", "1\t1x1\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/0\t0/0\t0/0\t0/0\t0/0\n", `bad.vcf:6: POS "1x1" is not a positive integer`},
		{"pos-zero", "1\t0\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/0\t0/0\t0/0\t0/0\t0/0\n", `bad.vcf:6: POS "0" is not a positive integer`},
		{"gt-range", "1\t11\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/2\t0/0\t0/0\t0/0\t0/0\n", "bad.vcf:6: sample S2: GT allele 2 out of range (the line has 1 ALT alleles)"},
		{"gt-bad", "1\t11\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/0\t0/x\t0/0\t0/0\t0/0\n", `bad.vcf:6: sample S3: invalid genotype "0/x"`},
		{"gt-trailing-sep", "1\t11\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/0\t0/0\t0/0\t0/0\t0/\n", `bad.vcf:6: sample S6: invalid genotype "0/"`},
		{"ref", "1\t11\t.\tAXG\tG\t.\t.\t.\tGT\t0/1\t0/0\t0/0\t0/0\t0/0\t0/0\n", `bad.vcf:6: REF "AXG" has characters other than the bases A, C, G, T, N`},
		{"alt", "1\t11\t.\tA\tG,Q\t.\t.\t.\tGT\t0/1\t0/0\t0/0\t0/0\t0/0\t0/0\n", `bad.vcf:6: ALT allele "Q" has characters other than`},
		{"qual", "1\t11\t.\tA\tG\thigh\t.\t.\tGT\t0/1\t0/0\t0/0\t0/0\t0/0\t0/0\n", `bad.vcf:6: QUAL "high" is not a number`},
		{"header-late", "##INFO=<ID=X>\n", "bad.vcf:6: header line after the #CHROM line"},
		// The first ALT is fine, the second is not: nothing of the line is kept.
		{"second-alt", "1\t11\t.\tA\tG,<DUP>\t.\t.\t.\tGT\t0/1\t0/2\t0/0\t0/0\t0/0\t0/0\n", "bad.vcf:6: symbolic ALT <DUP> without INFO END or SVLEN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			_, _, err := vcfRun(t, Options{Out: out}, "bad.vcf", vcfHead+vcfCols+good+tc.line+good)
			var le *LineError
			if err == nil || !errors.As(err, &le) || !strings.HasPrefix(err.Error(), filepath.Join(filepath.Dir(filepath.Dir(out)), "")) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if _, err := os.Stat(filepath.Join(out, "CURRENT")); !os.IsNotExist(err) {
				t.Errorf("a release was published: %v", err)
			}
			// --skip-bad-lines: the line is counted and the rest ingested.
			sum, vs, err := vcfRun(t, Options{SkipBadLines: true}, "bad.vcf", vcfHead+vcfCols+good+tc.line+strings.Replace(good, "\t10\t", "\t12\t", 1))
			if err != nil {
				t.Fatal(err)
			}
			if sum.BadLines != 1 || sum.VCF[0].BadLines != 1 || !strings.Contains(sum.VCF[0].FirstBadLines[0], tc.want) || len(vs) != 2 {
				t.Errorf("skip: bad %d %v, %d variants", sum.BadLines, sum.VCF[0].FirstBadLines, len(vs))
			}
		})
	}
}

func TestVCFHeaderErrors(t *testing.T) {
	for _, tc := range []struct{ name, vcf, want string }{
		{"no-fileformat", "##reference=GRCh37\n" + vcfCols, "x.vcf:1: not a VCF"},
		{"no-chrom-line", vcfHead, "x.vcf:3: no #CHROM header line"},
		{"bad-chrom-line", vcfHead + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tS1\n", `x.vcf:4: #CHROM line column 9 is "S1", want FORMAT`},
		{"dup-sample", vcfHead + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS1\n", `x.vcf:4: sample "S1" named twice`},
		{"no-assembly", "##fileformat=VCFv4.2\n" + vcfCols, "names no assembly"},
		{"two-assemblies", "##fileformat=VCFv4.2\n##reference=hs37d5.fa\n##contig=<ID=chr1,length=248956422>\n" + vcfCols, "the header names two assemblies"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := vcfRun(t, Options{}, "x.vcf", tc.vcf)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(tc.want, "assembl") && !strings.Contains(err.Error(), "--assembly") {
				t.Errorf("error does not ask for --assembly: %v", err)
			}
		})
	}
}

func TestVCFAssembly(t *testing.T) {
	line := "1\t10\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/0\t0/0\t0/0\t0/0\t0/0\n"
	for _, tc := range []struct{ name, head, flag, want, from string }{
		{"reference-hs37d5", "##reference=ftp://x/hs37d5.fa.gz\n", "", release.GRCh37, "##reference=ftp://x/hs37d5.fa.gz"},
		{"reference-grch38", "##reference=file:///GRCh38_full_analysis_set_plus_decoy_hla.fa\n", "", release.GRCh38, "##reference="},
		{"contig-assembly", "##contig=<ID=1,assembly=b37,length=249250621>\n", "", release.GRCh37, "##contig=<ID=1,assembly=b37>"},
		{"contig-length", "##contig=<ID=chr1,length=248956422>\n", "", release.GRCh38, "##contig=<ID=chr1,length=248956422>"},
		{"assembly-line", "##assembly=hg19\n", "", release.GRCh37, "##assembly=hg19"},
		{"flag-wins", "##reference=GRCh38\n", "hg19", release.GRCh37, "--assembly"},
		{"flag-only", "", "GRCh38", release.GRCh38, "--assembly"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sum, vs, err := vcfRun(t, Options{Assembly: tc.flag}, "a.vcf", "##fileformat=VCFv4.2\n"+tc.head+vcfCols+line)
			if err != nil {
				t.Fatal(err)
			}
			v := vs["chr1_10_A_G"]
			if v == nil || v.Assembly != tc.want || sum.VCF[0].Assembly != tc.want || !strings.HasPrefix(sum.VCF[0].AssemblyFrom, tc.from) {
				t.Fatalf("variant %+v summary %+v", v, sum.VCF[0])
			}
			if tc.name == "flag-wins" && sum.WarningsByField["assembly"] != 1 {
				t.Errorf("no warning about the header disagreeing: %v", sum.Warnings)
			}
		})
	}
}

func TestVCFSampleMatching(t *testing.T) {
	dir := t.TempDir()
	bios := writeFile(t, dir, "biosamples.json", `[{"id":"B1","individualId":"I1"},{"id":"B2","individualId":"I2"},{"id":"B3","individualId":"I2"}]`)
	inds := writeFile(t, dir, "individuals.json", `[{"id":"I1"},{"id":"I2"},{"id":"I3"}]`)
	cols := "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tB2\tI1\tI2\tI3\tX9\n"
	vcf := vcfHead + cols + "1\t10\t.\tA\tG\t.\t.\t.\tGT\t0/1\t1/1\t0/1\t0/1\t1|0\n"
	sum, vs, err := vcfRun(t, Options{}, "m.vcf", vcf, inds, bios)
	if err != nil {
		t.Fatal(err)
	}
	v := vs["chr1_10_A_G"]
	// B2 is a biosample; I1 has exactly one biosample (B1); I2 has two and I3 none, X9 is
	// unknown: those keep their column names.
	if want := []string{"B2", "B1", "I2", "I3", "X9"}; v == nil || !slices.Equal(v.Carriers, want) {
		t.Fatalf("carriers %v, want %v", v.Carriers, want)
	}
	s := sum.VCF[0]
	if s.UnmatchedSamples != 3 || !slices.Equal(s.UnmatchedExamples, []string{"I2", "I3", "X9"}) || sum.WarningsByField["samples"] != 1 ||
		!slices.ContainsFunc(sum.Warnings, func(w Warning) bool { return strings.Contains(w.Msg, "(2 of them are individual ids") }) {
		t.Errorf("summary %+v warnings %v", s, sum.Warnings)
	}
	if !bytes.Contains(v.JSON, []byte(`{"biosampleId":"B1","zygosity":{"id":"GENO:0000136","label":"homozygous"}}`)) {
		t.Errorf("JSON %s", v.JSON)
	}
	// Without metadata in the run, sample names are kept silently.
	sum, _, err = vcfRun(t, Options{}, "m.vcf", vcf)
	if err != nil || sum.VCF[0].UnmatchedSamples != 0 || sum.WarningCount != 0 {
		t.Errorf("no metadata: %v %+v %v", err, sum.VCF, sum.Warnings)
	}
}

// TestVCFCompressionsAndChunks reads one VCF as plain text, gzip and BGZF, with chunks
// smaller than a line, and expects the same variants.
func TestVCFCompressionsAndChunks(t *testing.T) {
	var b strings.Builder
	b.WriteString(vcfHead + vcfCols)
	for i := 1; i <= 300; i++ {
		gt := []string{"0/0", "0/0", "0/0", "0/0", "0/0", "0/0"}
		gt[i%6] = "0/1"
		gt[(i*7)%6] = "1|1"
		b.WriteString("1\t" + strconv.Itoa(i*10) + "\t.\tA\tG,C\t.\tPASS\tANN=G|intron_variant|MODIFIER|G" + strconv.Itoa(i%7) + "|x|transcript|T1|protein_coding||c.1A>G||||||\tGT\t" + strings.Join(gt, "\t") + "\n")
	}
	text := b.String()
	var gz, bg bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(text))
	zw.Close()
	bw := bgzf.NewWriter(&bg, 1)
	bw.Write([]byte(text))
	bw.Close()

	read := func(name string, data []byte) (*Summary, map[string]*release.Variant) {
		dir := t.TempDir()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "out")
		sum, err := Run(context.Background(), Options{Out: out, DatasetID: "d", Log: testLogger(t)}, []string{p})
		if err != nil {
			t.Fatal(err)
		}
		return sum, readVariants(t, out, "d")
	}
	sum, plain := read("p.vcf", []byte(text))
	if len(plain) != 600 || sum.VCF[0].Format != "plain" {
		t.Fatalf("%d variants, format %s", len(plain), sum.VCF[0].Format)
	}
	defer func(n int) { vcfChunkSize = n }(vcfChunkSize)
	for _, tc := range []struct {
		name, format string
		data         []byte
		chunk        int
	}{{"g.vcf.gz", "gzip", gz.Bytes(), 2 << 20}, {"b.vcf.gz", "bgzf", bg.Bytes(), 2 << 20}, {"b2.vcf.gz", "bgzf", bg.Bytes(), 50}, {"p2.vcf", "plain", []byte(text), 1000}} {
		vcfChunkSize = tc.chunk
		sum, vs := read(tc.name, tc.data)
		if sum.VCF[0].Format != tc.format || len(vs) != len(plain) {
			t.Fatalf("%s: format %s, %d variants", tc.name, sum.VCF[0].Format, len(vs))
		}
		for id, v := range plain {
			w := vs[id]
			if w == nil || !bytes.Equal(w.JSON, v.JSON) || !slices.Equal(w.Carriers, v.Carriers) || !slices.Equal(w.Fields, v.Fields) {
				t.Fatalf("%s: %s differs:\n%s\n%s", tc.name, id, v.JSON, w.JSON)
			}
		}
	}
}

func TestVCFUnknownContig(t *testing.T) {
	vcf := vcfHead + vcfCols +
		"GL000191.1\t10\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/0\t0/0\t0/0\t0/0\t0/0\n" +
		"chr22_KI270731v1_random\t10\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/0\t0/0\t0/0\t0/0\t0/0\n" +
		"NC_000022.10\t10\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/0\t0/0\t0/0\t0/0\t0/0\n"
	sum, vs, err := vcfRun(t, Options{}, "c.vcf", vcf)
	if err != nil {
		t.Fatal(err)
	}
	gl, rnd, acc := vs["chrGL000191.1_10_A_G"], vs["chr22_KI270731v1_random_10_A_G"], vs["chr22_10_A_G"]
	if gl == nil || gl.Chrom != "GL000191.1" || !bytes.Contains(gl.JSON, []byte(`"sequence_id":"GRCh37:GL000191.1"`)) ||
		rnd == nil || rnd.Chrom != "chr22_KI270731v1_random" || acc == nil || acc.Chrom != "22" {
		t.Fatalf("variants %v", slices.Collect(mapKeys(vs)))
	}
	if sum.WarningsByField["CHROM"] != 2 || sum.VCF[0].UnknownContigs["GL000191.1"] != 1 {
		t.Errorf("warnings %v %+v", sum.WarningsByField, sum.VCF[0].UnknownContigs)
	}
	validateVariants(t, vs)
}

func TestVCFSitesOnly(t *testing.T) {
	vcf := vcfHead + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n1\t10\t.\tA\tG\t.\t.\tAC=1\n1\t20\t.\tA\tT\t.\t.\t.\n"
	sum, vs, err := vcfRun(t, Options{}, "s.vcf", vcf)
	if err != nil || len(vs) != 2 || sum.VCF[0].Calls != 0 {
		t.Fatalf("%v %d %+v", err, len(vs), sum)
	}
	if v := vs["chr1_10_A_G"]; len(v.Carriers) != 0 || bytes.Contains(v.JSON, []byte("caseLevelData")) {
		t.Errorf("%s", v.JSON)
	}
	_, _, err = vcfRun(t, Options{}, "s.vcf", vcfHead+"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n1\t10\t.\tA\tG\t.\t.\tAC=1\tGT\n")
	if err == nil || !strings.Contains(err.Error(), "s.vcf:5: 9 tab-separated columns, want 8") {
		t.Errorf("err = %v", err)
	}
}

func TestVCFMergeFiles(t *testing.T) {
	dir := t.TempDir()
	one := func(name, sample string, lines ...string) string {
		return writeFile(t, dir, name, vcfHead+"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t"+sample+"\n"+strings.Join(lines, ""))
	}
	a := one("a.vcf", "A",
		"1\t10\t.\tA\tG\t.\tPASS\tANN=G|missense_variant|MODERATE|G1|G1|transcript|T1|protein_coding||c.1A>G|p.Met1Val|||||\tGT\t0|1\n",
		"1\t20\t.\tC\tT\t.\tPASS\t.\tGT\t1|1\n",
		"2\t5\t.\tG\tA\t.\tPASS\t.\tGT\t0|1\n")
	b := one("b.vcf", "B",
		"1\t10\t.\tA\tG\t.\tPASS\tANN=G|missense_variant|MODERATE|G1|G1|transcript|T1|protein_coding||c.1A>G|p.Met1Val|||||\tGT\t1|1\n",
		"1\t10\t.\tA\tC\t.\tPASS\t.\tGT\t0|1\n",
		"1\t15\t.\tT\tTA\t.\tPASS\t.\tGT\t0|0\n",
		"X\t7\t.\tA\tG\t.\tPASS\t.\tGT\t1\n")
	c := one("c.vcf", "C", "2\t5\t.\tG\tA\t.\tPASS\t.\tGT\t1|0\n")
	out := filepath.Join(dir, "out")
	sum, err := Run(context.Background(), Options{Out: out, DatasetID: "d", Log: testLogger(t)}, []string{a, b, c})
	if err != nil {
		t.Fatal(err)
	}
	vs := readVariants(t, out, "d")
	want := map[string][]string{
		"chr1_10_A_G":  {"A:GENO:0000458", "B:GENO:0000136"},
		"chr1_10_A_C":  {"B:GENO:0000458"},
		"chr1_15_T_TA": nil,
		"chr1_20_C_T":  {"A:GENO:0000136"},
		"chr2_5_G_A":   {"A:GENO:0000458", "C:GENO:0000458"},
		"chrX_7_A_G":   {"B:GENO:0000134"},
	}
	if len(vs) != len(want) || sum.Variants != len(want) || sum.VCFMerged != 2 {
		t.Fatalf("%d variants (summary %d, merged %d): %v", len(vs), sum.Variants, sum.VCFMerged, slices.Collect(mapKeys(vs)))
	}
	for id, w := range want {
		if got := carrierPairs(vs[id]); !slices.Equal(got, w) {
			t.Errorf("%s: carriers %v, want %v", id, got, w)
		}
	}
	m := vs["chr1_10_A_G"]
	if !bytes.Contains(m.JSON, []byte(`"caseLevelData":[{"biosampleId":"A","zygosity":{"id":"GENO:0000458","label":"simple heterozygous"}},{"biosampleId":"B","zygosity":{"id":"GENO:0000136","label":"homozygous"}}]}`)) ||
		!slices.Equal(m.Terms, []string{"ENSGLOSSARY:0000150", "GENO:0000136", "GENO:0000458"}) || !slices.Equal(m.AminoacidChanges, []string{"M1V", "Met1Val"}) {
		t.Errorf("merged: terms %v aa %v\n%s", m.Terms, m.AminoacidChanges, m.JSON)
	}
	validateVariants(t, vs)

	// Files merged together must be sorted.
	u := one("u.vcf", "U", "1\t20\t.\tC\tT\t.\tPASS\t.\tGT\t1|1\n", "1\t10\t.\tA\tG\t.\tPASS\t.\tGT\t0|1\n")
	_, err = Run(context.Background(), Options{Out: filepath.Join(dir, "out2"), DatasetID: "d", Log: testLogger(t)}, []string{a, u})
	if err == nil || !strings.Contains(err.Error(), "u.vcf:6: 1:10 comes after 1:20") || !strings.Contains(err.Error(), "must each be sorted") {
		t.Errorf("unsorted: %v", err)
	}
	// One file alone need not be sorted.
	if _, err := Run(context.Background(), Options{Out: filepath.Join(dir, "out3"), DatasetID: "d", Log: testLogger(t)}, []string{u}); err != nil {
		t.Errorf("one unsorted file: %v", err)
	}
}

// vcfOracle reads a VCF the plain way (split on tabs, every GT allele compared) and returns
// the carriers of each biallelic variant by id, sorted.
func vcfOracle(t *testing.T, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 64<<20)
	var samples []string
	out := map[string][]string{}
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "##") {
			continue
		}
		cols := strings.Split(l, "\t")
		if cols[0] == "#CHROM" {
			samples = cols[9:]
			continue
		}
		if strings.Contains(cols[4], ",") {
			t.Fatalf("oracle: multi-allelic line %s:%s", cols[0], cols[1])
		}
		c, _, _ := release.NormalizeChrom(cols[0])
		id := "chr" + c + "_" + cols[1] + "_" + cols[3] + "_" + cols[4]
		carriers := []string{}
		for i, g := range cols[9:] {
			g, _, _ = strings.Cut(g, ":")
			for _, a := range strings.FieldsFunc(g, func(r rune) bool { return r == '/' || r == '|' }) {
				if a == "1" {
					carriers = append(carriers, samples[i])
					break
				}
			}
		}
		out[id] = append(out[id], carriers...)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for id := range out {
		slices.Sort(out[id])
	}
	return out
}

// TestVCFCanDIGPerSample ingests the three single-sample CanDIG chr21 VCFs (BGZF, phased,
// 1000G phase 3 INFO, symbolic SVs) with the CINECA metadata: their samples are CINECA
// individuals, and a variant two of them carry becomes one variant with both carriers.
func TestVCFCanDIGPerSample(t *testing.T) {
	data := testenv.DataDir(t)
	var files []string
	for _, s := range []string{"HG02102", "NA18537", "NA20787"} {
		files = append(files, filepath.Join(data, "candig_1000g_chr21_vcf", s+".vcf.gz"))
	}
	out := t.TempDir()
	meta := []string{filepath.Join(data, "cineca_uk1_ega_ri_api", "individuals.json"), filepath.Join(data, "cineca_uk1_ega_ri_api", "biosamples.json")}
	sum, err := Run(context.Background(), Options{Out: out, DatasetID: cinecaDataset, Log: testLogger(t)}, append(meta, files...))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	records := 0
	for i, f := range files {
		for id, c := range vcfOracle(t, f) {
			want[id] = append(want[id], c...)
		}
		s := sum.VCF[i]
		records += s.Records
		if s.Format != "bgzf" || s.Samples != 1 || s.UnmatchedSamples != 0 || s.Assembly != release.GRCh37 || s.BadLines != 0 {
			t.Errorf("%s: %+v", f, s)
		}
	}
	if records != 60694+952+61651 {
		t.Errorf("%d records", records)
	}
	got := readVariants(t, out, cinecaDataset)
	if len(got) != len(want) || sum.Variants != len(want) || sum.VCFMerged == 0 {
		t.Fatalf("%d variants (summary %d, %d merged), want %d", len(got), sum.Variants, sum.VCFMerged, len(want))
	}
	sv := schematest.For(t)
	invalid := 0
	for id, w := range want {
		v := got[id]
		if v == nil {
			t.Errorf("%s missing", id)
			continue
		}
		slices.Sort(w)
		c := slices.Clone(v.Carriers)
		slices.Sort(c)
		if !slices.Equal(c, w) {
			t.Errorf("%s: carriers %v, want %v", id, c, w)
		}
		if err := sv.Record("genomicVariation", v.JSON); err != nil {
			if invalid++; invalid <= 3 {
				t.Errorf("%s does not validate: %v", id, err)
			}
		}
	}
	// A symbolic mobile-element insertion of phase 3: a point at POS (its padding base
	// before), variantType from the ALT.
	if v := got["chr21_9495848_A_<INS:ME:LINE1>"]; v == nil || v.Start != 9495848 || v.End != 9495848 || v.VariantType != "INS" {
		t.Errorf("LINE1 insertion: %+v", v)
	}
}

// TestVCF1000GChr1 ingests the raw 1000 Genomes chr1 extract (BGZF, 2,504 samples, two
// multi-allelic lines) and compares it with the BFF vcf2bff made of its normalised and
// annotated copy (multi-allelic lines split by bcftools norm -m-).
func TestVCF1000GChr1(t *testing.T) {
	data := testenv.DataDir(t)
	out := t.TempDir()
	meta := []string{filepath.Join(data, "cineca_uk1_ega_ri_api", "individuals.json"), filepath.Join(data, "cineca_uk1_ega_ri_api", "biosamples.json")}
	sum, err := Run(context.Background(), Options{Out: out, DatasetID: "d", Log: testLogger(t)},
		append(meta, filepath.Join(data, "cineca_uk1_cnag_vcf", "test_1000G_chr1_grch37.vcf.gz")))
	if err != nil {
		t.Fatal(err)
	}
	if s := sum.VCF[0]; s.Records != 1042 || s.Variants != 1044 || s.Samples != 2504 || s.UnmatchedSamples != 0 || s.Format != "bgzf" || s.Assembly != release.GRCh37 {
		t.Errorf("summary %+v", s)
	}
	fromVCF := readVariants(t, out, "d")
	bout := t.TempDir()
	if _, err := Run(context.Background(), Options{Out: bout, DatasetID: "d", Log: testLogger(t)},
		append(meta, filepath.Join(data, "cineca_uk1_cnag_vcf", "test_1000G_chr1_grch37.genomicVariations.bff.json.gz"))); err != nil {
		t.Fatal(err)
	}
	fromBFF := readVariants(t, bout, "d")
	if len(fromVCF) != 1044 || len(fromBFF) != 1044 {
		t.Fatalf("%d and %d variants", len(fromVCF), len(fromBFF))
	}
	compound := map[string]int{}
	for id, b := range fromBFF {
		v := fromVCF[id]
		if v == nil {
			t.Errorf("%s only in the BFF", id)
			continue
		}
		if v.Start != b.Start || v.End != b.End || v.Ref != b.Ref || v.Alt != b.Alt || v.VariantType != b.VariantType {
			t.Errorf("%s: VCF [%d,%d) %s>%s %s, BFF [%d,%d) %s>%s %s", id, v.Start, v.End, v.Ref, v.Alt, v.VariantType, b.Start, b.End, b.Ref, b.Alt, b.VariantType)
		}
		if vc, bc := sortedCopy(v.Carriers), sortedCopy(b.Carriers); !slices.Equal(vc, bc) {
			t.Errorf("%s: carriers differ: %v", id, firstDiffs(vc, bc))
			continue
		}
		// bcftools norm -m- writes 1|2 as 1|0 and 0|1 in the two split records, so vcf2bff
		// calls them simple heterozygous; VCF ingest sees both ALTs: compound heterozygous.
		bz := map[string]string{}
		for i, c := range b.Carriers {
			bz[c] = b.CarrierZygosity[i].ID
		}
		for i, c := range v.Carriers {
			switch vz, bz := v.CarrierZygosity[i].ID, bz[c]; {
			case vz == bz:
			case vz == "GENO:0000402" && bz == "GENO:0000458":
				compound[id]++
			default:
				t.Errorf("%s: %s is %s, BFF %s", id, c, vz, bz)
			}
		}
	}
	// 1|2 and 2|1 calls of the two multi-allelic lines (1,553 at 15274 A>G,T; 2 at 66381).
	if want := map[string]int{"chr1_15274_A_G": 1553, "chr1_15274_A_T": 1553, "chr1_66381_T_A": 2, "chr1_66381_TATATA_T": 2}; !maps.Equal(compound, want) {
		t.Errorf("compound heterozygous calls %v, want %v", compound, want)
	}
	// The multi-allelic TATATA>AATATA,T: the first ALT trimmed to the SNV T>A.
	if v := fromVCF["chr1_66381_T_A"]; v == nil || v.Start != 66380 || v.End != 66381 || v.VariantType != "SNP" {
		t.Errorf("chr1_66381_T_A: %+v", v)
	}
}

func sortedCopy(ss []string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	return out
}
