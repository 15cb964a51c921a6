# mailoauth: `make test` is what CI runs.
GO ?= go
FUZZTIME ?= 10s

.PHONY: test lint run steps serve bench bench-ratio load fuzz mutate dist image image-test

# Vet, then every test (scenarios included) under the race detector.
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 10m ./...

# go vet and staticcheck (installed with: go install honnef.co/go/tools/cmd/staticcheck@v0.8.2).
STATICCHECK ?= $(shell command -v staticcheck || echo $$($(GO) env GOPATH)/bin/staticcheck)
lint:
	$(GO) vet ./...
	$(STATICCHECK) ./...

# Run every scenario, print the matrix, write reports/out/.
run:
	$(GO) run ./cmd/mailoauth run

# The step definitions a feature file may use.
steps:
	$(GO) run ./cmd/mailoauth steps

# Start the fake world for an application in any language (docs/serve.md).
serve:
	$(GO) run ./cmd/mailoauth serve --manifest manifest.json

# The benchmarks whose figures docs/benchmarks.md quotes.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# serve against bare references in one run: the token endpoint against a
# plain net/http TLS server, SMTP and IMAP STARTTLS sessions against canned
# servers (3 s a side, three rounds; make test runs it for 0.2 s).
bench-ratio:
	MAILOAUTH_RATIO_SECONDS=3 $(GO) test -count=1 -v -run TestBenchRatio ./serve/ | grep -v '^=== RUN'

# The 10-second load test of `mailoauth serve` (make test runs it for 2 s).
load:
	MAILOAUTH_LOAD_SECONDS=10 $(GO) test -count=1 -v -run TestServeLoad ./cmd/mailoauth/

# A short run of every fuzz target.
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$target"; \
	    $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

# Mutation testing of the Google side, the scenarios as the tests (about
# 15 minutes on 2 cores; not part of make test). See docs/testing.md.
mutate:
	./scripts/mutate

# Static binaries for every platform a pipeline runs on, stamped with
# VERSION and COMMIT, and their SHA256SUMS, into dist/ (docs/ci.md).
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null)
PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
dist:
	rm -rf dist && mkdir -p dist
	@for p in $(PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; ext=; [ "$$os" = windows ] && ext=.exe; \
	  echo "== dist/mailoauth-$$os-$$arch$$ext"; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)" \
	    -o dist/mailoauth-$$os-$$arch$$ext ./cmd/mailoauth || exit 1; \
	done
	cd dist && sha256sum mailoauth-* > SHA256SUMS

# The container image (Containerfile, FROM scratch) for this machine's
# architecture, built with podman, buildah or docker, whichever works, and
# written to dist/mailoauth.oci.tar (OCI archive; IMAGE names it).
IMAGE ?= localhost/mailoauth:$(VERSION)
image:
	IMAGE=$(IMAGE) VERSION=$(VERSION) COMMIT=$(COMMIT) GO=$(GO) ./scripts/image build

# Build the image, run it, and drive it from outside with a Python
# standard-library client (scripts/image-test.py).
image-test:
	IMAGE=$(IMAGE) VERSION=$(VERSION) COMMIT=$(COMMIT) GO=$(GO) ./scripts/image test
