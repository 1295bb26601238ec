package release

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/RoaringBitmap/roaring/v2"
)

// The genotype calls of a variant beyond its carriers: an allele number (the alleles called
// in a cohort, the denominator of an allele frequency) needs every sample's number of called
// alleles, not only the carriers'. A variant read from a VCF line is Genotyped: every sample
// of the dataset has two called alleles but those in one of its CalledAlleles sets (a
// haploid call, a no-call, "0/.", a sample of another VCF of the run without this line). A
// variant from BFF JSON is not: its caseLevelData names carriers only.

// CalledSet is the samples (indexes into the dataset's sample list) whose call has Alleles
// called alleles, a number other than 2.
type CalledSet struct {
	Alleles uint32
	Bits    *roaring.Bitmap
}

// AppendCalls appends the column value of a genotyped variant's calls: for each set, the
// number of alleles and the length of the bitmap as uvarints, then the bitmap in roaring's
// portable serialisation. No set (every sample diploid and called) is an empty value; a
// variant that is not genotyped has a null value instead.
func AppendCalls(dst []byte, sets []CalledSet) ([]byte, error) {
	for _, s := range sets {
		if s.Bits == nil || s.Bits.IsEmpty() {
			continue
		}
		if s.Alleles == 2 {
			return nil, errors.New("calls: a set of 2 called alleles (the default)")
		}
		s.Bits.RunOptimize()
		b, err := s.Bits.ToBytes()
		if err != nil {
			return nil, err
		}
		dst = binary.AppendUvarint(dst, uint64(s.Alleles))
		dst = binary.AppendUvarint(dst, uint64(len(b)))
		dst = append(dst, b...)
	}
	return dst, nil
}

// ParseCalls reads a value AppendCalls wrote.
func ParseCalls(b []byte) ([]CalledSet, error) {
	var out []CalledSet
	for len(b) > 0 {
		a, n := binary.Uvarint(b)
		if n <= 0 || a > 1<<20 {
			return nil, fmt.Errorf("calls: bad allele count")
		}
		b = b[n:]
		l, n := binary.Uvarint(b)
		if n <= 0 || l > uint64(len(b)-n) {
			return nil, fmt.Errorf("calls: bad bitmap length")
		}
		b = b[n:]
		bm := roaring.New()
		if _, err := bm.FromBuffer(b[:l:l]); err != nil {
			return nil, fmt.Errorf("calls: %w", err)
		}
		out = append(out, CalledSet{Alleles: uint32(a), Bits: bm})
		b = b[l:]
	}
	return out, nil
}

// appendCallsColumn appends the calls column of v (null when it is not genotyped) and
// returns the bytes added.
func appendCallsColumn(b *rowBatch, v *Variant) (int, error) {
	col := &b.cols[leafCalls]
	if !v.Genotyped {
		col.def = append(col.def, 0)
		return 0, nil
	}
	buf := v.CallsValue
	if buf == nil {
		var err error
		if buf, err = AppendCalls(b.callsBuf[:0], v.CalledAlleles); err != nil {
			return 0, fmt.Errorf("variant %q: %w", v.ID, err)
		}
		b.callsBuf = buf
	}
	col.def = append(col.def, 1)
	b.binary(leafCalls, buf)
	return len(buf) + 1, nil
}
