#!/usr/bin/env bash
# make-speech-corpus.sh: a small, deterministic multi-voice speech corpus for
# the WaveNet (issue 13), spoken by Debian's espeak-ng.
#
# Usage: scripts/make-speech-corpus.sh [OUTDIR]        (default data/speech)
#
# Four espeak-ng voices speak the same sentences; each clip is resampled by
# sox to 16 kHz mono 16-bit PCM WAV (espeak-ng speaks at 22050 Hz) with the
# leading and trailing silence trimmed. The sentences are composed from the
# word lists below with a fixed-seed generator (no outside text, nothing
# random at run time), and are split by sentence, 80/10/10, so the valid and
# test sentences are never heard in training:
#
#   OUTDIR/{train,valid,test}/<voice>/NNNN.wav   (NNNN = sentence number)
#   OUTDIR/sentences.tsv   sentence number, split, text
#   OUTDIR/manifest.tsv    split, voice index, voice name, path (relative
#                          to OUTDIR), samples; one header line
#
# The same espeak-ng and sox give the same bytes on every run. The corpus
# holds about 18 minutes of training audio (2.3 minutes each for valid and
# test). Needs espeak-ng and sox (installed with apt-get if missing and we are
# root).
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-data/speech}
rate=16000
nsent=150

# The voices, by espeak-ng -v argument. "en" is espeak-ng's British English
# (gmw/en); it is named "en" and not "en-gb" because espeak-ng 1.51 silently
# ignores a +variant after "en-gb".
voices=(en-us+m3 en-us+f3 en+m1 en+f2)

need=()
command -v espeak-ng >/dev/null || need+=(espeak-ng)
command -v sox >/dev/null || need+=(sox)
if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "make-speech-corpus: need ${need[*]} (apt-get install ${need[*]})" >&2
		exit 1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >&2
fi

# ---- sentences -------------------------------------------------------------

adjs=(small bright quiet heavy yellow sudden gentle narrow frozen golden
	honest patient wooden hollow silver ancient curious clever tired busy
	empty careful distant purple simple rapid brave calm dusty green)
nouns=(river garden lantern engine window kitten ladder pocket island hammer
	teacher farmer sailor baker doctor painter pilot singer captain miner
	bottle basket candle blanket bridge castle forest mountain wagon kettle)
plurals=(apples letters stones birds coins shoes clocks rabbits boxes flowers
	pencils horses oranges papers buttons rings plates chairs buckets ropes)
past=(carried found painted dropped opened followed noticed pulled watched
	cleaned fixed counted lifted pushed wrapped chased visited borrowed)
base=(carry find paint open follow notice pull watch clean fix count lift
	push wrap chase visit borrow bring)
places=("near the road" "under the table" "by the window" "at the market"
	"across the field" "behind the barn" "in the kitchen" "on the hill"
	"beside the river" "inside the tent" "along the shore" "past the gate")
times=("before dinner" "after the rain" "every morning" "on Tuesday"
	"at midnight" "in the spring" "last winter" "before sunrise"
	"by noon" "this evening" "next week" "during the storm")
advs=(slowly quickly quietly carefully happily easily gladly neatly boldly
	softly)
names=(Anna Peter Maria Thomas Helen George Laura Daniel Ruth Oscar Clara
	Victor)
numbers=(two three four five six seven eight nine ten eleven twelve twenty)

# A fixed-seed linear congruential generator in shell arithmetic: the same
# sentences on every machine.
seed=20240613
rnd() { # rnd N: sets r to a number in 0..N-1
	seed=$(((seed * 1103515245 + 12345) % 2147483648))
	r=$(((seed >> 8) % $1))
}
pick() { # pick ARRAYNAME: sets w to a random element
	local -n a=$1
	rnd ${#a[@]}
	w=${a[r]}
}

sentence() { # sets s to a new sentence
	local a b c d e
	rnd 8
	case $r in
	0) pick adjs; a=$w; pick nouns; b=$w; pick past; c=$w; pick nouns; d=$w; pick places; e=$w
		s="The $a $b $c the $d $e." ;;
	1) pick nouns; a=$w; pick base; b=$w; pick plurals; c=$w; pick advs; d=$w
		s="A $a can $b the $c $d." ;;
	2) pick base; a=$w; pick adjs; b=$w; pick nouns; c=$w; pick times; d=$w
		s="Please ${a} the $b $c $d." ;;
	3) pick names; a=$w; pick nouns; b=$w; pick adjs; c=$w; pick times; d=$w
		s="$a said the $b was $c $d." ;;
	4) pick nouns; a=$w; pick base; b=$w; pick plurals; c=$w; pick times; d=$w
		s="Why did the $a $b the $c $d?" ;;
	5) pick numbers; a=$w; pick adjs; b=$w; pick plurals; c=$w; pick places; d=$w
		s="There are $a $b $c $d." ;;
	6) pick names; a=$w; pick names; b=$w; pick past; c=$w; pick plurals; d=$w; pick places; e=$w
		[ "$a" = "$b" ] && b=everyone
		s="$a and $b $c the $d $e." ;;
	*) pick names; a=$w; pick advs; b=$w; pick past; c=$w; pick adjs; d=$w; pick nouns; e=$w
		s="$a $b $c the $d $e." ;;
	esac
}

