#!/usr/bin/env bash
# Regenerates the committed rb-synth samples under data-samples/:
#   previews/<city>.png  one preview per city (true colour | NIR false colour)
#   synth/               a one-image Vegas AOI (PAN, MUL, labels, summaryData, truth); the
#                        pan-sharpened products are left out for size and regenerate
#                        byte-identically with the command in data-samples/synth/README.md.
# Usage: scripts/make-synth-samples.sh [build dir]   (after `make -f Makefile.pipeline build`)
set -euo pipefail
cd "$(dirname "$0")/.."
synth="${1:-build}/stages/rb-synth"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p data-samples/previews
for city in vegas paris shanghai khartoum; do
  "$synth" --city "$city" --images 4 --seed 7 --preview --preview-size 320 -q --no-report \
    --out "$work/$city"
  # The preview of the image with the most summaryData rows (some real tiles have no roads).
  csv=$(ls "$work/$city"/AOI_*/summaryData/*.csv)
  best=$(tail -n +2 "$csv" | cut -d, -f1 | sort | uniq -c | sort -rn | head -1 | awk '{print $2}')
  cp "$work/$city"/previews/*/"$best.png" "data-samples/previews/$city.png"
done

rm -rf data-samples/synth/AOI_2_Vegas_Roads_Train data-samples/synth/truth
"$synth" --city vegas --images 1 --seed 1 --emit-truth -q --no-report --out "$work/sample"
mkdir -p data-samples/synth
cp -r "$work/sample/AOI_2_Vegas_Roads_Train" "$work/sample/truth" data-samples/synth/
rm -rf data-samples/synth/AOI_2_Vegas_Roads_Train/{MUL-PanSharpen,RGB-PanSharpen}
du -sh data-samples/previews data-samples/synth
