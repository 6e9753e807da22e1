#!/usr/bin/env bash
# rb-synth generation speed: images per second for complete SpaceNet images (1300x1300 8-band
# MUL-PanSharpen + RGB-PanSharpen + PAN + MUL + labels), written to disk, on all cores.
# There is no peer tool for this; the figure to beat is the sample pipeline's budget
# (24 images in well under a minute on 2 cores).
# Usage: bench/synth_speed.sh [build dir] [images] [repeats]
set -euo pipefail
cd "$(dirname "$0")/.."
synth="${1:-build}/stages/rb-synth"
images="${2:-24}"
repeats="${3:-3}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "rb-synth: $images Vegas images x $repeats runs, $(nproc) cores"
rates=()
for run in $(seq "$repeats"); do
  rm -rf "$work/out"
  start=$(date +%s.%N)
  "$synth" --city vegas --images "$images" --seed "$run" -q --no-report --out "$work/out"
  end=$(date +%s.%N)
  rate=$(echo "$images / ($end - $start)" | bc -l)
  rates+=("$rate")
  printf "  run %d: %.2f images/s\n" "$run" "$rate"
done
median=$(printf "%s\n" "${rates[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
megapixels=$(echo "$median * 1300 * 1300 * 8 / 1000000" | bc -l)
printf "median: %.2f images/s (%.1f Mpx of 8-band data/s); %d images take %.1f s\n" \
  "$median" "$megapixels" "$images" "$(echo "$images / $median" | bc -l)"
du -sh "$work/out" | awk '{print "output of the last run: " $1}'
