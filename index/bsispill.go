package index

import (
	"bufio"
	"encoding/binary"
	"io"
)

// A bit-sliced index is (bits per rank + 1) / 8 bytes a row, and building one took a rank
// array of 4 bytes a row for the lowest ranks and another for the highest: a start or end
// path of 10^7 variants, with about as many distinct readings, held 3 bytes a variant of
// index and 8 of scratch on the heap. A spilled value index writes (row, rank) pairs, in
// rank order, to one file per bucket of bsiBucketRows rows, then fills each bucket's ranks
// in a bucket-sized array and writes its words, in the order of the index file, to a file
// it maps.

// bsiBucketRows is how many rows a bucket of a spilled bit-sliced index covers (a multiple
// of 64, so that a bucket's words are whole).
var bsiBucketRows = 1 << 20 // a variable for the tests

// spilledBSIs returns the indexes of each row's lowest and highest rank (hi is lo when no
// row has two readings) built through sp (what names its files); nil, and the error handed
// to sp, when a file fails.
func (n *numIndex) spilledBSIs(p *postings, universe uint32, sp Spill, what string) (lo, hi *bsi) {
	buckets := make([]SpillFile, (int(universe)+bsiBucketRows-1)/bsiBucketRows)
	ws := make([]*bufio.Writer, len(buckets))
	for i := range buckets {
		buckets[i] = sp.Create(what + "-bsi-bucket")
		ws[i] = bufio.NewWriterSize(buckets[i], 64<<10)
	}
	var rec [8]byte
	r := uint32(0)
	for i, k := range n.keys {
		if i > 0 && k.v != n.keys[i-1].v {
			r++
		}
		p.iterate(int(k.slot), func(row uint32) {
			binary.LittleEndian.PutUint32(rec[:4], row)
			binary.LittleEndian.PutUint32(rec[4:], r)
			ws[int(row)/bsiBucketRows].Write(rec[:]) // errors surface when read back
		})
	}
	nb := rankBits(uint32(len(n.ranks)))
	lf, hf := sp.Create(what+"-bsi"), sp.Create(what+"-bsi-highest")
	lw, hw := bufio.NewWriterSize(lf, 256<<10), bufio.NewWriterSize(hf, 256<<10)
	words := make([]uint64, nb+1)
	writeWords := func(w *bufio.Writer, rank []uint32) {
		for g := 0; g < len(rank); g += 64 {
			clear(words)
			fillBSIWords(words, rank[g:min(g+64, len(rank))])
			for _, v := range words {
				binary.LittleEndian.PutUint64(rec[:], v)
				w.Write(rec[:])
			}
		}
	}
	loRank, hiRank := make([]uint32, bsiBucketRows), make([]uint32, bsiBucketRows)
	multi := false
	for b, f := range buckets {
		ws[b].Flush()
		base := b * bsiBucketRows
		los, his := loRank[:min(bsiBucketRows, int(universe)-base)], hiRank[:min(bsiBucketRows, int(universe)-base)]
		for i := range los {
			los[i], his[i] = noRank, noRank
		}
		// Pairs come in ascending rank, so a row's first rank is its lowest, its last the highest.
		err := readPairs(f, func(row, rank uint32) {
			j := int(row) - base
			if los[j] == noRank {
				los[j] = rank
			} else if his[j] != rank {
				multi = true
			}
			his[j] = rank
		})
		f.Close()
		if err != nil {
			sp.Fail(err)
			return nil, nil
		}
		writeWords(lw, los)
		writeWords(hw, his)
	}
	lw.Flush() // errors surface when mapped
	hw.Flush()
	lo = mapBSI(lf, nb, sp)
	if !multi {
		hf.Close()
		return lo, lo
	}
	return lo, mapBSI(hf, nb, sp)
}

// readPairs calls fn with each (row, rank) pair of a bucket file, in the order written.
func readPairs(f SpillFile, fn func(row, rank uint32)) error {
	ra, err := f.ReadBack()
	if err != nil {
		return err
	}
	r := bufio.NewReaderSize(io.NewSectionReader(ra, 0, f.Size()), 256<<10)
	var rec [8]byte
	for {
		if _, err := io.ReadFull(r, rec[:]); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		fn(binary.LittleEndian.Uint32(rec[:4]), binary.LittleEndian.Uint32(rec[4:]))
	}
}

// mapBSI maps a file of words as an index of nb bits per rank; nil, and the error handed to
// sp, when it fails.
func mapBSI(f SpillFile, nb int, sp Spill) *bsi {
	data, err := f.Map()
	if err != nil {
		sp.Fail(err)
		return nil
	}
	return &bsi{nb: nb, data: mappedWords[uint64](data)}
}
