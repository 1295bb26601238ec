package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bitbeacon/bitbeacon/release"
)

// The index files of partition K of N are releases/<id>/index.parts/<KKKKK>-of-<NNNNN>/, in
// the layout of index/ (indexfile.go): every table but the variants whole (they are small),
// and the variants of the partition's range. Partitions of one release are built at once by
// processes that may run on different machines sharing the release volume, so a partition
// build takes no root lock: it writes only its own directory, through a temporary one renamed
// into place, under a lock of its own (a retried Job pod never interleaves with the one it
// replaces).

// partsDirName is the directory of a release holding its index partitions.
const partsDirName = "index.parts"

// partitionEntry is what a partition's index manifest says of it.
type partitionEntry struct {
	K int `json:"k"`
	N int `json:"n"`
	// Plan is the plan's ID: partitions of different plans are never opened together.
	Plan string `json:"plan"`
	// From and To bound the partition's blocks (nil: the start, the end of the row order).
	From *GenomicBlock `json:"from,omitempty"`
	To   *GenomicBlock `json:"to,omitempty"`
	// Variants is the number of variant rows of the partition.
	Variants int64 `json:"variants"`
}

// WritePartition builds partition spec of the current release under root from Parquet (the
// release verified, only the row groups holding the partition's variants decoded) and writes
// its index files. It returns the partition's directory.
func WritePartition(root string, spec PartitionSpec, opts Options) (string, error) {
	if err := spec.check(); err != nil {
		return "", err
	}
	r, err := release.Open(root)
	if err != nil {
		return "", err
	}
	parts := filepath.Join(r.Dir(), partsDirName)
	if err := os.MkdirAll(parts, 0o755); err != nil {
		return "", fmt.Errorf("index partition %s: %w", spec, err)
	}
	name := spec.dirName()
	unlock, err := release.LockFile(filepath.Join(parts, name+".lock"))
	if err != nil {
		return "", fmt.Errorf("index partition %s: %w", spec, err)
	}
	defer unlock()
	// Under the lock, what an earlier build of this partition left is garbage.
	tmpPrefix := name + ".tmp-"
	if ents, err := os.ReadDir(parts); err == nil {
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), tmpPrefix) {
				if err := os.RemoveAll(filepath.Join(parts, e.Name())); err != nil {
					return "", fmt.Errorf("index partition %s: removing the leftover %s: %w", spec, e.Name(), err)
				}
			}
		}
	}
	plan, err := planPartitions(r, spec.N, spec.blockBases())
	if err != nil {
		return "", err
	}
	if opts.SpillDir == "" {
		// A directory of the partition's own (other partitions' builds spill beside it),
		// removed with its other leftovers by the next build of the partition if killed.
		opts.SpillDir = filepath.Join(parts, tmpPrefix+"spill")
		if err := os.Mkdir(opts.SpillDir, 0o755); err != nil {
			return "", fmt.Errorf("index partition %s: %w", spec, err)
		}
		defer os.RemoveAll(opts.SpillDir)
	}
	s, err := loadPart(r, opts, &partRead{plan: plan, k: spec.K})
	if err != nil {
		return "", err
	}
	defer s.spilled.unmap()
	entry := &partitionEntry{K: spec.K, N: spec.N, Plan: plan.ID(), Variants: int64(s.variants.n)}
	if spec.K > 0 {
		entry.From = &plan.Cuts[spec.K-1]
	}
	if spec.K < len(plan.Cuts) {
		entry.To = &plan.Cuts[spec.K]
	}
	dst := filepath.Join(parts, name)
	if err := s.writeIndexDir(parts, dst, tmpPrefix, r.ManifestSHA256(), entry); err != nil {
		return "", err
	}
	return dst, nil
}

// MergePartitions opens the index partitions of the current release under root together
// (checking them as one set) and writes them, merged, as the release's index files, under
// the root's lock; the partitions are then removed. Servers then map one index instead of
// merging the partitions at every start. It returns the release directory.
func MergePartitions(root string, opts Options) (string, error) {
	unlock, err := release.LockRoot(root)
	if err != nil {
		return "", err
	}
	defer unlock()
	if err := removeIndexLeftovers(root); err != nil {
		return "", err
	}
	r, err := release.OpenUnverified(root) // each partition build verified it
	if err != nil {
		return "", err
	}
	if opts.SpillDir == "" {
		opts.SpillDir = r.Dir()
	}
	s, err := openPartitions(r, opts)
	if errors.Is(err, errNoPartitions) {
		return "", fmt.Errorf("release %s: %w (build them with --partition K/N)", r.Manifest().ReleaseID, err)
	}
	if err != nil {
		return "", err
	}
	defer s.spilled.unmap()
	if err := s.writeIndex(r.Dir(), r.ManifestSHA256()); err != nil {
		return "", err
	}
	if err := os.RemoveAll(filepath.Join(r.Dir(), partsDirName)); err != nil {
		return "", fmt.Errorf("index files written; removing the partitions: %w", err)
	}
	return r.Dir(), nil
}
