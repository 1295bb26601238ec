package index

import (
	"bytes"
	"testing"
)

// Index files are CRC-checked and bound to their release before they are decoded, so only a
// writer bug or a hand-made file reaches the decoders with bad bytes; even then a decoder
// must fail with ErrCorrupt, never panic, and what it accepts must be safe to use.

// decoderKinds are the decoders FuzzDecoders drives, by the kind byte of its input.
var decoderKinds = []struct {
	name string
	// seed encodes a valid value; use decodes one and exercises every accessor.
	seed func(e *Encoder)
	use  func(d *Decoder)
}{
	{
		name: "strings",
		seed: func(e *Encoder) {
			var b StringsBuilder
			for _, s := range []string{"NCIT:C16576", "", "GENO:0000458"} {
				b.Add(s)
			}
			s := b.Build()
			s.Encode(e)
		},
		use: func(d *Decoder) {
			s := DecodeStrings(d)
			if d.Done() == nil {
				for i := range s.Len() {
					_ = s.At(i)
				}
			}
		},
	},
	{
		name: "terms",
		seed: func(e *Encoder) {
			b := NewTermIndexBuilder()
			for r, term := range []string{"A:1", "A:2", "A:1", "B:1", "A:2", "A:2"} {
				b.Add(term, uint32(r))
			}
			b.Build(NewOntology([]TermParents{{ID: "A:2", Parents: []string{"A:1"}}})).Encode(e)
		},
		use: func(d *Decoder) {
			t := DecodeTermIndex(d)
			if d.Done() == nil {
				for _, term := range t.Terms() {
					_ = t.Exact(term)
					_ = t.Folded(term)
					_ = t.Count(term, true) + t.Count(term, false)
				}
				_ = t.Has("nope")
			}
		},
	},
	{
		name: "values",
		seed: func(e *Encoder) {
			b := NewValueIndexBuilder()
			for r, v := range []string{"22.5", "30.1", "P40Y", "text", "22.5"} {
				b.Add("measures.value", v, uint32(r))
			}
			b.Add("ageOfOnset", "P3Y6M", 1)
			b.Build(5).Encode(e)
		},
		use: func(d *Decoder) {
			x := DecodeValueIndex(d)
			if d.Done() == nil {
				for _, p := range x.Paths() {
					_ = x.Values(p, 10)
					for _, op := range []string{"=", "!", "<", ">", "<=", ">="} {
						for _, v := range []string{"25", "P30Y", "te%", "22.5"} {
							_, _ = x.Match(p, op, v)
						}
					}
				}
			}
		},
	},
	{
		name: "ontology",
		seed: func(e *Encoder) {
			NewOntology([]TermParents{
				{ID: "T:1", Parents: []string{"T:0"}}, {ID: "T:2", Parents: []string{"T:1", "T:0"}}, {ID: "T:0"},
			}).Encode(e)
		},
		use: func(d *Decoder) {
			o := DecodeOntology(d)
			if d.Done() == nil {
				for i := range o.Len() {
					_ = o.Ancestors(o.names[i])
				}
			}
		},
	},
}

func FuzzDecoders(f *testing.F) {
	for k, dk := range decoderKinds {
		var buf bytes.Buffer
		e := NewEncoder(&buf)
		dk.seed(e)
		if _, _, err := e.Flush(); err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(k), buf.Bytes())
		// The seed decodes and is used cleanly: the fuzzer starts from valid files.
		d := NewDecoder(aligned(buf.Bytes()))
		dk.use(d)
		if err := d.Err(); err != nil {
			f.Fatalf("%s: seed does not decode: %v", dk.name, err)
		}
	}
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		dk := decoderKinds[int(kind)%len(decoderKinds)]
		d := NewDecoder(aligned(data))
		dk.use(d) // a panic here fails the fuzzer
	})
}
