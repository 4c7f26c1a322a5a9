#!/usr/bin/env bash
# RNN benchmark: arinfer vs the PyTorch step loop on the same lstm/gru .arw
# model, threads and images, in one run; prints the markdown of
# BENCHMARKS.md ("## RNN").
#
#   scripts/bench-rnn.sh                       # models/mnist-lstm.arw, 1 thread
#   MODEL=/tmp/m.arw THREADS=2 scripts/bench-rnn.sh
#
# Scoring: log p(x) of N binarized MNIST test images per call (PyTorch:
# model.log_prob under no_grad, one nn.LSTM call over the sequence).
# Sampling: whole 784-step samples; PyTorch's is the usual step loop (one
# nn.LSTM/GRU call per step with the carried state, Linear, draw, feed back).
# OPENBLAS_CORETYPE is set for the PyTorch run only and printed with it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
MODEL=${MODEL:-models/mnist-lstm.arw}
THREADS=${THREADS:-1}
N=${N:-500}
REPS=${REPS:-5}
CORE=${OPENBLAS_CORE:-SkylakeX}
OUT=$(mktemp -d -t arinfer-rnn.XXXXXX)

if [ ! -f "$MODEL" ]; then
	echo "# $MODEL missing: benchmarking a random-weight LSTM (H=64, E=16) instead" >&2
	MODEL=$OUT/random-lstm.arw
	$PY scripts/bench_rnn.py --make-random "$MODEL" --hidden 64 --embed 16 >/dev/null
fi

lsf() { lscpu | sed -n "s/^$1: *//p"; }
gocmd=(go run ./scripts/benchrnn -model "$MODEL" -threads "$THREADS" -n "$N" -reps "$REPS" -samples 20)
pycmd=(env OPENBLAS_CORETYPE=$CORE OPENBLAS_NUM_THREADS=$THREADS $PY scripts/bench_rnn.py "$MODEL" --threads "$THREADS" --n "$N" --reps "$REPS" --samples 5)
"${gocmd[@]}" > "$OUT/go.txt"
"${pycmd[@]}" > "$OUT/py.txt"

get() { sed -n "s/^$2 //p" "$OUT/$1.txt"; }
ratio() { $PY -c "print('%.1fx' % ($1 / $2))"; }

echo "Date $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- engine kernels || echo ' (+ uncommitted changes)'),"
echo "CPU $(lsf 'Model name') ($(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg) at the end),"
echo "active tier: \`$(go run ./scripts/tier)\`, model \`$(get go model)\`."
echo
echo "\`\`\`"
echo "${gocmd[*]}"
echo "${pycmd[*]}"
echo "# $(get py torch | sed 's/^/torch /')"
echo "\`\`\`"
echo
echo "Wall-clock figures are medians of $REPS repetitions; on a shared machine the CPU-time"
echo "figures (process user+system time, both runs single-threaded) are the steadier comparison."
echo
echo "| measurement ($THREADS thread(s)) | arinfer | PyTorch | ratio |"
echo "|---|---:|---:|---:|"
gs=$(get go score_images_per_s); ps=$(get py score_images_per_s)
echo "| scoring, $N test images per call (images/s, wall) | $gs | $ps | $(ratio "$gs" "$ps") |"
gs=$(get go score_images_per_cpu_s); ps=$(get py score_images_per_cpu_s)
echo "| scoring (images per CPU-second) | $gs | $ps | $(ratio "$gs" "$ps") |"
for B in 1 16; do
	g=$(get go sample_b${B}_ms_per_sample); p=$(get py sample_b${B}_ms_per_sample)
	echo "| sampling at batch $B (ms per 784-step sample, wall) | $g | $p | $(ratio "$p" "$g") faster |"
	g=$(get go sample_b${B}_cpu_ms_per_sample); p=$(get py sample_b${B}_cpu_ms_per_sample)
	echo "| sampling at batch $B (CPU-ms per sample) | $g | $p | $(ratio "$p" "$g") faster |"
	g=$(get go sample_b${B}_us_per_step); p=$(get py sample_b${B}_us_per_step)
	echo "| sampling at batch $B (µs per step of the batch, wall) | $g | $p | |"
done
echo "| allocations per step, sampling at batch 1 / 16 | $(get go sample_b1_allocs_per_step) / $(get go sample_b16_allocs_per_step) | | |"
echo "| NLL of the first $N test images (nats; the two must agree) | $(get go score_nll_first$N) | $(get py score_nll_first$N) | |"
