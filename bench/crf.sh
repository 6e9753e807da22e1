#!/usr/bin/env bash
# rb-crf against pydensecrf2 (PyPI; densecrf v2 underneath) on 1300x1300 rb-synth tiles: the
# same noisy road probability, the same image bands (3: RGB, 8: all of MUL-PanSharpen), the same
# parameters (smoothness sxy 3 compat 3, appearance sxy 80 srgb 13 compat 10, 5 iterations), 2
# labels. Prints median seconds of the CRF itself (unary, features, lattices, inference: rb-crf's
# crf_seconds, timed the same way in bench/crf_peer.py) and of whole processes, the ratio, the
# fraction of pixels whose refined labels agree, and road IoU (threshold vs CRF) against the
# scene's road-surface truth. rb-crf runs on one thread (pydensecrf is single-threaded) and on
# all cores.
# Usage: bench/crf.sh [build dir] [repeats]   (pydensecrf2 goes into <build>/crf-venv, once)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=$(cd "${1:-build}" && pwd)
repeats="${2:-3}"
bin="$build/stages"
venv="$build/crf-venv"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import pydensecrf.densecrf' 2> /dev/null; then
  echo "installing pydensecrf2 into $venv (once)"
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/pip" install -q numpy pydensecrf2
fi

"$bin/rb-synth" --city vegas --images 1 --seed 21 --emit-truth -q --no-report --out "$work/synth"
aoi="$work/synth/AOI_2_Vegas_Roads_Train"
id=$(ls "$aoi/PAN" | sed 's/^PAN_//; s/\.tif$//')
mul="$aoi/MUL-PanSharpen/MUL-PanSharpen_$id.tif"
truth="$work/synth/truth/AOI_2_Vegas_Roads_Train/truth_$id.tif"
for bands in rgb ms8; do
  "$bin/rb-prep" image -q --no-report --input "$mul" --bands "$bands" --out "$work/$bands.tif"
done
/usr/bin/python3 "$root/bench/crf_inputs.py" "$truth" "$work/rgb.tif" "$work/prob.tif" 21
/usr/bin/python3 - "$work" <<'PY'
import sys
import numpy as np
from osgeo import gdal
work = sys.argv[1]
ds = gdal.Open(f"{work}/prob.tif")
np.save(f"{work}/prob.npy", ds.ReadAsArray().astype(np.float32))
for bands in ("rgb", "ms8"):
    image = gdal.Open(f"{work}/{bands}.tif")
    np.save(f"{work}/{bands}.npy", np.ascontiguousarray(np.moveaxis(image.ReadAsArray(), 0, -1)).astype(np.float32))
PY

median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
crf_seconds() {  # report.json
  /usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["figures"]["files"][0]["crf_seconds"])' "$1"
}

echo "rb-crf vs pydensecrf2, 1300x1300 rb-synth tile ($id), 2 labels, 5 iterations, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), $repeats runs each, medians"
echo "(CRF s: the CRF itself, wall clock; process s: the whole process, wall clock and CPU)"
printf "  %-8s %-20s %8s %10s %10s\n" bands implementation "CRF s" "process s" "CPU s"
row() { printf "  %-8s %-20s %8.2f %10.2f %10.2f\n" "$@"; }
for bands in rgb ms8; do
  declare -A crf=() wall=() cpu=()
  peer_crf="" peer_wall="" peer_cpu=""
  # Interleaved, so that changes in the machine's load touch every implementation alike.
  for _ in $(seq "$repeats"); do
    for threads in 1 0; do
      /usr/bin/time -f "%e %U %S" -o "$work/time" "$bin/rb-crf" -q --threads "$threads" \
        --prob "$work/prob.tif" --image "$work/$bands.tif" --out "$work/out_$threads"
      crf[$threads]+="$(crf_seconds "$work/out_$threads/prob.prob.tif.report.json") "
      read -r e u s < "$work/time"
      wall[$threads]+="$e " cpu[$threads]+="$(echo "$u + $s" | bc -l) "
    done
    /usr/bin/time -f "%e %U %S" -o "$work/time" "$venv/bin/python" "$root/bench/crf_peer.py" \
      "$work/prob.npy" "$work/$bands.npy" "$work/peer.npy" 5 > "$work/peer_seconds"
    peer_crf+="$(cat "$work/peer_seconds") "
    read -r e u s < "$work/time"
    peer_wall+="$e " peer_cpu+="$(echo "$u + $s" | bc -l) "
  done
  ours1=$(echo "${crf[1]}" | median); ours0=$(echo "${crf[0]}" | median); peer=$(echo "$peer_crf" | median)
  count=$(/usr/bin/python3 -c 'import sys; from osgeo import gdal; print(gdal.Open(sys.argv[1]).RasterCount)' "$work/$bands.tif")
  row "$count ($bands)" "rb-crf, 1 thread" "$ours1" "$(echo "${wall[1]}" | median)" "$(echo "${cpu[1]}" | median)"
  row "" "rb-crf, all cores" "$ours0" "$(echo "${wall[0]}" | median)" "$(echo "${cpu[0]}" | median)"
  row "" "pydensecrf2" "$peer" "$(echo "$peer_wall" | median)" "$(echo "$peer_cpu" | median)"
  /usr/bin/python3 - "$work" "$truth" "$peer" "$ours1" "$ours0" <<'PY'
import sys
import numpy as np
from osgeo import gdal
work, truth_path, peer, ours1, ours0 = sys.argv[1], sys.argv[2], *map(float, sys.argv[3:])
mask_ds = gdal.Open(f"{work}/out_1/prob.mask.tif")
ours = mask_ds.ReadAsArray()
theirs = np.load(f"{work}/peer.npy")
truth_ds = gdal.Open(truth_path)
road = truth_ds.GetRasterBand(1).ReadAsArray() == 1
prob_ds = gdal.Open(f"{work}/prob.tif")
threshold = prob_ds.ReadAsArray() > 0.5
iou = lambda m: (m & road).sum() / (m | road).sum()
print(f"    CRF speed-up over pydensecrf2: {peer / ours1:.1f}x on 1 thread, {peer / ours0:.1f}x on all "
      f"cores; refined labels agree on {np.mean(ours == theirs):.6f} of pixels; road IoU: "
      f"threshold {iou(threshold):.3f}, rb-crf {iou(ours == 1):.3f}, pydensecrf2 {iou(theirs == 1):.3f}")
PY
done
echo "load at the end: $(cut -d" " -f1 /proc/loadavg)"
