#!/usr/bin/env bash
# Road IoU of tiramisu_tiny trained on CPU on an rb-synth Vegas AOI, 8-band against R/NIR input
# (the seed's comparison): 40 synthetic images split 70/15/15 by image, tiles of 256 px, the
# same solver (configs/solvers/tiramisu_tiny.json, 1200 iterations of batch 4) and seed for
# both; test images (never seen in training or validation) inferred whole and scored with
# rb-eval. Training is iteration-bound and deterministic, so the figures do not depend on the
# machine's load; the wall time of each training run is printed.
# Usage: bench/train_vegas.sh [build dir] [work dir]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build="$root/${1:-build}"
work="${2:-$(mktemp -d)}"
mkdir -p "$work"
bin="$build/stages"
cd "$work"

if [ ! -d synth ]; then
  "$bin/rb-synth" --city vegas --images 40 --seed 11 -q --no-report --out synth
fi
aoi=synth/AOI_2_Vegas_Roads_Train
prepare() {  # name bands clip
  local name=$1 bands=$2 clip=$3
  [ -f "tiles_$name/manifest.json" ] && return
  "$bin/rb-prep" stats -q --no-report --images $aoi --product ms --bands "$bands" \
    --out "stats_$name.json"
  mkdir -p "prep_$name" masks
  for f in $aoi/MUL-PanSharpen/*.tif; do
    id=$(basename "$f" .tif | sed 's/MUL-PanSharpen_//')
    "$bin/rb-prep" image -q --no-report --input "$f" --bands "$bands" --clip "$clip" \
      --stats "stats_$name.json" --out "prep_$name/$id.tif"
    [ -f "masks/$id.tif" ] || "$bin/rb-mask" -q --no-report \
      --labels "$aoi/geojson/spacenetroads/spacenetroads_$id.geojson" \
      --reference "prep_$name/$id.tif" --out "masks/$id.tif"
  done
  "$bin/rb-prep" tiles -q --no-report --images "prep_$name" --masks masks --tile-size 256 \
    --overlap 0 --edge shift --split 70,15,15 --seed 1 --out "tiles_$name"
}
prepare ms8 ms8 2,98
prepare rnir rnir 2,90

run() {  # name model
  local name=$1 model=$2
  local start
  start=$(date +%s)
  "$bin/rb-train" --model "$root/configs/models/$model.json" \
    --solver "$root/configs/solvers/tiramisu_tiny.json" --train "tiles_$name/train/manifest.json" \
    --val "tiles_$name/val/manifest.json" --out "run_$name" -q
  echo "$name: trained in $(( $(date +%s) - start )) s"
  "$bin/rb-infer" -q --weights "run_$name/best.safetensors" \
    --images "tiles_$name/manifest.json" --split test --out "pred_$name"
  "$bin/rb-eval" -q --predictions "pred_$name" --labels masks --out "eval_$name.json"
}
run ms8 tiramisu_tiny
run rnir tiramisu_tiny_rnir

/usr/bin/python3 - <<'EOF'
import json
print(f"{'bands':6} {'road IoU':>9} {'mean IoU':>9} {'road F1':>8}   (test images, dataset level)")
for name in ("ms8", "rnir"):
    d = json.load(open(f"eval_{name}.json"))["dataset"]
    print(f"{name:6} {d['iou']['road']:9.4f} {d['mean_iou']:9.4f} {d['f1']:8.4f}")
EOF
