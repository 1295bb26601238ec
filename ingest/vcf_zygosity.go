package ingest

// Zygosity of a carrier of ALT allele k, from its GT (GENO, the zygosity branch under
// GENO:0000391 "disomic zygosity" and GENO:0000134 "hemizygous"):
//
//	k/k              GENO:0000136 homozygous
//	k/0, 0/k         GENO:0000458 simple heterozygous (is_a heterozygous; what vcf2bff writes)
//	k/j, j≠k ALT     GENO:0000402 compound heterozygous (is_a heterozygous)
//	k/. , ./k        GENO:0000135 heterozygous (the other allele is not called)
//	k (haploid)      GENO:0000134 hemizygous (male X/Y, and any haploid call such as MT)
//	polyploid        GENO:0000136 when every allele is k, else GENO:0000135
//
// Phasing ('|' or '/') does not change the zygosity.
type zygosity struct {
	id, label string
}

func newZygosity(id, label string) *zygosity { return &zygosity{id: id, label: label} }

var (
	zygHomozygous   = newZygosity("GENO:0000136", "homozygous")
	zygSimpleHet    = newZygosity("GENO:0000458", "simple heterozygous")
	zygCompoundHet  = newZygosity("GENO:0000402", "compound heterozygous")
	zygHeterozygous = newZygosity("GENO:0000135", "heterozygous")
	zygHemizygous   = newZygosity("GENO:0000134", "hemizygous")
)

// maxZygosities is how many zygosities there are above.
const maxZygosities = 5

// zygosityOf tells whether call carries ALT k and with which zygosity.
func (p *vcfParser) zygosityOf(c *gtCall, k int32) *zygosity {
	switch c.ploidy {
	case 1:
		if c.a0 == k {
			return zygHemizygous
		}
		return nil
	case 2:
		var other int32
		switch {
		case c.a0 == k && c.a1 == k:
			return zygHomozygous
		case c.a0 == k:
			other = c.a1
		case c.a1 == k:
			other = c.a0
		default:
			return nil
		}
		switch {
		case other == 0:
			return zygSimpleHet
		case other < 0:
			return zygHeterozygous
		default:
			return zygCompoundHet
		}
	}
	all := p.more[c.more : c.more+c.ploidy]
	n := 0
	for _, a := range all {
		if a == k {
			n++
		}
	}
	switch {
	case n == 0:
		return nil
	case n == len(all):
		return zygHomozygous
	}
	return zygHeterozygous
}
