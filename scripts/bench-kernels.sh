#!/usr/bin/env bash
# Kernel benchmarks against single-threaded OpenBLAS and the FMA peak, in
# one run; prints the markdown tables of BENCHMARKS.md ("## Kernels").
#
#   scripts/bench-kernels.sh                 # ROUNDS=5 BENCHTIME=0.3s
#   ROUNDS=10 BENCHTIME=1s scripts/bench-kernels.sh
#   OUT=/tmp/kb scripts/bench-kernels.sh      # keep the raw outputs there
#   REV=HEAD scripts/bench-kernels.sh         # benchmark a commit, not the work tree
#   GOBENCH=MaskedGemm ACTS=0 scripts/bench-kernels.sh   # only the masked GEMMs
#
# With REV set, the commit is exported (git archive) to a temporary
# directory and benchmarked there, so uncommitted edits in the work tree
# neither break nor colour the run.
#
# Needs Go and Debian's /usr/bin/python3 with numpy (linked to the system
# OpenBLAS). OPENBLAS_CORETYPE is set here, for the OpenBLAS runs only.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-5}
BLAS_REPEATS=${BLAS_REPEATS:-5}
BENCHTIME=${BENCHTIME:-0.3s}
OUT=${OUT:-$(mktemp -d -t arinfer-bench.XXXXXX)}
PY=/usr/bin/python3
# OpenBLAS core types to compare with: the x86 ones matching the avx2 and
# avx512 tiers (elsewhere only OpenBLAS as it detects the CPU is run).
CORES=${CORES:-$([ "$(uname -m)" = x86_64 ] && echo "Haswell SkylakeX")}
SCRIPTS="$PWD/scripts" # the Python helpers always come from this checkout
mkdir -p "$OUT"

if [ -n "${REV:-}" ]; then
	commit="$(git rev-parse --short "$REV") (exported with git archive)"
	src="$OUT/src"
	rm -rf "$src" && mkdir -p "$src"
	git archive "$REV" | tar -x -C "$src"
	cd "$src"
else
	commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- kernels internal || echo ' + uncommitted changes in kernels/ or internal/')"
fi

echo "# date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "# commit: $commit"
lsf() { lscpu | sed -n "s/^$1: *//p"; }
hv=$(lsf 'Hypervisor vendor')
echo "# cpu: $(lsf 'Model name') (family $(lsf 'CPU family') model $(lsf 'Model') stepping $(lsf 'Stepping'); $(nproc) cores online; L1d $(lsf 'L1d cache'), L2 $(lsf 'L2 cache'), L3 $(lsf 'L3 cache')${hv:+; hypervisor $hv})"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# go: $(go version)"
echo "# active tier: $(go run ./scripts/tier)${ARINFER_KERNELS:+ (ARINFER_KERNELS=$ARINFER_KERNELS)}"
echo "# raw outputs: $OUT"

echo "# single-core FMA peak (go run ./internal/fmapeak/cmd):"
go run ./internal/fmapeak/cmd | tee "$OUT/peak.txt" | sed 's/^/#   /'

gocmd=(go test -run '^$' -bench "${GOBENCH:-Gemm|Gemv}" -benchtime "$BENCHTIME" -count 1 -timeout 60m ./kernels/)
actcmd=(go test -run '^$' -bench 'Activations/.*/.*/784$|Cells' -benchtime "$BENCHTIME" -count 1 -timeout 60m ./kernels/)
echo "# OpenBLAS core type detected by default (no OPENBLAS_CORETYPE): $(env -u OPENBLAS_CORETYPE OPENBLAS_NUM_THREADS=1 "$PY" "$SCRIPTS/bench_blas.py" --info | sed -n 's/^# openblas corename: //p')"
# The machine is shared, so arinfer and OpenBLAS are measured in
# alternation, ROUNDS times, and every figure is the median over the rounds:
# a burst of load from elsewhere then hits both sides alike.
echo "# $ROUNDS rounds of:"
echo "#   ${gocmd[*]}"
if [ "${ACTS:-1}" != 0 ]; then echo "#   ${actcmd[*]}"; fi
for core in $CORES; do
	echo "#   OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=$core $PY scripts/bench_blas.py --repeats $BLAS_REPEATS"
done
echo "#   OPENBLAS_NUM_THREADS=1 $PY scripts/bench_blas.py --repeats $BLAS_REPEATS   (core type as OpenBLAS detects it)"
: > "$OUT/go-all.txt"
blasargs=()
for r in $(seq 1 "$ROUNDS"); do
	"${gocmd[@]}" >> "$OUT/go-all.txt"
	if [ "${ACTS:-1}" != 0 ]; then "${actcmd[@]}" >> "$OUT/go-all.txt"; fi
	for core in $CORES; do
		f="$OUT/blas-$core-$r.txt"
		OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=$core "$PY" "$SCRIPTS/bench_blas.py" --repeats "$BLAS_REPEATS" > "$f"
		blasargs+=(--blas "$core=$f")
		if [ "$r" = 1 ]; then
			grep '^# \(openblas config\|openblas corename\|openblas threads\|numpy matmul\)' "$f" | sed 's/^# /#   /'
		fi
	done
	f="$OUT/blas-default-$r.txt"
	env -u OPENBLAS_CORETYPE OPENBLAS_NUM_THREADS=1 "$PY" "$SCRIPTS/bench_blas.py" --repeats "$BLAS_REPEATS" > "$f"
	blasargs+=(--blas "default=$f")
	echo "# round $r/$ROUNDS done, load average $(cut -d' ' -f1-3 /proc/loadavg)"
done

echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
"$PY" "$SCRIPTS/bench_table.py" --go "$OUT/go-all.txt" --peak "$OUT/peak.txt" "${blasargs[@]}"
