package popgen

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// vcfTestConfig is small enough for quick tests and large enough to have
// every kind of variant, effect and genotype.
var vcfTestConfig = Config{Seed: 7, Individuals: 300, Variants: 3000}

// vcfRecord is a data line as the test parser reads it.
type vcfRecord struct {
	line             int
	chrom            string
	pos              int64
	id, ref, alt     string
	qual, filter     string
	info             map[string]string
	infoKeys         []string
	format           string
	gts              []string
	annEntries       [][]string // ANN split on ',' then '|'
	hasANN, hasFlags bool
}

type vcfParsed struct {
	meta    []string
	contigs map[string]int64
	samples []string
	recs    []vcfRecord
}

// readVCF decompresses a (multi-member) gzip file and parses it line by
// line, independently of the writer: every check of the VCF 4.2 text that
// does not need the BFF is done here.
func readVCF(t *testing.T, path string) vcfParsed {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<24)
	out := vcfParsed{contigs: map[string]int64{}}
	n := 0
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("VCF line %d: "+format, append([]any{n}, args...)...)
	}
	lastChrom, lastPos := "", int64(0)
	for sc.Scan() {
		n++
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "##"):
			if out.samples != nil {
				fail("meta line after #CHROM")
			}
			if n == 1 && line != "##fileformat=VCFv4.2" {
				fail("first line %q", line)
			}
			if s, ok := strings.CutPrefix(line, "##contig=<"); ok {
				var id string
				var length int64 = -1
				for _, kv := range strings.Split(strings.TrimSuffix(s, ">"), ",") {
					k, v, _ := strings.Cut(kv, "=")
					switch k {
					case "ID":
						id = v
					case "length":
						length, _ = strconv.ParseInt(v, 10, 64)
					}
				}
				if id == "" || length <= 0 {
					fail("bad contig line %q", line)
				}
				out.contigs[id] = length
			}
			out.meta = append(out.meta, line)
		case strings.HasPrefix(line, "#"):
			cols := strings.Split(line, "\t")
			want := []string{"#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"}
			if len(cols) < 10 || !slices.Equal(cols[:9], want) {
				fail("bad header line %.100q", line)
			}
			out.samples = cols[9:]
		default:
			if out.samples == nil {
				fail("data before #CHROM")
			}
			cols := strings.Split(line, "\t")
			if len(cols) != 9+len(out.samples) {
				fail("%d columns, want %d", len(cols), 9+len(out.samples))
			}
			r := vcfRecord{line: n, chrom: cols[0], id: cols[2], ref: cols[3], alt: cols[4],
				qual: cols[5], filter: cols[6], format: cols[8], gts: cols[9:], info: map[string]string{}}
			if r.pos, err = strconv.ParseInt(cols[1], 10, 64); err != nil || r.pos < 1 {
				fail("POS %q", cols[1])
			}
			length, ok := out.contigs[r.chrom]
			if !ok {
				fail("CHROM %q without ##contig", r.chrom)
			}
			if r.pos > length {
				fail("POS %d beyond contig length %d", r.pos, length)
			}
			if r.chrom == lastChrom && r.pos <= lastPos {
				fail("POS %d not after %d", r.pos, lastPos)
			}
			lastChrom, lastPos = r.chrom, r.pos
			if !isBases(r.ref) {
				fail("REF %q", r.ref)
			}
			if r.alt != "<DEL>" && r.alt != "<DUP>" && (!isBases(r.alt) || r.alt == r.ref) {
				fail("ALT %q", r.alt)
			}
			if r.id != "." || r.qual != "." || r.filter != "PASS" || r.format != "GT" {
				fail("ID/QUAL/FILTER/FORMAT %q %q %q %q", r.id, r.qual, r.filter, r.format)
			}
			for _, kv := range strings.Split(cols[7], ";") {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					r.hasFlags = true
				}
				if _, dup := r.info[k]; dup || k == "" || v == "" {
					fail("INFO %q", cols[7])
				}
				r.info[k] = v
				r.infoKeys = append(r.infoKeys, k)
			}
			if ann, ok := r.info["ANN"]; ok {
				r.hasANN = true
				for _, e := range strings.Split(ann, ",") {
					fields := strings.Split(e, "|")
					if len(fields) != 16 {
						fail("ANN entry with %d fields: %q", len(fields), e)
					}
					r.annEntries = append(r.annEntries, fields)
				}
			}
			for i, gt := range r.gts {
				switch gt {
				case "0|0", "0|1", "1|1", "0", "1":
				default:
					fail("sample %d GT %q", i, gt)
				}
			}
			out.recs = append(out.recs, r)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if out.samples == nil {
		t.Fatal("VCF has no #CHROM line")
	}
	return out
}

