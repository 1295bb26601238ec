package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/bitbeacon/bitbeacon/release"
)

// A partitioned index build splits the variant rows of a release (ordered by assembly,
// chromosome, start) into N contiguous ranges of about equal numbers of variants, cut only
// between fixed genomic blocks (DefaultPartitionBlock bases unless told) or chromosomes, so a small chromosome
// lands whole in one partition and a large one is cut into blocks. Each range is built by
// its own process (`bitbeacon index --partition K/N`); the partitions are then opened together
// (partitionset.go). The plan is a function of the release alone: every process computes the
// same one from the variants' positions (three small columns), so a batch system only hands
// each process its K (a Kubernetes Indexed Job's JOB_COMPLETION_INDEX, a Slurm array's
// SLURM_ARRAY_TASK_ID) and the same N.

// DefaultPartitionBlock is the genomic block, in bases, that partition boundaries fall
// between unless a plan says otherwise: a human genome has about 3,100 of them.
const DefaultPartitionBlock = 1_000_000

// MaxPartitions bounds N: a plan holds one cut per partition.
const MaxPartitions = 4096

// PartitionSpec names partition K (from 0) of an N-partition build whose plan cuts between
// blocks of BlockBases bases (0: DefaultPartitionBlock). Every partition of one build must
// be given the same N and BlockBases.
type PartitionSpec struct {
	K, N       int
	BlockBases int64
}

func (p PartitionSpec) blockBases() int64 {
	if p.BlockBases == 0 {
		return DefaultPartitionBlock
	}
	return p.BlockBases
}

// ParsePartitionSpec reads "K/N" (0 <= K < N <= MaxPartitions).
func ParsePartitionSpec(s string) (PartitionSpec, error) {
	ks, ns, ok := strings.Cut(strings.TrimSpace(s), "/")
	k, err1 := strconv.Atoi(ks)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil {
		return PartitionSpec{}, fmt.Errorf("partition %q: want K/N, e.g. 3/24 (K counts from 0)", s)
	}
	p := PartitionSpec{K: k, N: n}
	return p, p.check()
}

func (p PartitionSpec) check() error {
	switch {
	case p.N < 1 || p.N > MaxPartitions:
		return fmt.Errorf("partition %s: N must be 1 to %d", p, MaxPartitions)
	case p.K < 0 || p.K >= p.N:
		return fmt.Errorf("partition %s: K must be 0 to N-1 (%d)", p, p.N-1)
	}
	return nil
}

func (p PartitionSpec) String() string { return fmt.Sprintf("%d/%d", p.K, p.N) }

// dirName is the partition's directory under index.parts/: "00003-of-00024", so that a
// listing sorts by K and partitions of different N never share a name.
func (p PartitionSpec) dirName() string { return fmt.Sprintf("%05d-of-%05d", p.K, p.N) }

// GenomicBlock is a block of the row order: the plan's BlockBases bases of one chromosome.
type GenomicBlock struct {
	Assembly string `json:"assembly"`
	Chrom    string `json:"chrom"`
	Start    int64  `json:"start"` // the block's first base (0-based), a multiple of BlockBases
}

func blockOf(assembly, chrom string, start, size int64) GenomicBlock {
	b := start / size * size
	if start < 0 {
		b = -size // a malformed start still sorts before the chromosome's first block
	}
	return GenomicBlock{Assembly: assembly, Chrom: chrom, Start: b}
}

// compareBlocks orders blocks as compareVariants orders the variants in them.
func compareBlocks(a, b GenomicBlock) int {
	if a.Assembly != b.Assembly {
		return strings.Compare(a.Assembly, b.Assembly)
	}
	if a.Chrom != b.Chrom {
		return compareChrom(a.Chrom, b.Chrom)
	}
	switch {
	case a.Start < b.Start:
		return -1
	case a.Start > b.Start:
		return 1
	}
	return 0
}

// PartitionPlan is the N ranges of a partitioned build. Partition k holds the variants whose
// block b has Cuts[k-1] <= b < Cuts[k] (no lower bound for 0, no upper for N-1).
type PartitionPlan struct {
	N          int            `json:"n"`
	BlockBases int64          `json:"blockBases"`
	Cuts       []GenomicBlock `json:"cuts"`
	// Variants is the number of variants of each partition.
	Variants []int64 `json:"variants"`
	// rowGroups[k][d] lists the row groups of dataset d's variant file holding variants of
	// partition k: what its build decodes.
	rowGroups [][][]int
}

// partitionOfVariant returns the partition of a variant starting at start.
func (p *PartitionPlan) partitionOfVariant(assembly, chrom string, start int64) int {
	return p.partitionOf(blockOf(assembly, chrom, start, p.BlockBases))
}

