# bitbeacon — the two set-up commands are `make run` and `make test`.
GO      ?= go
BIN     := bin/bitbeacon
COMPARE := bin/bitbeacon-compare
BENCHBIN := bin/bitbeacon-bench
SHARED  ?= $(abspath ../shared)
LISTEN  ?= 127.0.0.1:5050
export BITBEACON_SHARED := $(SHARED)

.PHONY: all build compare benchbin run test vet pg chromium bcftools ui-screenshots fuzz bench bench-full gobench cineca clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/bitbeacon

# compare: the SQL comparators (DuckDB, PostgreSQL), a binary of their own so that neither
# driver is linked into bitbeacon; `bitbeacon bench` finds it beside itself.
compare:
	$(GO) build -o $(COMPARE) ./bench/cmd/bitbeacon-compare

# benchbin: the benchmark suite, a binary of its own so that its plotting libraries are not
# linked into bitbeacon; `bitbeacon bench` finds it beside itself.
benchbin:
	$(GO) build -o $(BENCHBIN) ./bench/cmd/bitbeacon-bench

## run: serve the built-in demo dataset on $(LISTEN)
run: build
	./$(BIN) serve --demo --listen $(LISTEN)

## test: vet and every test (schemas and data are read from $(SHARED))
test: vet pg chromium bcftools
	$(GO) test -count=1 ./...

## pg: install Debian's PostgreSQL server when absent (the benchmark comparator starts one)
pg:
	@ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || { \
	    echo "installing postgresql (bench/compare starts a throw-away server)"; \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; }

## chromium: install Debian's Chromium when absent (the web page's browser tests drive it)
CHROMIUM ?= /usr/bin/chromium
chromium:
	@test -x $(CHROMIUM) || { \
	    echo "installing chromium (ui/ browser tests drive it headless)"; \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

## bcftools: install Debian's bcftools when absent (the benchmark suite times it reading each VCF beside the ingest)
bcftools:
	@command -v bcftools >/dev/null 2>&1 || { \
	    echo "installing bcftools (bench/suite times it reading the VCF the ingest reads)"; \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y bcftools; }

## ui-screenshots: rerun the page's browser tests, keeping their screenshots in docs/ui/
ui-screenshots: chromium
	BITBEACON_UI_SCREENSHOTS=$(abspath docs/ui) $(GO) test -count=1 -run 'Test' ./ui/

## vet: gofmt, go vet and staticcheck (its default checks, unused code included)
# staticcheck is pinned here and fetched by `go run` from the module proxy, not a `tool` line
# in go.mod: as a tool it would raise golang.org/x/{sys,net,term,text} in the server's own
# module graph for the sake of a linter.
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
vet:
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...
	$(STATICCHECK) ./...

## fuzz: run each request-parsing, index-file-decoding, token-verifying and JSON-string-writing fuzzer for a while (FUZZTIME=30s)
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseGET -fuzztime $(FUZZTIME) ./api/
	$(GO) test -run '^$$' -fuzz FuzzParsePOST -fuzztime $(FUZZTIME) ./api/
	$(GO) test -run '^$$' -fuzz FuzzDecodeBody -fuzztime $(FUZZTIME) ./api/
	$(GO) test -run '^$$' -fuzz FuzzDecoders -fuzztime $(FUZZTIME) ./index/
	$(GO) test -run '^$$' -fuzz FuzzSnapshotDecode -fuzztime $(FUZZTIME) ./engine/
	$(GO) test -run '^$$' -fuzz FuzzVerify -fuzztime $(FUZZTIME) ./auth/
	$(GO) test -run '^$$' -fuzz FuzzAppendJSONString -fuzztime $(FUZZTIME) ./release/

## bench: the benchmark suite, quick configuration (a few minutes); report in bench-report/
bench: build compare benchbin pg bcftools
	./$(BIN) bench --out bench-report

## bench-full: the issue's scales (10^4, 10^6, 10^7 x 2,504 samples, 10^4 x 100,000; hours)
bench-full: build compare benchbin pg bcftools
	./$(BIN) bench --full --out bench-report-full

## gobench: the Go benchmarks of the hot paths
gobench:
	$(GO) test -run '^$$' -bench . -benchmem ./index/ ./bench/

## cineca: ingest the CINECA UK1 cohort into ./rel (then: ./bin/bitbeacon serve --data rel/)
cineca: build
	./$(BIN) ingest --out rel/ --dataset CINECA_synthetic_cohort_EUROPE_UK1 --assembly GRCh37 \
	    $(SHARED)/data/cineca_uk1_ega_ri_api/individuals.json \
	    $(SHARED)/data/cineca_uk1_ega_ri_api/biosamples.json \
	    $(SHARED)/data/cineca_uk1_ega_ri_api/runs.json \
	    $(SHARED)/data/cineca_uk1_ega_ri_api/analyses.json \
	    $(SHARED)/data/cineca_uk1_ega_ri_api/cohorts.json \
	    $(SHARED)/data/cineca_uk1_ega_ri_api/datasets.json \
	    $(SHARED)/data/cineca_uk1_cnag_vcf/cineca_uk1_chr22_5002.genomicVariations.bff.json.gz \
	    $(SHARED)/data/ontologies/phenopacketlab_test_subsets/geno.json \
	    $(SHARED)/data/ontologies/uberon/uberon_efo_slim.obo

clean:
	rm -rf bin rel bench-report bench-report-full
