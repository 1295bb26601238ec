package popgen

import (
	"fmt"
	"strings"
)

// chromosome is one GRCh38 primary-assembly sequence the generator can place
// variants on.
type chromosome struct {
	name   string // canonical name: "1".."22", "X"
	order  int    // karyotypic order 1..23, also the pseudo-reference seed
	refseq string // RefSeq accession with version, e.g. "NC_000001.11"
	length int64  // sequence length in bases
	x      bool   // chromosome X: males carry one copy
}

// grch38 lists the supported sequences (GRCh38 RefSeq accessions and
// lengths). Y and MT are left out: their ploidy rules are not modelled.
var grch38 = []chromosome{
	{"1", 1, "NC_000001.11", 248956422, false},
	{"2", 2, "NC_000002.12", 242193529, false},
	{"3", 3, "NC_000003.12", 198295559, false},
	{"4", 4, "NC_000004.12", 190214555, false},
	{"5", 5, "NC_000005.10", 181538259, false},
	{"6", 6, "NC_000006.12", 170805979, false},
	{"7", 7, "NC_000007.14", 159345973, false},
	{"8", 8, "NC_000008.11", 145138636, false},
	{"9", 9, "NC_000009.12", 138394717, false},
	{"10", 10, "NC_000010.11", 133797422, false},
	{"11", 11, "NC_000011.10", 135086622, false},
	{"12", 12, "NC_000012.12", 133275309, false},
	{"13", 13, "NC_000013.11", 114364328, false},
	{"14", 14, "NC_000014.9", 107043718, false},
	{"15", 15, "NC_000015.10", 101991189, false},
	{"16", 16, "NC_000016.10", 90338345, false},
	{"17", 17, "NC_000017.11", 83257441, false},
	{"18", 18, "NC_000018.10", 80373285, false},
	{"19", 19, "NC_000019.10", 58617616, false},
	{"20", 20, "NC_000020.11", 64444167, false},
	{"21", 21, "NC_000021.9", 46709983, false},
	{"22", 22, "NC_000022.11", 50818468, false},
	{"X", 23, "NC_000023.11", 156040895, true},
}

// lookupChromosome accepts "1", "chr1", "x", "chrX" and returns the GRCh38
// sequence.
func lookupChromosome(name string) (chromosome, error) {
	n := name
	if len(n) > 3 && strings.EqualFold(n[:3], "chr") {
		n = n[3:]
	}
	n = strings.ToUpper(n)
	for _, c := range grch38 {
		if c.name == n {
			return c, nil
		}
	}
	return chromosome{}, fmt.Errorf("popgen: unsupported chromosome %q (want 1-22 or X)", name)
}

// Gene is a gene annotation of the demo genome. Variants whose interval
// overlaps [Start, End] carry Symbol in molecularAttributes.geneIds; no other
// variant does.
type Gene struct {
	Symbol     string
	Chromosome string // canonical name: "1".."22", "X"
	// Start and End are 1-based and inclusive (as Ensembl shows them).
	// The 0-based half-open interval is [Start-1, End).
	Start, End int64
}

// demoGenes are the only annotated genes. The symbols are real HGNC genes and
// the ranges approximate their GRCh38 loci, rounded; they are demo
// annotations, not a reference. Ranges on one chromosome are sorted and
// disjoint.
var demoGenes = []Gene{
	{"MTHFR", "1", 11785723, 11806455},
	{"PCSK9", "1", 55039548, 55064852},
	{"LMNA", "1", 156082573, 156140089},
	{"F5", "1", 169511951, 169586630},
	{"APOB", "2", 21001429, 21044073},
	{"ALK", "2", 29192774, 29921586},
	{"MSH2", "2", 47403067, 47482000},
	{"TTN", "2", 178525989, 178830802},
	{"COMT", "22", 19941740, 19969975},
	{"CHEK2", "22", 28687743, 28742422},
	{"NF2", "22", 29603556, 29698600},
	{"APOL1", "22", 36253010, 36267530},
	{"CYP2D6", "22", 42126499, 42130865},
	{"DMD", "X", 31097677, 33339441},
	{"MECP2", "X", 154021573, 154097717},
	{"G6PD", "X", 154531390, 154547572},
	{"F8", "X", 154835788, 155026940},
}

// Genes returns the gene annotations of the demo genome (all chromosomes,
// also those not generated), in chromosome then position order. The slice is
// a copy.
func Genes() []Gene { return append([]Gene(nil), demoGenes...) }

// genesOn returns the genes of one chromosome, in position order.
func genesOn(chrom string) []*Gene {
	var out []*Gene
	for i := range demoGenes {
		if demoGenes[i].Chromosome == chrom {
			out = append(out, &demoGenes[i])
		}
	}
	return out
}

// refBase returns the base of the synthetic reference genome at a 1-based
// position. It is a pure function of (chromosome, position), independent of
// the seed, so overlapping variants agree on the reference sequence.
func refBase(chromOrder int, pos1 int64) byte {
	return "ACGT"[splitmix64(uint64(chromOrder)<<40^uint64(pos1))>>62]
}

// splitmix64 is the SplitMix64 finaliser, a fast well-mixed hash.
func splitmix64(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

// segment maps a stretch of "virtual" coordinates onto real ones. Variant
// positions are drawn uniformly in virtual space; gene segments get a larger
// virtual share than their real length, so genes are enriched for variants.
type segment struct {
	start0, length int64 // real 0-based start and length
	vstart, vlen   int64 // virtual start and length
}

// Gene enrichment: about geneShareNum/geneShareDen of a chromosome's
// variants fall in its genes, spread evenly over the genes, but no gene gets
// more than one expected variant per maxGeneDensity bases.
const (
	geneShareNum   = 2 // genes : intergenic = 2 : 3, i.e. 40% in genes
	geneShareDen   = 3
	maxGeneDensity = 8
)

// layout returns the segments of chromosome c for n variants and the total
// virtual length.
func layout(c *chromosome, genes []*Gene, n int) ([]segment, int64) {
	if len(genes) == 0 || n == 0 {
		return []segment{{0, c.length, 0, c.length}}, c.length
	}
	var genic int64
	for _, g := range genes {
		genic += g.End - g.Start + 1
	}
	inter := c.length - genic
	share := inter * geneShareNum / (geneShareDen * int64(len(genes)))
	total := inter + share*int64(len(genes))
	var segs []segment
	var pos, v int64
	add := func(start0, length, vlen int64) {
		if length <= 0 {
			return
		}
		if vlen < 1 {
			vlen = 1
		}
		segs = append(segs, segment{start0, length, v, vlen})
		v += vlen
	}
	for _, g := range genes {
		s0, l := g.Start-1, g.End-g.Start+1
		add(pos, s0-pos, s0-pos)
		vl := share
		// Expected variants in the gene: n*vl/total. Cap the density.
		if capV := l * total / (maxGeneDensity * int64(n)); vl > capV {
			vl = capV
		}
		add(s0, l, vl)
		pos = s0 + l
	}
	add(pos, c.length-pos, c.length-pos)
	return segs, v
}
