package index

import (
	"bufio"
	"encoding/binary"
)

// A bit-sliced index is (bits per rank + 1) / 8 bytes a row: a start or end path of 10^7
// variants, with about as many distinct readings, 3 bytes a variant each on the heap until
// the index file is written. A spilled value index writes its words to a file 64 rows at a
// time, in the order of the index file, and maps it.

// newSpilledBSI is newBSI with its words in a file of sp (what names it); nil, and the error
// handed to sp, when the file fails.
func newSpilledBSI(rank []uint32, n uint32, sp Spill, what string) *bsi {
	b := &bsi{nb: rankBits(n)}
	f := sp.Create(what + "-bsi")
	w := bufio.NewWriterSize(f, 256<<10)
	words := make([]uint64, b.nb+1)
	var x [8]byte
	for lo := 0; lo < len(rank); lo += 64 {
		clear(words)
		fillBSIWords(words, rank[lo:min(lo+64, len(rank))])
		for _, v := range words {
			binary.LittleEndian.PutUint64(x[:], v)
			w.Write(x[:]) // errors surface when mapped
		}
	}
	w.Flush()
	data, err := f.Map()
	if err != nil {
		sp.Fail(err)
		return nil
	}
	b.data = mappedWords[uint64](data)
	return b
}
