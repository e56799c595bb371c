# stockmesh — the two commands a newcomer needs are `make run` and `make test`.
# Both install what is missing on a Debian machine with Go (apt packages with
# sudo when not root, the playground's npm packages, Go modules).

SHELL := /bin/bash
GO    ?= go
BIN   := bin
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)

# Debian packages: to build (libzmq for pebbe/zmq4, npm for the playground)
# and to test (Chromium for the playground, Pyro4 for the Python clients,
# tmux for the console menu).
BUILD_PKGS := libzmq3-dev pkg-config
NPM_PKGS   := npm
TEST_PKGS  := chromium tmux python3-pyro4

WEB    := server/playground/web
ASSETS := server/playground/assets/graphiql.min.js
# The dashboard's bundle: esbuild (from npm) builds web/src into assets/.
DASH_WEB    := server/dashboard/web
DASH_ASSETS := server/dashboard/assets/dashboard.js
DASH_SRC    := $(wildcard $(DASH_WEB)/src/*) $(DASH_WEB)/build.mjs
# puppeteer-core (no browser download) drives Debian's Chromium in the playground test.
BROWSER_DEPS := e2e/browser/node_modules/.package-lock.json

.PHONY: all build run demo test bench deps test-deps assets generate check-generated vet clean

all: build

## deps: install the build's system packages when missing, and the Go modules.
deps:
	@scripts/apt-ensure.sh $(BUILD_PKGS)
	@command -v npm >/dev/null || scripts/apt-ensure.sh $(NPM_PKGS)
	@$(GO) mod download

test-deps: deps
	@scripts/apt-ensure.sh $(TEST_PKGS)

## assets: the playground's GraphiQL and React builds, and the dashboard's
##         bundle, from the npm registry.
assets: $(ASSETS) $(DASH_ASSETS)
$(ASSETS): $(WEB)/package.json $(WEB)/package-lock.json
	npm ci --prefix $(WEB) --no-audit --no-fund --loglevel=error
	$(GO) run ./server/playground/internal/copyassets
	@touch $@

$(DASH_WEB)/node_modules/.package-lock.json: $(DASH_WEB)/package.json $(DASH_WEB)/package-lock.json
	npm ci --prefix $(DASH_WEB) --no-audit --no-fund --loglevel=error

$(DASH_ASSETS): $(DASH_WEB)/node_modules/.package-lock.json $(DASH_SRC)
	npm run --prefix $(DASH_WEB) --silent build

$(BROWSER_DEPS): e2e/browser/package.json e2e/browser/package-lock.json
	npm ci --prefix e2e/browser --no-audit --no-fund --loglevel=error

## build: bin/stockmeshd (the node) and bin/stockmesh (the static console client).
build: deps assets
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN)/stockmeshd ./server
	CGO_ENABLED=0 $(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN)/stockmesh ./client

## run: build and start one node with its data in ./data, listening on every interface, port 8443
##      (STOCKMESH_LISTEN=127.0.0.1:8443 to keep it local); the banner appears once the node is ready.
run: build
	@scripts/run-node.sh $(BIN)/stockmeshd ./data

## demo: build and start three warehouses joined into one network (data in ./demo).
demo: build
	@scripts/demo.sh $(BIN)/stockmeshd $(BIN)/stockmesh

## test: vet, check generated code is current, and run every test under -race,
##       printing a line as each package, and each test slower than 5 s, finishes
##       (internal/testprogress; failures are shown whole, and the exit status is go test's).
test: test-deps assets $(BROWSER_DEPS) check-generated vet
	@$(GO) build -o $(BIN)/testprogress ./internal/testprogress
	set -o pipefail; $(GO) test -json -race -count=1 -timeout 45m ./... | $(BIN)/testprogress

vet:
	$(GO) vet ./...

## generate: regenerate the ent and gqlgen code.
generate:
	$(GO) generate ./...

## check-generated: fail when go generate would change the committed code.
check-generated: deps
	@scripts/check-generated.sh

## bench: load a running node and compare with direct SQLite and a bare HTTPS handler
##        (the dashboard part drives Chromium through puppeteer-core, as the browser tests do).
bench: build test-deps $(BROWSER_DEPS)
	$(GO) run ./bench $(BENCHFLAGS)

clean:
	rm -rf $(BIN) demo $(WEB)/node_modules $(DASH_WEB)/node_modules e2e/browser/node_modules
