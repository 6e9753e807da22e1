#!/usr/bin/env bash
# APLS images per second: rb-apls against CosmiQ's reference `apls` (PyPI 0.1.0, installed here
# into a venv under the build folder) on the 989 Vegas training images of the real summaryData,
# each scored against a perturbed copy of itself (bench/apls_perturb.py: vertices jittered by
# 3 px, 5 % of the segments dropped, seed 7). rb-apls scores all 989 images (median of 3 runs);
# the reference, at seconds per image, scores an evenly spaced subset of them, and both variants'
# scores are compared on that subset. The reference places pixels through each image's
# GeoTIFF, so every ImageId gets a link to one grid-only tile (data-samples/apls/derived).
# Usage: bench/apls.sh [build dir] [images for the reference, default 30]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
reference_images="${2:-30}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

venv="$build/apls-venv"
if [ ! -f "$venv/.apls-0.1.0" ]; then
  echo "installing CosmiQ apls 0.1.0 and its dependencies into $venv (once)"
  /usr/bin/python3 -m venv --system-site-packages "$venv"  # GDAL's Python binding from Debian
  "$venv/bin/pip" install -q --no-deps apls==0.1.0         # it pins GDAL==2.4.0: not needed
  "$venv/bin/pip" install -q numpy==1.24.4 networkx==2.8.8 shapely==1.8.5.post1 \
    geopandas==0.12.2 pandas==1.5.3 fiona==1.9.6 pyproj==3.6.1 rtree==1.1.0 matplotlib==3.7.5 \
    opencv-python-headless==4.8.1.78 scikit-image==0.21.0 rasterio==1.3.9 affine==2.4.0 \
    utm==0.7.0 tqdm
  touch "$venv/.apls-0.1.0"
fi

truth=data-samples/spacenet/summaryData/AOI_2_Vegas_Roads_Train.csv.gz
/usr/bin/python3 bench/apls_perturb.py "$truth" "$work/proposal.csv"
zcat "$truth" > "$work/truth.csv"
mkdir "$work/images"
grid="$PWD/data-samples/apls/derived/grid_AOI_2_Vegas_img0.tif"
ids=$(tail -n +2 "$work/truth.csv" | cut -d, -f1 | sort -u)
for id in $ids; do ln -s "$grid" "$work/images/RGB-PanSharpen_$id.tif"; done
count=$(echo "$ids" | wc -l)

seconds() { echo "$(date +%s.%N) - $1" | bc -l; }
median3() { printf "%s\n" "$@" | sort -g | sed -n 2p; }
apls() { "$build/stages/rb-apls" -q --no-report --truth "$work/truth.csv" \
  --proposal "$work/proposal.csv" "$@"; }
time_rb() {  # median wall seconds of 3 runs over all images
  local runs=()
  for _ in 1 2 3; do
    local start; start=$(date +%s.%N)
    apls "$@"
    runs+=("$(seconds "$start")")
  done
  median3 "${runs[@]}"
}

echo "APLS on $count Vegas summaryData images against a perturbed copy, $(nproc) cores"
declare -A rate
for variant in leaderboard cosmiq; do
  images=()  # the CosmiQ variant places WKT_Pix through the images, as the reference does
  [ "$variant" = cosmiq ] && images=(--images "$work/images")
  for threads in 0 1; do
    t=$(time_rb --variant "$variant" "${images[@]}" --threads "$threads" \
      --out "$work/$variant.json" --csv "$work/$variant.csv")
    rate[$variant$threads]=$(echo "$count / $t" | bc -l)
    printf "  rb-apls %-11s %-9s %8.1f images/s (%.2f s for all)\n" "$variant" \
      "$([ "$threads" = 0 ] && echo "all cores" || echo "1 thread")" "${rate[$variant$threads]}" "$t"
  done
done
grep '^overall' "$work/leaderboard.csv" | cut -d, -f4 | xargs printf "  mean APLS (leaderboard variant): %.4f\n"

# The reference on every (count / N)-th image, timed per image inside one process.
step=$(( count / reference_images ))
echo "$ids" | awk -v s="$step" -v n="$reference_images" '(NR - 1) % s == 0 && c++ < n' > "$work/ids.txt"
"$venv/bin/python" bench/apls_peer.py "$work/truth.csv" "$work/proposal.csv" "$work/images" \
  "$work/reference.json" --ids "$work/ids.txt" 2>/dev/null
/usr/bin/python3 - "$work/reference.json" "$work/cosmiq.json" "${rate[cosmiq1]}" \
  "${rate[cosmiq0]}" "${rate[leaderboard1]}" <<'EOF'
import json, statistics, sys
reference = json.load(open(sys.argv[1]))
ours = {i["image_id"]: i for i in json.load(open(sys.argv[2]))["images"]}
scored = [r for r in reference if r["apls"] is not None]
seconds = sum(r["seconds"] for r in reference)
per_second = len(reference) / seconds
print("  CosmiQ apls (PyPI 0.1.0) %8.3f images/s over %d images (median %.2f s per image)"
      % (per_second, len(reference), statistics.median(r["seconds"] for r in reference)))
same_skips = sum((r["apls"] is None) == (ours[r["image_id"]].get("apls") is None)
                 for r in reference)
diffs = [abs(r["apls"] - ours[r["image_id"]]["apls"]) for r in scored
         if "apls" in ours[r["image_id"]]]
print("  rb-apls --variant cosmiq vs the reference on those images: max |APLS difference| %.2e"
      " over %d scored; %d of %d images scored or skipped alike"
      % (max(diffs), len(diffs), same_skips, len(reference)))
cosmiq1, cosmiq_all, board1 = (float(x) for x in sys.argv[3:6])
print("speed-up over the reference: %.0fx (cosmiq variant, 1 thread), %.0fx (all cores), "
      "%.0fx (leaderboard variant, 1 thread)"
      % (cosmiq1 / per_second, cosmiq_all / per_second, board1 / per_second))
EOF
