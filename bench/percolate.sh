#!/usr/bin/env bash
# One percolation Monte Carlo step at 1300x1300 (Bernoulli realization + connected-component
# labelling, 4-connectivity + the A<->B query), rb-percolate against the Python baseline
# ../shared/peers/bench_percolation.py (numpy sampling + scipy.ndimage.label), on the peers' own
# fields: roadfield.road_field(1300, seed 0) and the uniform p = 0.6 field, same A and B.
# Medians of batches of 20 realizations on both sides, and the ratio. Beside them: our labeller
# against OpenCV's connectedComponents (the speed bar) on the same realization, one thread.
#
# Peer dependencies are installed here, never vendored: Debian's python3-scipy (apt, as root).
# Usage: bench/percolate.sh [build dir] [batches]      (PEERS=dir overrides ../shared/peers)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
batches="${2:-7}"
peers="$(cd "${PEERS:-../shared/peers}" && pwd)"
py=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PYTHONDONTWRITEBYTECODE=1

if ! $py -c 'import scipy' 2>/dev/null && [ "$(id -u)" = 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-scipy >/dev/null
fi
$py -c 'import scipy' 2>/dev/null || { echo "bench/percolate.sh: needs python3-scipy" >&2; exit 1; }
core="$build/bench/percolate_core"
percolate="$build/stages/rb-percolate"
for tool in "$core" "$percolate"; do
  [ -x "$tool" ] || { echo "bench/percolate.sh: $tool is missing; build first" >&2; exit 1; }
done

echo "rb-percolate vs Python (peers/bench_percolation.py), 1300x1300, 4-connectivity, $(nproc) cores"
PYTHONPATH="$peers" $py - "$work" <<'EOF'
import sys
import numpy as np
from roadfield import road_field, uniform_field
np.save(sys.argv[1] + "/road_field_seed0.npy", road_field(1300, 0))
np.save(sys.argv[1] + "/uniform_p0.6.npy", uniform_field(1300, 0.6))
EOF
(cd "$peers" && $py bench_percolation.py --n 1300 --batch 20) > "$work/python.json"

# Our side on the same fields and points (the peer reports A and B as (row, col)).
for field in road_field_seed0 uniform_p0.6; do
  points=$($py - "$work/python.json" "$field" <<'EOF'
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
step = next(r for r in rows if r["field"] == sys.argv[2] and r["what"].startswith("sample+label"))
print("%d,%d %d,%d" % (step["A"][1], step["A"][0], step["B"][1], step["B"][0]))
EOF
)
  # shellcheck disable=SC2086
  "$core" "$work/$field.npy" $points "$batches" 20 > "$work/$field.ours.json"
done

# End to end: the binary reading the map, 1000 realizations on all cores, JSON out; with the
# cluster statistics (the default) and without (--no-clusters, the pairs alone).
times=()
for clusters in --clusters --no-clusters; do
  start=$(date +%s.%N)
  "$percolate" mc -q --no-report --prob "$work/road_field_seed0.npy" --from 0,158 --to 1299,1131 \
    --realizations 1000 "$clusters" --out "$work/mc$clusters.json" > /dev/null
  end=$(date +%s.%N)
  times+=("$(echo "$end - $start" | bc -l)")
done

$py - "$work" "${times[@]}" <<'EOF'
import json, sys
work, with_clusters, without_clusters = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
rows = json.load(open(work + "/python.json"))["rows"]
def python(field, prefix):
    return 1e3 * next(r for r in rows if r["field"] == field
                      and r["what"].startswith(prefix))["median_s_per_realization"]
print("\none MC step = sample + label + are A and B joined (as `mc --no-clusters`); ms per realization, medians")
print("%-18s %9s %9s %7s %11s %7s" % ("field", "python", "ours 1t", "ratio", "ours all", "ratio"))
verdicts = []
for field in ("road_field_seed0", "uniform_p0.6"):
    ours = json.load(open("%s/%s.ours.json" % (work, field)))
    py = python(field, "sample+label")
    print("%-18s %9.2f %9.2f %6.1fx %11.2f %6.1fx   (%d threads)" % (
        field, py, ours["step"], py / ours["step"], ours["mc_all"], py / ours["mc_all"],
        ours["threads_all"]))
    verdicts.append("%s %s with one thread, %s with all cores" % (
        field, "met" if py / ours["step"] >= 10 else "not met",
        "met" if py / ours["mc_all"] >= 10 else "not met"))
print("target >= 10x: " + "; ".join(verdicts))
print("\nthe parts, one thread, ms: sampling (numpy vs Philox) | labelling (scipy vs ours)")
for field in ("road_field_seed0", "uniform_p0.6"):
    ours = json.load(open("%s/%s.ours.json" % (work, field)))
    print("%-18s sample %6.2f vs %5.2f | label %6.2f vs %5.2f" % (
        field, python(field, "bernoulli sample"), ours["sample"],
        python(field, "scipy.ndimage.label"), ours["label4"]))
print("\nlabellers on the same realization, one thread, ms (components found)")
print("%-18s %-4s %8s %12s %9s %8s %8s %10s" % (
    "field", "conn", "ours", "ours+image", "opencv", "SAUF", "BBDT", "Spaghetti"))
for field in ("road_field_seed0", "uniform_p0.6"):
    ours = json.load(open("%s/%s.ours.json" % (work, field)))
    for n in ("4", "8"):
        assert ours["components" + n] == ours["opencv%s_components" % n], "component counts differ"
        print("%-18s %-4s %8.2f %12.2f %9.2f %8.2f %8.2f %10.2f   (%d, same as OpenCV)" % (
            field, n, ours["label" + n], ours["label%s_image" % n],
            ours["opencv%s_default" % n], ours["opencv%s_sauf" % n],
            ours["opencv%s_bbdt" % n], ours["opencv%s_spaghetti" % n], ours["components" + n]))
mc = json.load(open(work + "/mc--clusters.json"))
pair = mc["pairs"][0]
assert json.load(open(work + "/mc--no-clusters.json"))["pairs"] == mc["pairs"], "pairs differ"
py = python("road_field_seed0", "sample+label")
print("\nrb-percolate mc, road field, 1000 realizations, all cores, reading the map: %.2f s,"
      " %.2f s with --no-clusters (Python loop at its median step: %.1f s);"
      " P(A<->B) = %.3f [%.3f, %.3f]" % (
          with_clusters, without_clusters, py, pair["probability"], *pair["wilson95"]))
EOF
