#!/usr/bin/env bash
# Resident memory and wall time of one `arinfer sample` per shipped model
# (issue 15): file size, the process's maximum resident set (GNU time) and
# its wall time for opening the model and drawing one sample (an image
# model writes a PNG of one sample; an audio model 10 ms of audio). The
# wall time includes starting the process and writing the output; the
# median of 5 runs is printed.
#
#   scripts/benchload.sh [models/*.arw]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/arinfer" ./cmd/arinfer
models=("$@")
if [ ${#models[@]} -eq 0 ]; then models=(models/*.arw); fi
echo "CPU: $(go run ./scripts/tier)"
echo
echo "| model | file | max resident | target (2x file + 32 MB) | open + 1 sample, wall (median of 5) |"
echo "|---|---|---|---|---|"
# The floor: a process that starts and prints its usage.
base=()
for _ in 1 2 3 4 5; do
	out=$( { /usr/bin/time -f '%M %e' "$bin/arinfer" --help >/dev/null; } 2>&1 | tail -1)
	base+=("${out#* }")
done
b=$(printf '%s\n' "${base[@]}" | sort -n | sed -n 3p)
awk -v w="$b" 'BEGIN { printf "| (arinfer --help, no model) | | | | %.0f ms |\n", w*1000 }'
for m in "${models[@]}"; do
	args=(sample --model "$m" -n 1 -o "$bin/s.png")
	if "$bin/arinfer" info --model "$m" | grep -q '^audio:'; then
		args=(sample --model "$m" --seconds 0.01 -o "$bin/s.wav")
	fi
	rss=() wall=()
	for _ in 1 2 3 4 5; do
		out=$( { /usr/bin/time -f '%M %e' "$bin/arinfer" "${args[@]}" >/dev/null; } 2>&1 | tail -1)
		rss+=("${out% *}") wall+=("${out#* }")
	done
	size=$(stat -c %s "$m")
	med() { printf '%s\n' "$@" | sort -n | sed -n 3p; }
	r=$(med "${rss[@]}") w=$(med "${wall[@]}")
	awk -v m="$m" -v s="$size" -v r="$r" -v w="$w" 'BEGIN {
		printf "| %s | %.1f MB | %.1f MB | %.1f MB | %.0f ms |\n", m, s/1e6, r*1024/1e6, 2*s/1e6+32*1.048576, w*1000 }'
done
