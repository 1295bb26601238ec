package engine

import (
	"bufio"
	"encoding/binary"
	"io"
	"math/bits"
	"slices"

	"github.com/bitbeacon/bitbeacon/index"
)

// The id lookup of a variant table is 12 bytes a variant, and building it sorted a 16-byte
// (hash, row) pair per variant on the heap: 280 MB of a 10^7 build, growing with the
// variants. A spilled build sorts by buckets instead: the pairs go to one spill file per
// range of the hash's top bits, in row order, and each bucket, about idBucketPairs pairs, is
// sorted in memory and appended to the hashes and rows, which are spill files mapped when
// done. The order, by hash then row, is the one newIDLookup makes.

// idBucketPairs is about how many pairs a bucket holds (16 bytes each).
var idBucketPairs = 1 << 20 // a variable for the tests

// idPair is one id's hash and row, in the order of the lookup.
type idPair struct {
	h   uint64
	row uint32
}

func compareIDPairs(a, b idPair) int {
	if a.h != b.h {
		if a.h < b.h {
			return -1
		}
		return 1
	}
	return int(a.row) - int(b.row)
}

// newSpilledIDLookup builds the lookup of ids through sp's files; few ids are sorted in
// memory (newIDLookup). A spill file's error is sp's.
func newSpilledIDLookup(ids *index.Strings, sp *spiller) idLookup {
	n := ids.Len()
	if n <= idBucketPairs {
		return newIDLookup(ids)
	}
	shift := uint(bits.Len(uint((n - 1) / idBucketPairs))) // 2^shift buckets of about idBucketPairs
	buckets := make([]*spillFile, 1<<shift)
	for i := range buckets {
		buckets[i] = sp.create("ids-lookup-bucket")
	}
	var rec [12]byte
	for row := range n {
		h := idHash(ids.At(row))
		binary.LittleEndian.PutUint64(rec[:8], h)
		binary.LittleEndian.PutUint32(rec[8:], uint32(row))
		buckets[h>>(64-shift)].write(rec[:]) // buffered; an error is the spiller's
	}
	hashes, rows := spillArrayOf[uint64](sp, "ids-lookup-hashes"), spillArrayOf[uint32](sp, "ids-lookup-rows")
	var ps []idPair
	for _, f := range buckets {
		ps = readIDPairs(f, ps[:0])
		f.close()
		slices.SortFunc(ps, compareIDPairs)
		for _, p := range ps {
			hashes.add(p.h)
			rows.add(p.row)
		}
	}
	var l idLookup
	var err error
	if l.hashes, err = hashes.build(); err != nil {
		return idLookup{}
	}
	if l.rows, err = rows.build(); err != nil {
		return idLookup{}
	}
	return l
}

// readIDPairs appends the pairs of a bucket file to ps (none on an error, which is the
// spiller's).
func readIDPairs(f *spillFile, ps []idPair) []idPair {
	ra, err := f.readBack()
	if err != nil {
		return ps
	}
	r := bufio.NewReaderSize(io.NewSectionReader(ra, 0, f.n), 256<<10)
	var rec [12]byte
	for {
		if _, err := io.ReadFull(r, rec[:]); err != nil {
			if err != io.EOF {
				f.sp.fail(err)
			}
			return ps
		}
		ps = append(ps, idPair{h: binary.LittleEndian.Uint64(rec[:8]), row: binary.LittleEndian.Uint32(rec[8:])})
	}
}
