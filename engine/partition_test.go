package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bitbeacon/bitbeacon/ingest"
	"github.com/bitbeacon/bitbeacon/internal/testenv"
	"github.com/bitbeacon/bitbeacon/release"
)

// cinecaRelease ingests the CINECA chr22 fixture (individuals, biosamples, 5,002 variants
// with carriers and zygosity) into a new root, without index files.
func cinecaRelease(t *testing.T) string {
	t.Helper()
	data := testenv.DataDir(t)
	out := t.TempDir()
	_, err := ingest.Run(context.Background(), ingest.Options{Out: out, DatasetID: "cineca", Assembly: "GRCh37"}, []string{
		filepath.Join(data, "cineca_uk1_ega_ri_api", "individuals.json"),
		filepath.Join(data, "cineca_uk1_ega_ri_api", "biosamples.json"),
		filepath.Join(data, "cineca_uk1_cnag_vcf", "cineca_uk1_chr22_5002.genomicVariations.bff.json.gz")})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// testBlock is the partition block of the tests: the fixture's variants lie in 1 Mb of chr22.
const testBlock = 20_000

// buildPartitions builds every partition of an n-partition index of root.
func buildPartitions(t *testing.T, root string, n int) {
	t.Helper()
	for k := range n {
		if _, err := WritePartition(root, PartitionSpec{K: k, N: n, BlockBases: testBlock}, Options{}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPartitionsMatchWholeBuild opens the partitions of 1, 3 and 7-partition builds
// together, and their merged index files, and compares each fact by fact with the snapshot
// built from Parquet whole, and the merged index files byte for byte with those of a whole
// build: the partitions cut chr22 between 1 Mb blocks, so sequences, postings, carriers and
// zygosity codes all cross partition boundaries.
func TestPartitionsMatchWholeBuild(t *testing.T) {
	root := cinecaRelease(t)
	want := openParquet(t, root).dump()
	wantFiles := wholeIndexFiles(t, root)
	for _, n := range []int{1, 3, 7} {
		buildPartitions(t, root, n)
		plan, err := PlanPartitions(root, n, testBlock)
		if err != nil {
			t.Fatal(err)
		}
		nonEmpty := 0
		for _, v := range plan.Variants {
			if v > 0 {
				nonEmpty++
			}
		}
		if n > 1 && nonEmpty < 2 {
			t.Fatalf("n=%d: plan %v puts the variants in %d partition", n, plan.Variants, nonEmpty)
		}
		s, err := Open(root, Options{})
		if err != nil {
			t.Fatal(err)
		}
		sameDump(t, s.dump(), want)
		if _, err := MergePartitions(root, Options{}); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(s.Dir, partsDirName)); !os.IsNotExist(err) {
			t.Fatalf("n=%d: partitions left after the merge: %v", n, err)
		}
		merged, err := Open(root, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if merged.mapping == nil || merged.spilled != nil {
			t.Fatalf("n=%d: merged index not mapped", n)
		}
		sameDump(t, merged.dump(), want)
		testenv.SameDirFiles(t, fmt.Sprintf("n=%d: merged index", n), testenv.ReadDirFiles(t, release.IndexDir(s.Dir)), wantFiles)
		if err := os.RemoveAll(release.IndexDir(s.Dir)); err != nil {
			t.Fatal(err)
		}
	}
}

// wholeIndexFiles writes the index files of a whole build of root, returns their contents
// and removes them.
func wholeIndexFiles(t *testing.T, root string) map[string][]byte {
	t.Helper()
	dir, err := WriteIndex(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	files := testenv.ReadDirFiles(t, release.IndexDir(dir))
	if err := os.RemoveAll(release.IndexDir(dir)); err != nil {
		t.Fatal(err)
	}
	return files
}

// TestPartitionPlan checks that a plan covers every variant once, in contiguous ranges of
// the row order, cut only between blocks.
func TestPartitionPlan(t *testing.T) {
	root := cinecaRelease(t)
	r, err := release.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 2, 5, 64} {
		plan, err := planPartitions(r, n, testBlock)
		if err != nil {
			t.Fatal(err)
		}
		if len(plan.Cuts) != n-1 || len(plan.Variants) != n {
			t.Fatalf("n=%d: %d cuts, %d counts", n, len(plan.Cuts), len(plan.Variants))
		}
		counts := make([]int64, n)
		last, total := -1, int64(0)
		err = r.ReadVariants("cineca", func(v *release.Variant) error {
			k := plan.partitionOfVariant(v.Assembly, v.Chrom, v.Start)
			if k < last {
				t.Fatalf("n=%d: variant %s at %d in partition %d after one in %d", n, v.ID, v.Start, k, last)
			}
			last = k
			counts[k]++
			total++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for k := range n {
			if counts[k] != plan.Variants[k] {
				t.Fatalf("n=%d: partition %d has %d variants, plan says %d", n, k, counts[k], plan.Variants[k])
			}
			// About equal: no partition holds more than its share plus the largest block.
			if n <= 5 && counts[k] > total/int64(n)+total/4 {
				t.Fatalf("n=%d: partition %d holds %d of %d variants", n, k, counts[k], total)
			}
		}
		if again, _ := planPartitions(r, n, testBlock); again.ID() != plan.ID() {
			t.Fatalf("n=%d: two plans of one release differ", n)
		}
	}
	for _, bad := range []string{"3", "3/3", "-1/4", "a/4", "0/0", "1/5000", "1/2/3"} {
		if _, err := ParsePartitionSpec(bad); err == nil {
			t.Errorf("ParsePartitionSpec(%q) accepted", bad)
		}
	}
	if p, err := ParsePartitionSpec(" 3/24 "); err != nil || p != (PartitionSpec{K: 3, N: 24}) {
		t.Errorf("ParsePartitionSpec(3/24) = %v, %v", p, err)
	}
}

// TestPartitionsRejected checks that an incomplete, mixed or damaged set of partitions is an
// error naming the problem (never a snapshot of part of the release, nor a build from
// Parquet), and that a killed build leaves nothing a loader takes for a partition.
func TestPartitionsRejected(t *testing.T) {
	root := cinecaRelease(t)
	r, err := release.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	parts := filepath.Join(r.Dir(), partsDirName)
	expect := func(t *testing.T, want string) {
		t.Helper()
		_, err := Open(root, Options{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("Open: %v, want an error with %q", err, want)
		}
		if _, err := MergePartitions(root, Options{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("MergePartitions: %v, want an error with %q", err, want)
		}
	}
	reset := func(t *testing.T) {
		t.Helper()
		if err := os.RemoveAll(parts); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("missing", func(t *testing.T) {
		defer reset(t)
		for _, k := range []int{0, 2} {
			if _, err := WritePartition(root, PartitionSpec{K: k, N: 3, BlockBases: testBlock}, Options{}); err != nil {
				t.Fatal(err)
			}
		}
		expect(t, "missing 1/3")
	})
	t.Run("killed build", func(t *testing.T) {
		defer reset(t)
		buildPartitions(t, root, 2)
		// What a build killed before its rename leaves: a temporary directory, half written.
		dir := filepath.Join(parts, PartitionSpec{K: 1, N: 2}.dirName())
		if err := os.Rename(dir, dir+".tmp-123"); err != nil {
			t.Fatal(err)
		}
		expect(t, "missing 1/2")
		if _, err := WritePartition(root, PartitionSpec{K: 1, N: 2, BlockBases: testBlock}, Options{}); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(dir + ".tmp-123"); !os.IsNotExist(err) {
			t.Fatalf("the killed build's directory is still there: %v", err)
		}
		if _, err := Open(root, Options{}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("overlapping plans", func(t *testing.T) {
		defer reset(t)
		buildPartitions(t, root, 2)
		if _, err := WritePartition(root, PartitionSpec{K: 0, N: 3, BlockBases: testBlock}, Options{}); err != nil {
			t.Fatal(err)
		}
		expect(t, "overlap")
	})
	t.Run("damaged", func(t *testing.T) {
		defer reset(t)
		buildPartitions(t, root, 2)
		p := filepath.Join(parts, PartitionSpec{K: 1, N: 2}.dirName(), tableFileName(release.GenomicVariation))
		b := readFile(t, p)
		b[len(b)/2] ^= 0xff
		writeFile(t, p, b)
		expect(t, "CRC-32C")
	})
	t.Run("another release", func(t *testing.T) {
		defer reset(t)
		buildPartitions(t, root, 2)
		// Partition 1 of another release of the same data (its manifest differs).
		other := cinecaRelease(t)
		if _, err := WritePartition(other, PartitionSpec{K: 1, N: 2, BlockBases: testBlock}, Options{}); err != nil {
			t.Fatal(err)
		}
		ro, err := release.Open(other)
		if err != nil {
			t.Fatal(err)
		}
		name := PartitionSpec{K: 1, N: 2}.dirName()
		if err := os.RemoveAll(filepath.Join(parts, name)); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(filepath.Join(ro.Dir(), partsDirName, name), filepath.Join(parts, name)); err != nil {
			t.Fatal(err)
		}
		expect(t, "another manifest.json")
	})
	t.Run("wrong spec", func(t *testing.T) {
		defer reset(t)
		buildPartitions(t, root, 2)
		// Partition 0's files under partition 1's name.
		a := filepath.Join(parts, PartitionSpec{K: 0, N: 2}.dirName())
		b := filepath.Join(parts, PartitionSpec{K: 1, N: 2}.dirName())
		if err := os.RemoveAll(b); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(a, b); err != nil {
			t.Fatal(err)
		}
		if _, err := WritePartition(root, PartitionSpec{K: 0, N: 2, BlockBases: testBlock}, Options{}); err != nil {
			t.Fatal(err)
		}
		expect(t, "not of partition 1/2")
	})
}
