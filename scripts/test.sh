#!/usr/bin/env bash
# The one command that runs every test of arinfer (README.md, .ci/run).
# Needs: Go, qemu-user-static (arm64 tests), llvm (llvm-mc checks the NEON
# WORD encodings), and Debian's python3-torch,
# python3-numpy and python3-pytest for the Python side.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "gofmt"
bad=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$bad" ]; then echo "gofmt would change: $bad"; exit 1; fi

step "go vet (amd64, arm64)"
go vet ./...
GOARCH=arm64 go vet ./...

# The race and qemu runs are many times slower: -short trims the
# generator checks' save points there (the purego run below, on the
# generic tier, has them all).
step "go test -race -short ./... (every kernel tier this CPU has; $(go run ./scripts/tier))"
go test -race -short -count=1 -timeout 25m ./...

step "go test -tags purego ./..."
ARINFER_TEST_TAGS=purego go test -count=1 -tags purego ./...

# Under qemu the engine's tests run on the NEON tier (ARINFER_TEST_TIERS;
# the kernels' tests there still cover every arm64 tier).
step "arm64 under qemu: GOARCH=arm64 go test -short -exec qemu-aarch64-static ./kernels/... ./engine/... (engine: neon tier)"
ARINFER_TEST_TIERS=neon GOARCH=arm64 go test -short -count=1 -timeout 25m -exec qemu-aarch64-static ./kernels/... ./engine/...

if [ -d python/tests ]; then
	step "pytest python/tests"
	/usr/bin/python3 -m pytest -q python/tests
fi
