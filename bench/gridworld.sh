#!/usr/bin/env bash
# rb-gridworld against the shared notes' Python baselines (../shared/peers) on the pixel gridworld
# of the 1300x1300 synthetic road field (road_field(1300, seed 0), goal = the p > 0.95 pixel
# nearest the centre, 4 moves that succeed with the target's p or stay, -1 per move, gamma 0.99):
#   value iteration to max|dV| < 1e-4   numpy Jacobi sweeps from V = 0 (bench_value_iteration.py)
#                                       vs rb-gridworld in place (its default: Gauss-Seidel sweeps
#                                       from the floor) and synchronous from 0 (the same algorithm
#                                       as the peer, sweep for sweep)
#   exact solution                      heapq label setting (gridworld_dijkstra_check.py) vs
#                                       rb-gridworld --solver exact
# Both sides solve the same float32-rounded map. Times are medians of RUNS: the solver alone
# (rb-gridworld's summary "seconds", policy extraction included, as in the peer's function) and
# rb-gridworld as a whole process (reading the NPY, writing values). Every answer is compared
# with the exact values. Needs Debian's python3-numpy and python3-scipy (installed when root).
# Usage: bench/gridworld.sh [build dir] [runs] [n]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
runs="${2:-3}"
n="${3:-1300}"
peers="${PEERS:-$(cd .. && pwd)/shared/peers}"
py=/usr/bin/python3
[ -f "$peers/bench_value_iteration.py" ] || { echo "bench/gridworld.sh: no baselines in $peers (set PEERS)" >&2; exit 1; }
if ! $py -c 'import numpy, scipy' 2>/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "bench/gridworld.sh: needs python3-numpy python3-scipy" >&2; exit 1; }
  apt-get install -y -q python3-numpy python3-scipy >/dev/null
fi
[ -x "$build/stages/rb-gridworld" ] || cmake --build "$build" --target rb-gridworld
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "rb-gridworld vs the Python baselines: ${n}x${n} road field, tol 1e-4, gamma 0.99, median of $runs, $(nproc) cores"
echo "  running the peers (numpy value iteration takes ~30 s a run at 1300x1300)..."
$py bench/gridworld_peer.py "$peers" "$work" "$n" "$runs" 1e-4 > "$work/peer.json"
field() { $py -c "import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, d))" "$@"; }
goal=$(field "$work/peer.json" '"%d,%d" % tuple(goal_col_row)')
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

run_ours() {  # name, flags... -> "process_s solver_s sweeps" per run in $work/<name>.txt
  local name=$1 start end
  shift
  for _ in $(seq "$runs"); do
    start=$(date +%s.%N)
    "$build/stages/rb-gridworld" map -q --no-report --prob "$work/field.npy" --goal "$goal" "$@" \
      --values "$work/$name.npy" --value-type float64 --summary "$work/$name.json" > /dev/null
    end=$(date +%s.%N)
    echo "$(echo "$end - $start" | bc -l) $(field "$work/$name.json" seconds) $(field "$work/$name.json" sweeps)"
  done > "$work/$name.txt"
}
run_ours inplace --solver value --sweep inplace
run_ours sync --solver value --sweep sync --init zero
run_ours sync1 --solver value --sweep sync --init zero --threads 1
run_ours exact --solver exact

error() {  # values file -> max |V - V*| against the peer's exact solver
  $py -c "import numpy as np, sys; print('%.2g' % np.abs(np.load(sys.argv[1]) - np.load(sys.argv[2])).max())" \
    "$1" "$work/peer_exact.npy"
}
peer_vi=$(field "$work/peer.json" 'vi["median_s"]')
peer_exact=$(field "$work/peer.json" 'exact["median_s"]')
row() {  # label, sweeps, ours solver, ours process, peer, error
  printf "  %-46s %6s %9s %9s %9s %8s %9s\n" "$@"
}
ours() {  # name, label, peer seconds
  local solver process
  solver=$(cut -d' ' -f2 "$work/$1.txt" | median)
  process=$(cut -d' ' -f1 "$work/$1.txt" | median)
  row "$2" "$(head -1 "$work/$1.txt" | cut -d' ' -f3)" "$(printf '%.3fs' "$solver")" \
    "$(printf '%.3fs' "$process")" "$(printf '%.1fx' "$(echo "$3 / $solver" | bc -l)")" \
    "$(printf '%.1fx' "$(echo "$3 / $process" | bc -l)")" "$(error "$work/$1.npy")"
}
printf "  %-46s %6s %9s %9s %9s %8s %9s\n" "" sweeps solver process "x solver" "x proc" "max|V-V*|"
row "peer: numpy value iteration (Jacobi, from 0)" "$(field "$work/peer.json" 'vi["sweeps"]')" \
  "$(printf '%.2fs' "$peer_vi")" "" "" "" "$(error "$work/peer_vi.npy")"
ours inplace "rb-gridworld value iteration, in place" "$peer_vi"
ours sync "rb-gridworld value iteration, sync from 0" "$peer_vi"
ours sync1 "  the same on 1 thread" "$peer_vi"
row "peer: heapq label setting (exact)" "" "$(printf '%.2fs' "$peer_exact")" "" "" "" ""
ours exact "rb-gridworld exact label setting" "$peer_exact"
echo "  (x solver / x proc: the peer's median time over rb-gridworld's solver / whole-process median)"
$py - "$work" <<'PY'
import sys
import numpy as np
w = sys.argv[1]
sync, peer = np.load(f"{w}/sync.npy"), np.load(f"{w}/peer_vi.npy")
print(f"  sync from 0 vs the numpy iterates (same algorithm, same sweeps): max |dV| = "
      f"{np.abs(sync - peer).max():.2g}")
if sync.shape[0] > 650:
    print(f"  V(row 650, col 650): rb-gridworld exact {np.load(f'{w}/exact.npy')[650, 650]:.13f}, "
          f"in place {np.load(f'{w}/inplace.npy')[650, 650]:.13f}; notes 5(ii): -7.7239548010835")
PY
