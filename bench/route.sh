#!/usr/bin/env bash
# rb-route against scipy.sparse.csgraph on the 1300x1300 synthetic road field (bench/peers,
# seed 0): the most probable route (-log p, 4 neighbours) between the two extreme confident road
# pixels, as the shared notes' baseline measured it. Two comparisons, medians of REPEATS runs:
#   search  Dijkstra from one source over every pixel: the same work on both sides, graph
#           construction excluded (rb-route's search_seconds; scipy's dijkstra call)
#   route   the A-to-B answer from the probability array: rb-route as a process (reading the
#           NPY, A*), scipy building its graph, running Dijkstra and walking the predecessors
# Both must report the same route cost. Needs Debian's python3-scipy (installed when root).
# Usage: bench/route.sh [build dir] [repeats]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
repeats="${2:-5}"
py=/usr/bin/python3
if ! $py -c 'import scipy' 2>/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "bench/route.sh: needs python3-scipy (apt-get install python3-scipy)" >&2; exit 1; }
  apt-get install -y -q python3-scipy >/dev/null
fi
[ -x "$build/stages/rb-route" ] || cmake --build "$build" --target rb-route
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

read -r c0 r0 c1 r1 < <($py - "$work/field.npy" <<'PY'
import sys
import numpy as np
sys.path.insert(0, "bench/peers")
from roadfield import road_field
p = road_field(1300, 0)
np.save(sys.argv[1], p)
rows, cols = np.nonzero(p > 0.95)
first, last = np.argmin(cols + rows), np.argmax(cols + rows)
print(cols[first], rows[first], cols[last], rows[last])
PY
)

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
figure() { $py -c "import json, sys; print(json.load(open(sys.argv[1]))['figures']['routes'][0][sys.argv[2]])" "$@"; }
run_ours() {  # algorithm -> prints "process_seconds search_seconds cost"
  local start end
  start=$(date +%s.%N)
  "$build/stages/rb-route" -q --prob "$work/field.npy" --from "$c0,$r0" --to "$c1,$r1" \
    --algorithm "$1" --overlay "$work/route.png"
  end=$(date +%s.%N)
  echo "$(echo "$end - $start" | bc -l) $(figure "$work/route.png.report.json" search_seconds) $(figure "$work/route.png.report.json" cost)"
}

echo "rb-route vs scipy.sparse.csgraph.dijkstra, 1300x1300 road field, ($c0,$r0) -> ($c1,$r1), median of $repeats, $(nproc) cores"
for i in $(seq "$repeats"); do run_ours dijkstra; done > "$work/dijkstra.txt"
for i in $(seq "$repeats"); do run_ours astar; done > "$work/astar.txt"
scipy=$($py bench/route_scipy.py "$work/field.npy" "$c0" "$r0" "$c1" "$r1" "$repeats")
ours_search=$(cut -d' ' -f2 "$work/dijkstra.txt" | median)
ours_route=$(cut -d' ' -f1 "$work/astar.txt" | median)
scipy_search=$(echo "$scipy" | $py -c 'import json,sys; print(json.load(sys.stdin)["search_seconds"])')
scipy_route=$(echo "$scipy" | $py -c 'import json,sys; print(json.load(sys.stdin)["route_seconds"])')
printf "  %-44s %8s %8s %7s\n" "" rb-route scipy ratio
printf "  %-44s %7.3fs %7.3fs %6.1fx\n" "search: Dijkstra, one source, every pixel" \
  "$ours_search" "$scipy_search" "$(echo "$scipy_search / $ours_search" | bc -l)"
printf "  %-44s %7.3fs %7.3fs %6.1fx\n" "route: A to B from the array (ours: A*)" \
  "$ours_route" "$scipy_route" "$(echo "$scipy_route / $ours_route" | bc -l)"
printf "  costs: rb-route dijkstra %s, astar %s, scipy %s\n" "$(head -1 "$work/dijkstra.txt" | cut -d' ' -f3)" \
  "$(head -1 "$work/astar.txt" | cut -d' ' -f3)" "$(echo "$scipy" | $py -c 'import json,sys; print(json.load(sys.stdin)["cost"])')"