declare -A seen=()
sents=()
while [ ${#sents[@]} -lt $nsent ]; do
	sentence
	[ -n "${seen[$s]:-}" ] && continue
	seen[$s]=1
	sents+=("$s")
done

split_of() { # split_of I: train, valid or test for sentence I
	case $(($1 % 10)) in
	8) echo valid ;;
	9) echo test ;;
	*) echo train ;;
	esac
}

# ---- audio -----------------------------------------------------------------

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

rm -rf "$out"
mkdir -p "$out"
for sp in train valid test; do
	for v in "${voices[@]}"; do mkdir -p "$out/$sp/$v"; done
done

{
	printf 'sentence\tsplit\ttext\n'
	for i in "${!sents[@]}"; do
		printf '%04d\t%s\t%s\n' "$i" "$(split_of "$i")" "${sents[i]}"
	done
} >"$out/sentences.tsv"

# espeak-ng must really use each voice: a misspelt variant falls back to the
# plain voice without a word, so the voices must all sound different.
declare -A sig=()
for v in "${voices[@]}"; do
	espeak-ng -v "$v" -w "$tmp/probe.wav" "${sents[0]}"
	h=$(cksum <"$tmp/probe.wav")
	if [ -n "${sig[$h]:-}" ]; then
		echo "make-speech-corpus: voices ${sig[$h]} and $v sound the same (variant ignored?)" >&2
		exit 1
	fi
	sig[$h]=$v
done

manifest="$out/manifest.tsv"
printf 'split\tvoice\tvoice_name\tpath\tsamples\n' >"$manifest"
echo "make-speech-corpus: ${#voices[@]} voices x $nsent sentences -> $out" >&2
for vi in "${!voices[@]}"; do
	v=${voices[vi]}
	for i in "${!sents[@]}"; do
		sp=$(split_of "$i")
		rel=$(printf '%s/%s/%04d.wav' "$sp" "$v" "$i")
		espeak-ng -v "$v" -w "$tmp/raw.wav" "${sents[i]}"
		# -D: no dither (dither is noise: the bytes would depend on it);
		# silence: trim from the start, reverse, trim again, reverse back.
		sox -V1 -D "$tmp/raw.wav" -r $rate -c 1 -b 16 -e signed-integer "$out/$rel" \
			silence 1 0.01 0.1% reverse silence 1 0.01 0.1% reverse
		n=$(soxi -s "$out/$rel")
		if [ "$n" -lt $((rate / 10)) ]; then
			echo "make-speech-corpus: $rel has only $n samples" >&2
			exit 1
		fi
		printf '%s\t%d\t%s\t%s\t%d\n' "$sp" "$vi" "$v" "$rel" "$n" >>"$manifest"
	done
	echo "  $v done" >&2
done

# ---- summary ---------------------------------------------------------------

awk -F'\t' -v rate=$rate '
NR == 1 { next }
{
	m[$1 "\t" $3] += $5; t[$1] += $5; c[$1 "\t" $3]++
	if (!($3 in vs)) { vs[$3] = 1; vo[++nv] = $3 }
}
END {
	split("train valid test", sp, " ")
	printf "%-6s", "split"
	for (j = 1; j <= nv; j++) printf "  %10s", vo[j]
	printf "  %10s\n", "total"
	for (k = 1; k <= 3; k++) {
		printf "%-6s", sp[k]
		for (j = 1; j <= nv; j++) printf "  %7.2f min", m[sp[k] "\t" vo[j]] / rate / 60
		printf "  %7.2f min  (%d clips per voice)\n", t[sp[k]] / rate / 60, c[sp[k] "\t" vo[1]]
	}
}' "$manifest"
echo "checksum of every clip: $(cd "$out" && find . -name '*.wav' | LC_ALL=C sort | xargs cat | cksum)"
