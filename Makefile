# bitbeacon — the two set-up commands are `make run` and `make test`.
GO      ?= go
BIN     := bin/bitbeacon
SHARED  ?= $(abspath ../shared)
LISTEN  ?= 127.0.0.1:5050
export BITBEACON_SHARED := $(SHARED)

.PHONY: all build run test vet fuzz bench cineca clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/bitbeacon

## run: serve the built-in demo dataset on $(LISTEN)
run: build
	./$(BIN) serve --demo --listen $(LISTEN)

## test: vet and every test (schemas and data are read from $(SHARED))
test: vet
	$(GO) test -count=1 ./...

vet:
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...

## fuzz: run each request-parsing fuzzer for a while (FUZZTIME=30s)
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseGET -fuzztime $(FUZZTIME) ./api/
	$(GO) test -run '^$$' -fuzz FuzzParsePOST -fuzztime $(FUZZTIME) ./api/

## bench: the Go benchmarks of the hot paths
bench:
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
	rm -rf bin rel
