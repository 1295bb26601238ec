package ingest

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/bitbeacon/bitbeacon/release"
)

// The VCF path writes a variant's record and its index keys by hand (vcf_record.go); the BFF
// path derives the keys from the record with NormalizeVariant's walker. For every variant the
// VCF path makes, the fields and terms (and the other index keys, checkKeysAsWalked) must be
// those the BFF path derives from the JSON the VCF path wrote, so that an alphanumeric or term filter answers the same whichever way the
// variants were ingested. The VCF path takes the zygosity terms from the genotypes; the
// variants are read back as served, with caseLevelData rendered from the carriers, so the
// walker finds the same terms there. TestVCFEquivalentToBFF applies the same check to the
// CINECA VCF's 5,002 variants.
func TestVCFRecordKeysEqualNormalizeVariant(t *testing.T) {
	annHead := vcfHead + vcfCols
	ann := "ANN=G|missense_variant|MODERATE|BRAF|BRAF|transcript|NM_004333.6|protein_coding|15/18|c.1799T>A|p.Val600Glu|1860/2946|1799/2301|600/766||," +
		"G|splice_region_variant&intron_variant|LOW|BRAF|BRAF|transcript|NM_001354609.2|protein_coding|14/17|c.1700+5T>A||||||," +
		"T|stop_gained|HIGH|BRAF|BRAF|transcript|NM_004333.6|protein_coding|15/18|c.1799T>T|p.Trp600Ter|||||"
	csqHead := vcfHead + `##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|HGVSc|HGVSp">` + "\n" + vcfCols
	for name, vcf := range map[string]string{
		"ann.vcf": annHead +
			"1\t100\trs1\tA\tG,T\t37.5\tPASS\tAC=1;" + ann + "\tGT\t0/1\t0/2\t1/1\t0/0\t0/0\t0/0\n" +
			"1\t200\t.\tA\tC\t.\tq10;lowDP\tANN=C|intergenic_region|MODIFIER|A-B|A-B|intergenic_region|A-B|||n.200A>C||||||\tGT\t0/1\t0/0\t0/0\t0/0\t0/0\t0/0\n" +
			"1\t1000\tsv1\tA\t<DEL>\t12\tPASS\tSVTYPE=DEL;END=2000\tGT\t0/1\t0/0\t0/0\t0/0\t0/0\t0/0\n" +
			"1\t8000\tbnd\tG\tG]2:12345]\t.\t.\tSVTYPE=BND\tGT\t0/0\t0/0\t0/0\t0/0\t0/0\t0/1\n" +
			"X\t5000\t.\tC\tCT\t.\tPASS\t.\tGT\t1\t0\t0/1\t0/0\t0/0\t1|1\n",
		"csq.vcf": csqHead +
			"1\t100\t.\tAT\tA,ATCC\t.\tPASS\tCSQ=-|frameshift_variant|HIGH|GENE1|ENSG1|Transcript|ENST1.2|protein_coding|3/5||ENST1.2:c.10del|ENSP1.1:p.Leu4fs,TCC|inframe_insertion|MODERATE|GENE1|ENSG1|Transcript|ENST1.2|protein_coding|3/5||ENST1.2:c.10_11insCC|ENSP1.1:p.Leu4_Ser5insPro\tGT\t0/1\t0/2\t0/0\t0/0\t0/0\t0/0\n" +
			"1\t200\t.\tC\tT\t99\tPASS\tCSQ=T|synonymous_variant|LOW|GENE2|ENSG2|Transcript|ENST2.1|protein_coding|1/2||ENST2.1:c.3C>T|ENSP2.1:p.Leu1%3D\tGT\t0/1\t0/0\t0/0\t0/0\t0/0\t0/0\n",
	} {
		_, vs, err := vcfRun(t, Options{}, name, vcf)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(vs) < 3 {
			t.Fatalf("%s: only %d variants", name, len(vs))
		}
		checkKeysAsWalked(t, name, vs)
	}
}

// checkKeysAsWalked fails unless every variant's index keys, written by the VCF path while it
// wrote the record, are what NormalizeVariant (the BFF path, whose walker NormalizeRecord
// shares) derives from that record's JSON: fields and terms, position, reference bases and
// type, genes and HGVS ids. Alt and the amino-acid keys differ by design: a symbolic ALT's
// record says "N" where the index keeps "<DEL>", and the VCF path indexes the three-letter
// amino-acid change beside the one-letter one its record holds.
func checkKeysAsWalked(t *testing.T, name string, vs map[string]*release.Variant) {
	t.Helper()
	bad := 0
	report := func(id, format string, args ...any) {
		if bad++; bad <= 20 {
			t.Errorf("%s %s: "+format, append([]any{name, id}, args...)...)
		}
	}
	for id, v := range vs {
		var raw map[string]any
		if err := json.Unmarshal(v.JSON, &raw); err != nil {
			report(id, "record is not JSON: %v", err)
			continue
		}
		n, _, err := NormalizeVariant(raw, v.DatasetID, v.Assembly)
		if err != nil {
			report(id, "NormalizeVariant: %v", err)
			continue
		}
		if len(v.Fields) == 0 {
			report(id, "no fields")
		}
		if !slices.Equal(v.Fields, n.Fields) {
			report(id, "fields differ\n vcf  %v\n walk %v", v.Fields, n.Fields)
		}
		if !slices.Equal(v.Terms, n.Terms) {
			report(id, "terms differ: vcf %v, walk %v", v.Terms, n.Terms)
		}
		if v.Chrom != n.Chrom || v.Assembly != n.Assembly || v.Start != n.Start || v.End != n.End || v.Ref != n.Ref || v.VariantType != n.VariantType {
			report(id, "position or alleles differ: vcf %s %s [%d,%d) %q %s, walk %s %s [%d,%d) %q %s",
				v.Assembly, v.Chrom, v.Start, v.End, v.Ref, v.VariantType, n.Assembly, n.Chrom, n.Start, n.End, n.Ref, n.VariantType)
		}
		if !slices.Equal(v.GeneIDs, n.GeneIDs) || !slices.Equal(v.HGVSIDs, n.HGVSIDs) {
			report(id, "genes or HGVS ids differ: vcf %v %v, walk %v %v", v.GeneIDs, v.HGVSIDs, n.GeneIDs, n.HGVSIDs)
		}
	}
	if bad > 20 {
		t.Errorf("%s: %d differences in all", name, bad)
	}
}