func isBases(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("ACGT", c) {
			return false
		}
	}
	return true
}

func writeVCFFile(t testing.TB, dir string, c Config) string {
	t.Helper()
	path := filepath.Join(dir, VCFFile)
	if err := WriteVCF(path, c); err != nil {
		t.Fatalf("WriteVCF: %v", err)
	}
	return path
}

func fileHash(t testing.TB, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestVCFDeterministic(t *testing.T) {
	a := fileHash(t, writeVCFFile(t, t.TempDir(), vcfTestConfig))
	b := fileHash(t, writeVCFFile(t, t.TempDir(), vcfTestConfig))
	if a != b {
		t.Errorf("two runs differ: %x vs %x", a, b)
	}
	// The number of compressing goroutines does not change the bytes.
	one := filepath.Join(t.TempDir(), "one.vcf.gz")
	if _, err := writeVCF(one, vcfTestConfig, vcfLevel, 1); err != nil {
		t.Fatal(err)
	}
	if fileHash(t, one) != a {
		t.Errorf("output with one compressor differs")
	}
	c := vcfTestConfig
	c.Seed++
	if fileHash(t, writeVCFFile(t, t.TempDir(), c)) == a {
		t.Errorf("seeds %d and %d give the same VCF", vcfTestConfig.Seed, c.Seed)
	}
}

// bgzfEOF is the empty BGZF block that ends a BGZF file (SAM spec 4.1.2).
const bgzfEOF = "\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff\x06\x00\x42\x43\x02\x00\x1b\x00\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00"

// TestVCFIsBGZF walks the file block by block as a BGZF reader (tabix,
// htslib) does: every gzip member carries the BC extra field with its size,
// every data block but the last is full, and the file ends with the EOF
// block.
func TestVCFIsBGZF(t *testing.T) {
	b, err := os.ReadFile(writeVCFFile(t, t.TempDir(), vcfTestConfig))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(b, []byte(bgzfEOF)) {
		t.Fatal("no BGZF EOF block at the end")
	}
	var sizes []uint32
	for off := 0; off < len(b); {
		h := b[off:]
		if len(h) < 28 || h[0] != 0x1f || h[1] != 0x8b || h[2] != 8 || h[3]&4 == 0 {
			t.Fatalf("offset %d: not a gzip member with FEXTRA", off)
		}
		xlen := int(binary.LittleEndian.Uint16(h[10:]))
		if xlen != 6 || h[12] != 'B' || h[13] != 'C' || binary.LittleEndian.Uint16(h[14:]) != 2 {
			t.Fatalf("offset %d: no BC subfield", off)
		}
		bsize := int(binary.LittleEndian.Uint16(h[16:])) + 1
		if bsize > len(h) {
			t.Fatalf("offset %d: block size %d beyond the file", off, bsize)
		}
		zr, err := gzip.NewReader(bytes.NewReader(h[:bsize]))
		if err != nil {
			t.Fatalf("offset %d: %v", off, err)
		}
		zr.Multistream(false)
		n, err := io.Copy(io.Discard, zr)
		if err != nil {
			t.Fatalf("offset %d: %v", off, err)
		}
		if isize := binary.LittleEndian.Uint32(h[bsize-4:]); int64(isize) != n {
			t.Fatalf("offset %d: ISIZE %d, decompressed %d", off, isize, n)
		}
		sizes = append(sizes, uint32(n))
		off += bsize
	}
	if len(sizes) < 3 || sizes[len(sizes)-1] != 0 {
		t.Fatalf("block sizes %v", sizes)
	}
	for i, s := range sizes[:len(sizes)-2] {
		if s != 0xff00 {
			t.Errorf("data block %d holds %d bytes, want a full block (65280)", i, s)
		}
	}
	t.Logf("%d BGZF blocks, %d bytes", len(sizes), len(b))
}

// threeLetter maps HGVS 3-letter amino-acid codes to 1-letter ones.
var threeLetter = map[string]string{
	"Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E",
	"Gly": "G", "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F",
	"Pro": "P", "Ser": "S", "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V",
}

// oneLetterChange converts "p.Val158Met" to "V158M" and "p.Arg12*" to
// "R12*".
func oneLetterChange(p string) (string, error) {
	s, ok := strings.CutPrefix(p, "p.")
	if !ok || len(s) < 5 {
		return "", fmt.Errorf("not p.: %q", p)
	}
	from, ok := threeLetter[s[:3]]
	if !ok {
		return "", fmt.Errorf("bad amino acid in %q", p)
	}
	s = s[3:]
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return "", fmt.Errorf("no position in %q", p)
	}
	to := s[i:]
	if to != "*" {
		if to, ok = threeLetter[to]; !ok {
			return "", fmt.Errorf("bad amino acid in %q", p)
		}
	}
	return from + s[:i] + to, nil
}

