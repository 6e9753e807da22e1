#!/usr/bin/env bash
# Masks per second on 1300x1300 tiles, for each rb-mask method, beside the same buffer masks
# built the GDAL way: ogr2ogr to UTM, ogr2ogr with SQLite ST_Buffer back to lon/lat, then
# gdal_rasterize onto the tile's grid. Also reports how closely the two buffer masks agree.
# Usage: bench/mask_speed.sh [build dir] [images]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
images="${2:-12}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$build/stages/rb-synth" --city vegas --images "$images" --seed 9 -q --no-report --out "$work/synth"
aoi="$work/synth/AOI_2_Vegas_Roads_Train"
ids=$(ls "$aoi/PAN" | sed 's/^PAN_//; s/\.tif$//')
for id in $ids; do
  "$build/stages/rb-prep" image -q --no-report --bands ms8 \
    --input "$aoi/MUL-PanSharpen/MUL-PanSharpen_$id.tif" --out "$work/$id.prep.tif"
done

seconds() { local start=$1; echo "$(date +%s.%N) - $start" | bc -l; }
rate() { printf "%7.1f masks/s (%5.1f ms each)" "$(echo "$images / $1" | bc -l)" "$(echo "1000 * $1 / $images" | bc -l)"; }

echo "rb-mask vs GDAL command-line tools, $images Vegas tiles of 1300x1300, $(nproc) cores, one process per mask"
for method in buffer floodfill bresenham; do
  start=$(date +%s.%N)
  for id in $ids; do
    "$build/stages/rb-mask" -q --no-report --method "$method" \
      --labels "$aoi/geojson/spacenetroads/spacenetroads_$id.geojson" \
      --reference "$work/$id.prep.tif" --out "$work/$id.$method.tif"
  done
  elapsed=$(seconds "$start")
  printf "  rb-mask %-10s %s\n" "$method" "$(rate "$elapsed")"
  [ "$method" = buffer ] && ours=$elapsed
done

start=$(date +%s.%N)
for id in $ids; do
  labels="$aoi/geojson/spacenetroads/spacenetroads_$id.geojson"
  layer=$(basename "$labels" .geojson)
  extent=$(gdalinfo -json "$work/$id.prep.tif" | /usr/bin/python3 -c '
import json, sys
g = json.load(sys.stdin)["geoTransform"]
print(g[0], g[3] + 1300 * g[5], g[0] + 1300 * g[1], g[3])')
  ogr2ogr -q -f GeoJSON -t_srs EPSG:32611 "$work/$id.utm.geojson" "$labels"
  ogr2ogr -q -f GeoJSON -t_srs EPSG:4326 -dialect SQLite \
    -sql "SELECT ST_Buffer(geometry, 2.0) AS geometry FROM \"$layer\"" \
    "$work/$id.buffered.geojson" "$work/$id.utm.geojson"
  # shellcheck disable=SC2086
  gdal_rasterize -q -burn 1 -init 0 -ot Byte -a_srs EPSG:4326 -te $extent -ts 1300 1300 \
    "$work/$id.buffered.geojson" "$work/$id.gdal.tif"
done
gdal=$(seconds "$start")
printf "  GDAL  buffer     %s\n" "$(rate "$gdal")"
printf "speed-up of rb-mask buffer over the GDAL tools: %.1fx\n" "$(echo "$gdal / $ours" | bc -l)"

# Agreement of the two buffer masks (rb-mask marks nodata 255; both are 0/1 elsewhere).
agree=$(for id in $ids; do
  gdal_translate -q -of ENVI "$work/$id.buffer.tif" "$work/a.raw"
  gdal_translate -q -of ENVI "$work/$id.gdal.tif" "$work/b.raw"
  /usr/bin/python3 -c '
import numpy as np, sys
a = np.fromfile(sys.argv[1], np.uint8) == 1
b = np.fromfile(sys.argv[2], np.uint8) == 1
print((a & b).sum(), (a | b).sum())' "$work/a.raw" "$work/b.raw"
done | awk '{i += $1; u += $2} END {printf "%.4f", u ? i / u : 1}')
echo "IoU of rb-mask buffer masks with the GDAL ones: $agree"

echo "in-process (bench/mask_core, median of 9), per tile:"
for id in $ids; do
  "$build/bench/mask_core" "$work/$id.prep.tif" "$aoi/geojson/spacenetroads/spacenetroads_$id.geojson"
done | sort -t: -k1,1n | sed 's/^/  /'

