# locklab's developer commands. `make test` is the test command: the README
# names it and .ci/run runs it on a clean clone.
#
#	make test                 lint, then go test -race over every package
#	make bench                the benchmarks (BENCHFLAGS='-benchmem -count=6' for benchstat)
#	make run ARGS='list'      build locklab and run it with ARGS
#	make golden               rewrite golden files (packages with an -update flag)
#	make fixtures             regenerate the race detector reports in detector/testdata/race
#	make pictures             regenerate the README's pictures in docs/pictures from the real binary

GO         ?= go
TIMEOUT    ?= 5m
BENCH      ?= .
BENCHFLAGS ?= -benchmem
ARGS       ?= run philosophers --buggy

# The Go files gofmt checks: everything but testdata, which may hold inputs
# that are meant to look the way they look.
FINDGO = find . -name '*.go' -not -path './.git/*' -not -path './bin/*' -not -path '*/testdata/*' -print0

.PHONY: all build test lint vet fmt-check fmt bench cover golden fixtures pictures run tidy-lint clean

all: build test

build:
	$(GO) build ./...

# test runs lint first: CI runs `make test` and nothing else, so a vet or
# gofmt problem fails CI the way a failing test does. Racy variants run in
# -race child processes and assert the report, so this stays green.
test: lint
	$(GO) test -race -timeout $(TIMEOUT) ./...

lint: vet fmt-check

vet:
	$(GO) vet ./...

fmt-check:
	@out="$$($(FINDGO) | xargs -0 -r gofmt -l)"; \
	if [ -n "$$out" ]; then echo "gofmt -l: these files need gofmt -w:"; echo "$$out"; exit 1; fi

fmt:
	$(FINDGO) | xargs -0 -r gofmt -w

# Compare runs with benchstat (go install golang.org/x/perf/cmd/benchstat@latest):
#	make bench BENCHFLAGS='-benchmem -count=6' | tee bench.txt && benchstat -col /impl bench.txt
bench:
	$(GO) test -run='^$$' -bench='$(BENCH)' $(BENCHFLAGS) ./...

cover:
	$(GO) test -race -timeout $(TIMEOUT) -coverprofile=cover.out -coverpkg=./... ./...
	$(GO) tool cover -func=cover.out | tail -n 1
	$(GO) tool cover -html=cover.out -o cover.html

# golden passes -update only to packages whose tests define that flag (any
# other package would fail with "flag provided but not defined").
UPDATE_FLAG := flag[.]Bool(Var)?[(].*"update"
GOLDEN_PKGS = $(sort $(dir $(shell grep -rlE --include='*_test.go' --exclude-dir=testdata --exclude-dir=.git '$(UPDATE_FLAG)' .)))

golden:
	@if [ -z "$(strip $(GOLDEN_PKGS))" ]; then \
		echo "golden: no package defines an -update flag; nothing to do"; \
	else \
		echo "$(GO) test $(GOLDEN_PKGS) -update"; \
		$(GO) test $(GOLDEN_PKGS) -update; \
	fi

# fixtures regenerates the race detector's reports that detector's tests
# parse (real runs of -race builds: needs cgo and a C compiler); follow it
# with `make golden` to rewrite their parsed forms.
fixtures:
	$(MAKE) -C detector/testdata/race GO=$(GO)

# pictures makes the README's pictures from the real binary: two text
# views (the Elapsed line, which depends on the machine, dropped), the
# HTML report and a Chrome trace of the five-philosopher ring, and a
# screenshot of the report in headless Chromium, when there is one.
# internal/cli's TestREADMEPictures checks the text and HTML against the
# code and the README. locklab exits 1 on a buggy variant: that is fine.
PICTURES = docs/pictures
RING     = explore philosophers --buggy --workers 5 --ops 1
CHROMIUM = $(shell command -v chromium || command -v chromium-browser || command -v google-chrome)

pictures:
	@mkdir -p bin $(PICTURES)
	$(GO) build -o bin/locklab ./cmd/locklab
	COLUMNS=100 ./bin/locklab explore counter --variant cooperative-await > $(PICTURES)/lost-update.raw; [ $$? -eq 1 ]
	COLUMNS=130 ./bin/locklab $(RING) > $(PICTURES)/philosophers-ring.raw; [ $$? -eq 1 ]
	for f in lost-update philosophers-ring; do sed '/^Elapsed /d' $(PICTURES)/$$f.raw > $(PICTURES)/$$f.txt && rm $(PICTURES)/$$f.raw; done
	./bin/locklab $(RING) --html $(PICTURES)/philosophers.html --trace $(PICTURES)/philosophers.trace.json > /dev/null; [ $$? -eq 1 ]
	@if [ -n "$(CHROMIUM)" ]; then \
		echo "$(CHROMIUM) --headless --screenshot=$(PICTURES)/philosophers.png $(PICTURES)/philosophers.html"; \
		"$(CHROMIUM)" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1440,1000 \
			--screenshot="$(CURDIR)/$(PICTURES)/philosophers.png" "file://$(CURDIR)/$(PICTURES)/philosophers.html" 2>/dev/null; \
	else echo "pictures: no chromium (apt-get install chromium): philosophers.png not made"; fi

# run builds first so that a build failure fails make, then runs locklab.
# Exit 1 means "locklab found a problem", which is what the default ARGS
# (a buggy variant) are there to show, so it does not fail make; exit 2
# (bad usage) or anything else does.
run:
	@mkdir -p bin
	$(GO) build -o bin/locklab ./cmd/locklab
	@status=0; ./bin/locklab $(ARGS) || status=$$?; \
	if [ $$status -eq 1 ]; then echo "(locklab exited 1: it found a problem, as a buggy variant should)"; fi; \
	[ $$status -le 1 ]

tidy-lint:
	$(GO) mod tidy
	git diff --exit-code -- go.mod go.sum

clean:
	rm -rf bin cover.out cover.html