// TestVCFMatchesBFF checks WriteVCF against WriteBFF for the same Config:
// same samples, same variants in the same order, same carriers and
// zygosities, same annotations, and the documented coordinate relations.
func TestVCFMatchesBFF(t *testing.T) {
	dir := t.TempDir()
	if _, err := WriteBFF(dir, vcfTestConfig); err != nil {
		t.Fatal(err)
	}
	vcf := readVCF(t, writeVCFFile(t, dir, vcfTestConfig))

	var bsIDs []string
	for _, r := range decodeAll[struct {
		ID           string `json:"id"`
		IndividualID string `json:"individualId"`
	}](t, filepath.Join(dir, BiosamplesFile)) {
		bsIDs = append(bsIDs, r.ID)
	}
	if !slices.Equal(vcf.samples, bsIDs) {
		t.Fatalf("VCF samples differ from biosamples.json ids (%d vs %d)", len(vcf.samples), len(bsIDs))
	}
	male := map[string]bool{}
	for i, ind := range decodeAll[individualTestRec](t, filepath.Join(dir, IndividualsFile)) {
		if bsIDs[i] != ind.ID+"-BS" {
			t.Fatalf("biosample %d is %s, individual %s", i, bsIDs[i], ind.ID)
		}
		male[bsIDs[i]] = ind.Sex == termMale
	}
	for _, ch := range []string{"1", "2", "22", "X"} {
		c, _ := lookupChromosome(ch)
		if vcf.contigs[ch] != c.length {
			t.Errorf("contig %s length %d, want %d", ch, vcf.contigs[ch], c.length)
		}
	}

	vars := decodeAll[variantRec](t, filepath.Join(dir, GenomicVariationsFile))
	if len(vars) != len(vcf.recs) || len(vars) != vcfTestConfig.Variants {
		t.Fatalf("%d BFF variants, %d VCF records, want %d", len(vars), len(vcf.recs), vcfTestConfig.Variants)
	}
	seen := map[string]int{}
	for i, v := range vars {
		r := vcf.recs[i]
		fail := func(format string, args ...any) {
			t.Helper()
			t.Errorf("VCF line %d / BFF %s: "+format, append([]any{r.line, v.VariantInternalID}, args...)...)
		}
		parts := strings.Split(v.VariantInternalID, "_")
		start, end := v.Variation.Location.Interval.Start.Value, v.Variation.Location.Interval.End.Value
		vt := v.Variation.VariantType
		if parts[0] != r.chrom || parts[1] != strconv.FormatInt(r.pos, 10) {
			fail("CHROM/POS %s:%d", r.chrom, r.pos)
		}

		// Alleles and coordinates.
		wantKeys := []string{"AC", "AF", "AN", "ANN"}
		switch vt {
		case "SNP", "INDEL":
			seen[vt]++
			if r.ref != v.Variation.ReferenceBases || r.alt != v.Variation.AlternateBases {
				fail("REF/ALT %s/%s, BFF %s/%s", r.ref, r.alt, v.Variation.ReferenceBases, v.Variation.AlternateBases)
			}
			if r.pos-1 != start {
				fail("POS-1 = %d, BFF start %d", r.pos-1, start)
			}
			// BFF end = start + len(REF) (an insertion covers its anchor base).
			if end != start+int64(len(r.ref)) {
				fail("BFF end %d, want start+len(REF) = %d", end, start+int64(len(r.ref)))
			}
		case "DEL", "DUP":
			seen[vt]++
			wantKeys = []string{"AC", "AF", "AN", "SVTYPE", "END", "SVLEN", "ANN"}
			if r.alt != "<"+vt+">" || r.info["SVTYPE"] != vt {
				fail("ALT %s SVTYPE %s for BFF %s", r.alt, r.info["SVTYPE"], vt)
			}
			if len(r.ref) != 1 || r.ref[0] != refBase(mustChrom(t, r.chrom).order, r.pos) {
				fail("REF %q is not the padding base", r.ref)
			}
			vend, err1 := strconv.ParseInt(r.info["END"], 10, 64)
			svlen, err2 := strconv.ParseInt(r.info["SVLEN"], 10, 64)
			if err1 != nil || err2 != nil {
				fail("END %q SVLEN %q", r.info["END"], r.info["SVLEN"])
			}
			if (vt == "DEL") != (svlen < 0) {
				fail("SVLEN %d for %s", svlen, vt)
			}
			svlen = max(svlen, -svlen)
			// The documented relation: the event is POS+1..END (1-based),
			// BFF [start, end) = [POS, END).
			if vend != r.pos+svlen || start != r.pos || end != vend {
				fail("POS %d END %d SVLEN %d, BFF [%d,%d)", r.pos, vend, svlen, start, end)
			}
			if vend > vcf.contigs[r.chrom] {
				fail("END %d beyond contig", vend)
			}
		default:
			fail("unexpected BFF variantType %s", vt)
		}
		if !slices.Equal(r.infoKeys, wantKeys) || r.hasFlags {
			fail("INFO keys %v, want %v", r.infoKeys, wantKeys)
		}

		// Genotypes against caseLevelData.
		bffZyg := map[string]string{}
		for _, cl := range v.CaseLevelData {
			bffZyg[cl.BiosampleID] = cl.Zygosity.Label
		}
		vcfZyg := map[string]string{}
		ac, an := 0, 0
		for s, gt := range r.gts {
			id := vcf.samples[s]
			haploid := len(gt) == 1
			if haploid != (r.chrom == "X" && male[id]) {
				fail("sample %s (male %v) GT %q", id, male[id], gt)
			}
			switch gt {
			case "0|1":
				vcfZyg[id] = termHet.Label
			case "1|1":
				vcfZyg[id] = termHom.Label
			case "1":
				vcfZyg[id] = termHemi.Label
			}
			ac += strings.Count(gt, "1")
			an += (len(gt) + 1) / 2
			if gt == "1|0" {
				fail("sample %s GT 1|0", id)
			}
		}
		if len(vcfZyg) != len(bffZyg) {
			fail("%d carriers in VCF, %d in BFF", len(vcfZyg), len(bffZyg))
		}
		for id, z := range bffZyg {
			if vcfZyg[id] != z {
				fail("sample %s: VCF %q, BFF %q", id, vcfZyg[id], z)
			}
			seen[z]++
		}
		if r.info["AC"] != strconv.Itoa(ac) || r.info["AN"] != strconv.Itoa(an) {
			fail("AC %s AN %s, GTs give %d %d", r.info["AC"], r.info["AN"], ac, an)
		}
		af, err := strconv.ParseFloat(r.info["AF"], 64)
		if err != nil || af != v.FrequencyInPopulations[0].Frequencies[0].AlleleFrequency {
			fail("AF %s, BFF %v", r.info["AF"], v.FrequencyInPopulations[0].Frequencies[0].AlleleFrequency)
		}

		// ANN against molecularAttributes.
		ma := v.MolecularAttributes
		var genes, changes []string
		for _, e := range r.annEntries {
			if e[0] != r.alt {
				fail("ANN allele %q, ALT %q", e[0], r.alt)
			}
			if len(ma.MolecularEffects) != 1 || e[1] != ma.MolecularEffects[0].Label {
				fail("ANN effect %q, BFF %v", e[1], ma.MolecularEffects)
			}
			if !slices.Contains([]string{"HIGH", "MODERATE", "LOW", "MODIFIER"}, e[2]) {
				fail("ANN impact %q", e[2])
			}
			if e[3] != "" {
				genes = append(genes, e[3])
				if e[4] != e[3] {
					fail("ANN Gene_ID %q, Gene_Name %q", e[4], e[3])
				}
			}
			if e[10] != "" {
				ch, err := oneLetterChange(e[10])
				if err != nil {
					fail("%v", err)
				}
				changes = append(changes, ch)
				pos, _, _ := strings.Cut(e[13], "/")
				if !strings.Contains(ch, pos) || pos == "" {
					fail("AA.pos %q for %s", e[13], e[10])
				}
			}
		}
		if !r.hasANN || len(r.annEntries) != max(1, len(ma.GeneIDs)) {
			fail("%d ANN entries for genes %v", len(r.annEntries), ma.GeneIDs)
		}
		if !slices.Equal(genes, ma.GeneIDs) {
			fail("ANN genes %v, BFF %v", genes, ma.GeneIDs)
		}
		if !slices.Equal(changes, ma.AminoacidChanges) {
			fail("ANN HGVS.p %v, BFF aminoacidChanges %v", changes, ma.AminoacidChanges)
		}
		if len(changes) > 0 {
			seen["aaChange"]++
		}
		if len(genes) > 0 && (vt == "DEL" || vt == "DUP") {
			seen["genic SV"]++
		}
		if t.Failed() {
			t.FailNow() // one variant's worth of errors is enough
		}
	}
	// The check covered every kind of variant and genotype.
	for _, k := range []string{"SNP", "INDEL", "DEL", "DUP", termHet.Label, termHom.Label, termHemi.Label, "aaChange"} {
		if seen[k] == 0 {
			t.Errorf("no %s in the test population", k)
		}
	}
	t.Logf("covered: %v", seen)
}