// partitionOf returns the partition of a variant starting in block b.
func (p *PartitionPlan) partitionOf(b GenomicBlock) int {
	// The number of cuts at or before b (equal cuts are partitions left empty).
	return sort.Search(len(p.Cuts), func(i int) bool { return compareBlocks(p.Cuts[i], b) > 0 })
}

// ID identifies the plan: partitions built with different plans are never opened together.
func (p *PartitionPlan) ID() string {
	b, _ := json.Marshal(struct {
		N          int            `json:"n"`
		BlockBases int64          `json:"blockBases"`
		Cuts       []GenomicBlock `json:"cuts"`
	}{p.N, p.BlockBases, p.Cuts})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:8])
}

// planPartitions reads the positions of every variant of r's release and cuts the blocks of
// blockBases bases they fall in into n ranges of about equal numbers of variants.
func planPartitions(r *release.Reader, n int, blockBases int64) (*PartitionPlan, error) {
	if err := (PartitionSpec{N: n}).check(); err != nil {
		return nil, err
	}
	if blockBases < 1 {
		return nil, fmt.Errorf("partition block of %d bases: must be 1 or more", blockBases)
	}
	m := r.Manifest()
	counts := map[GenomicBlock]int64{}
	type blockGroup struct {
		b            GenomicBlock
		dataset, grp int
	}
	touched := map[blockGroup]struct{}{}
	var total int64
	for di, d := range m.Datasets {
		err := r.ReadVariantPositions(d.ID, func(p release.VariantPosition) error {
			b := blockOf(p.Assembly, p.Chrom, p.Start, blockBases)
			if _, ok := counts[b]; !ok {
				b.Assembly, b.Chrom = strings.Clone(b.Assembly), strings.Clone(b.Chrom)
			}
			counts[b]++
			touched[blockGroup{b, di, p.RowGroup}] = struct{}{}
			total++
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("release %s: dataset %s: variant positions: %w", m.ReleaseID, d.ID, err)
		}
	}
	blocks := make([]GenomicBlock, 0, len(counts))
	for b := range counts {
		blocks = append(blocks, b)
	}
	slices.SortFunc(blocks, compareBlocks)
	plan := &PartitionPlan{N: n, BlockBases: blockBases, Variants: make([]int64, n)}
	// Block i goes to partition floor(variants before it × n / total): non-decreasing, so
	// each partition is a contiguous range, each about total/n variants (a block is never
	// split, so a block holding more makes its partition larger and a later one empty).
	var before int64
	k := 0
	for _, b := range blocks {
		want := int(before * int64(n) / max(total, 1))
		for k < want {
			plan.Cuts = append(plan.Cuts, b)
			k++
		}
		plan.Variants[k] += counts[b]
		before += counts[b]
	}
	// Partitions left empty at the end start after every block.
	for k < n-1 {
		last := GenomicBlock{Assembly: "\U0010FFFF"}
		plan.Cuts = append(plan.Cuts, last)
		k++
	}
	plan.rowGroups = make([][][]int, n)
	for k := range plan.rowGroups {
		plan.rowGroups[k] = make([][]int, len(m.Datasets))
	}
	for bg := range touched {
		k := plan.partitionOf(bg.b)
		plan.rowGroups[k][bg.dataset] = append(plan.rowGroups[k][bg.dataset], bg.grp)
	}
	for k := range plan.rowGroups {
		for d := range plan.rowGroups[k] {
			g := plan.rowGroups[k][d]
			slices.Sort(g)
			plan.rowGroups[k][d] = slices.Compact(g)
			if plan.rowGroups[k][d] == nil {
				plan.rowGroups[k][d] = []int{} // read none, not all
			}
		}
	}
	return plan, nil
}

// PlanPartitions returns the plan of an n-partition build of the current release under root
// cut between blocks of blockBases bases, what `bitbeacon index --plan N` prints.
func PlanPartitions(root string, n int, blockBases int64) (*PartitionPlan, error) {
	r, err := release.OpenUnverified(root)
	if err != nil {
		return nil, err
	}
	return planPartitions(r, n, blockBases)
}

// Describe returns partition k's range for people: "GRCh37 1:0 - GRCh37 3:120000000".
func (p *PartitionPlan) Describe(k int) string {
	from, to := "start", "end"
	if k > 0 {
		from = p.Cuts[k-1].String()
	}
	if k < len(p.Cuts) {
		to = p.Cuts[k].String()
	}
	return from + " - " + to
}

func (b GenomicBlock) String() string {
	if b.Assembly == "\U0010FFFF" {
		return "end"
	}
	return fmt.Sprintf("%s %s:%d", b.Assembly, b.Chrom, b.Start)
}
