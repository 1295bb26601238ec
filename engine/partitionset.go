package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/bitbeacon/bitbeacon/release"
)

// Opening a partitioned index: the partitions under releases/<id>/index.parts/ are found,
// checked as one set — every K of one N present, each of this release and manifest, of one
// plan, its files' sizes and CRC-32C, ranges that follow each other, variant rows adding up
// to the release's, the tables other than the variants the same in every partition — and
// merged into one snapshot (partitionmerge.go). Anything else is an error naming what is
// wrong: a release whose index is partitioned is never served from a part of it, nor built
// from Parquet by the server behind the operator's back.

// errNoPartitions reports a release without index partitions.
var errNoPartitions = errors.New("no index partitions")

var partitionDirRE = regexp.MustCompile(`^([0-9]{5})-of-([0-9]{5})$`)

// openPartitions opens the complete set of index partitions of r's release as one snapshot.
func openPartitions(r *release.Reader, opts Options) (*Snapshot, error) {
	dir := filepath.Join(r.Dir(), partsDirName)
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, errNoPartitions
	}
	if err != nil {
		return nil, fmt.Errorf("index partitions: %w", err)
	}
	byN := map[int][]int{}
	for _, e := range ents {
		m := partitionDirRE.FindStringSubmatch(e.Name())
		if m == nil || !e.IsDir() {
			continue // temporary directories of builds in progress, their locks
		}
		k, _ := strconv.Atoi(m[1])
		n, _ := strconv.Atoi(m[2])
		byN[n] = append(byN[n], k)
	}
	if len(byN) == 0 {
		return nil, errNoPartitions
	}
	if len(byN) > 1 {
		ns := slices.Sorted(func(yield func(int) bool) {
			for n := range byN {
				if !yield(n) {
					return
				}
			}
		})
		return nil, fmt.Errorf("index partitions of %v partitions in %s: they overlap; remove those of the N no longer used", ns, dir)
	}
	var n int
	for n = range byN {
	}
	have := byN[n]
	slices.Sort(have)
	var missing []string
	for k := range n {
		if _, ok := slices.BinarySearch(have, k); !ok {
			missing = append(missing, PartitionSpec{K: k, N: n}.String())
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("index partitions of release %s incomplete: %d of %d built, missing %s", r.Manifest().ReleaseID, len(have), n, strings.Join(missing[:min(10, len(missing))], ", "))
	}
	parts := make([]*Snapshot, n)
	defer func() {
		for _, p := range parts[1:] { // partition 0 lends the merged snapshot its tables
			if p != nil {
				p.mapping.unmap()
			}
		}
	}()
	var plan string
	var im0 *indexManifest
	var rows int64
	var prevTo *GenomicBlock
	for k := range n {
		spec := PartitionSpec{K: k, N: n}
		pdir := filepath.Join(dir, spec.dirName())
		im, err := readIndexManifest(pdir, r)
		if err == nil && (im.Partition == nil || im.Partition.K != k || im.Partition.N != n) {
			err = fmt.Errorf("its manifest is not of partition %s", spec)
		}
		if err == nil && k > 0 && im.Partition.Plan != plan {
			err = fmt.Errorf("built with plan %s, partition 0/%d with plan %s", im.Partition.Plan, n, plan)
		}
		if err == nil && !sameBlock(prevTo, im.Partition.From) {
			err = fmt.Errorf("its range does not start where partition %d/%d ends", k-1, n)
		}
		if err == nil {
			parts[k], err = openIndexDir(r, pdir, im)
		}
		if err == nil {
			// The checksums read every page: drop them from the resident set (the page
			// cache keeps them for the merge), or the open holds every partition at once.
			parts[k].mapping.dropAll()
		}
		if err == nil && int64(parts[k].variants.n) != im.Partition.Variants {
			err = fmt.Errorf("%d variant rows, its manifest says %d", parts[k].variants.n, im.Partition.Variants)
		}
		if err == nil && k > 0 {
			err = sameOtherTables(parts[0], parts[k], im0, im)
		}
		if err != nil {
			return nil, fmt.Errorf("index partition %s of release %s (%s): %w", spec, r.Manifest().ReleaseID, pdir, err)
		}
		plan, prevTo = im.Partition.Plan, im.Partition.To
		if k == 0 {
			im0 = im
		}
		rows += im.Partition.Variants
	}
	if prevTo != nil {
		return nil, fmt.Errorf("index partitions of release %s: partition %d/%d does not reach the end of the variants", r.Manifest().ReleaseID, n-1, n)
	}
	var want int64
	for _, d := range r.Manifest().Datasets {
		want += d.Rows[release.GenomicVariation]
	}
	if rows != want {
		return nil, fmt.Errorf("index partitions of release %s hold %d variants, the release %d", r.Manifest().ReleaseID, rows, want)
	}
	return mergePartitions(parts, opts)
}

// sameBlock reports whether a and b are both nil or the same block.
func sameBlock(a, b *GenomicBlock) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// sameOtherTables checks that p has the tables other than the variants that p0 has: their
// index files are written the same way from the same release, so they are byte for byte
// equal, which their CRC-32C show.
func sameOtherTables(p0, p *Snapshot, im0, im *indexManifest) error {
	if len(p0.tables) != len(p.tables) {
		return fmt.Errorf("%d tables, partition 0 has %d", len(p.tables), len(p0.tables))
	}
	for e := range p.tables {
		if e == release.GenomicVariation {
			continue
		}
		if _, ok := p0.tables[e]; !ok {
			return fmt.Errorf("a %s table partition 0 lacks", e)
		}
		name := tableFileName(e)
		a, b := im0.Files[name], im.Files[name]
		if a.Bytes != b.Bytes || !slices.Equal(a.CRC32C, b.CRC32C) {
			return fmt.Errorf("its %s differs from partition 0's", name)
		}
	}
	return nil
}

// mergePartitions merges the partitions (checked, in order) into one snapshot: the tables
// other than the variants and the sample spaces of partition 0 (its mapping stays with the
// snapshot), the labels of all (the first partition's label of a term wins, as the first
// record's does in a whole build), and the merged variant table.
func mergePartitions(parts []*Snapshot, opts Options) (*Snapshot, error) {
	s := parts[0]
	s.spilled = &mapping{}
	unmapWhenUnreachable(s, s.spilled)
	for _, p := range parts[1:] {
		for k, v := range p.labels {
			if _, ok := s.labels[k]; !ok {
				s.labels[strings.Clone(k)] = strings.Clone(v)
			}
		}
	}
	vts := make([]*variantTable, len(parts))
	maps := make([]*mapping, len(parts))
	for i, p := range parts {
		vts[i], maps[i] = p.variants, p.mapping
	}
	vt, err := s.mergeVariants(vts, maps, opts)
	if err != nil {
		return nil, err
	}
	s.variants = vt
	s.tables[release.GenomicVariation] = vt.table
	vt.table.resolveLinks(s.tables)
	return s, nil
}