func mustChrom(t *testing.T, name string) chromosome {
	t.Helper()
	c, err := lookupChromosome(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSkipBFFVariants checks that SkipBFFVariants leaves out
// genomicVariations.json, removes a stale one, and changes nothing else.
func TestSkipBFFVariants(t *testing.T) {
	dir := t.TempDir()
	full, err := WriteBFF(dir, vcfTestConfig)
	if err != nil {
		t.Fatal(err)
	}
	want := hashes(t, full)
	c := vcfTestConfig
	c.SkipBFFVariants = true
	skip, err := WriteBFF(dir, c) // over the full output: the stale variants go
	if err != nil {
		t.Fatal(err)
	}
	if len(skip.Paths) != 7 || slices.Contains(skip.Paths, filepath.Join(dir, GenomicVariationsFile)) {
		t.Fatalf("Paths %v", skip.Paths)
	}
	if _, err := os.Stat(filepath.Join(dir, GenomicVariationsFile)); !os.IsNotExist(err) {
		t.Errorf("stale %s not removed: %v", GenomicVariationsFile, err)
	}
	got := hashes(t, skip)
	for name, h := range got {
		if want[name] != h {
			t.Errorf("%s differs with SkipBFFVariants", name)
		}
	}
}

// BenchmarkWriteVCF measures WriteVCF end to end for a 1000 Genomes-sized
// population, at deflate levels 1 and 6 (WriteVCF uses vcfLevel). MB/s is
// uncompressed VCF text per second; MB is the compressed file size, ratio
// the compression ratio.
func BenchmarkWriteVCF(b *testing.B) {
	for _, bc := range []struct {
		variants, level int
	}{
		{20_000, 1}, {20_000, 6}, {100_000, vcfLevel},
	} {
		c := Config{Seed: 1, Individuals: 2504, Variants: bc.variants}
		b.Run(fmt.Sprintf("2504x%d/level%d", bc.variants, bc.level), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), VCFFile)
			var raw int64
			for b.Loop() {
				n, err := writeVCF(path, c, bc.level, runtime.GOMAXPROCS(0))
				if err != nil {
					b.Fatal(err)
				}
				raw += n
			}
			st, err := os.Stat(path)
			if err != nil {
				b.Fatal(err)
			}
			sec := b.Elapsed().Seconds()
			b.ReportMetric(float64(raw)/1e6/sec, "MB/s")
			b.ReportMetric(float64(c.Variants)*float64(b.N)/sec, "variants/s")
			b.ReportMetric(float64(st.Size())/1e6, "MB")
			b.ReportMetric(float64(raw)/float64(b.N)/float64(st.Size()), "ratio")
		})
	}
}
