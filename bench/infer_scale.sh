#!/usr/bin/env bash
# rb-infer on a 1300x1300 8-band scene (whole, and in windows) and on a 5000x5000 one (windows):
# wall time, megapixels/s and peak resident memory, which grows with the window and the scene's
# width but not with its height (a 1300x5000 scene costs what a 1300x1300 one does); and
# the georeference of every output against its input's.
# Usage: bench/infer_scale.sh [build dir] [weights]   (default weights: tiramisu_tiny after 2
# iterations: speed and memory do not depend on training)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build="$root/${1:-build}"
weights="${2:-}"
bin="$build/stages"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

"$bin/rb-synth" --city vegas --images 2 --seed 5 -q --no-report --out synth
aoi=synth/AOI_2_Vegas_Roads_Train
mkdir -p prep masks
for f in $aoi/MUL-PanSharpen/*.tif; do
  id=$(basename "$f" .tif | sed 's/MUL-PanSharpen_//')
  "$bin/rb-prep" image -q --no-report --input "$f" --bands ms8 --out "prep/$id.tif"
  "$bin/rb-mask" -q --no-report --labels "$aoi/geojson/spacenetroads/spacenetroads_$id.geojson" \
    --reference "prep/$id.tif" --out "masks/$id.tif"
done
if [ -z "$weights" ]; then
  "$bin/rb-prep" tiles -q --no-report --images prep --masks masks --tile-size 256 --split 1,0,0 \
    --out tiles
  "$bin/rb-train" -q --no-report --model "$root/configs/models/tiramisu_tiny.json" \
    --solver "$root/configs/solvers/tiramisu_tiny.json" --train tiles/train/manifest.json \
    --max-iter 2 --out run
  weights=run/best.safetensors
  [ -f "$weights" ] || weights=run/snapshots/iter_2.safetensors
fi
scene=$(ls prep/*.tif | head -1)
gdal_translate -q -outsize 5000 5000 -r bilinear "$scene" big.tif
gdal_translate -q -outsize 1300 5000 -r bilinear "$scene" tall.tif

measure() {  # label image window
  local label=$1 image=$2 window=$3
  /usr/bin/time -f "%e %M" -o time.txt "$bin/rb-infer" -q --weights "$weights" --images "$image" \
    --window "$window" --out "out_$label" 2> /dev/null
  read -r seconds kb < time.txt
  local pixels
  pixels=$(gdalinfo -json "$image" | /usr/bin/python3 -c \
    'import json,sys; s=json.load(sys.stdin)["size"]; print(s[0]*s[1])')
  local out="out_$label/$(basename "$image" .tif).prob.tif"
  local same
  same=$(/usr/bin/python3 - "$image" "$out" <<'EOF'
import json, subprocess, sys
def grid(path):
    info = json.loads(subprocess.check_output(["gdalinfo", "-json", path]))
    return info["geoTransform"], info["coordinateSystem"]["wkt"], info["size"]
print("identical" if grid(sys.argv[1]) == grid(sys.argv[2]) else "DIFFERENT")
EOF
)
  printf "  %-28s %7.1f s %6.2f MP/s  peak RSS %5.0f MB  georeference %s\n" "$label" "$seconds" \
    "$(echo "$pixels / 1000000 / $seconds" | bc -l)" "$(echo "$kb / 1024" | bc -l)" "$same"
}
echo "rb-infer, tiramisu_tiny, $(nproc) cores"
measure "1300x1300 whole" "$scene" 1344
measure "1300x1300 windows of 512" "$scene" 512
measure "1300x5000 windows of 512" tall.tif 512
measure "5000x5000 windows of 512" big.tif 512
measure "5000x5000 windows of 1024" big.tif 1024
