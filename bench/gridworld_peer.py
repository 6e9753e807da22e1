#!/usr/bin/env python3
"""The peer side of bench/gridworld.sh: the shared notes' Python baselines, timed on one MDP.

Builds the road field of the baselines (roadfield.road_field(n, seed 0)), rounds it to float32
(the map rb-gridworld reads, so both sides solve the very same MDP), picks the goal as
bench_value_iteration.py does (the p > 0.95 pixel nearest the centre), saves the field as NPY and
times, medians of RUNS:
  vi      bench_value_iteration.value_iteration: numpy Jacobi sweeps from V = 0 to max|dV| < tol,
          then the greedy policy (float64, as the notes' headline figure)
  exact   gridworld_dijkstra_check.knuth_dijkstra: the heapq label-setting solver
Writes field.npy, peer_vi.npy and peer_exact.npy (values) to OUT and prints JSON.
Usage: gridworld_peer.py PEERS_DIR OUT_DIR [N] [RUNS] [TOL]
"""
import json
import statistics
import sys
import time

import numpy as np


def timed(fn, runs):
    seconds, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), seconds, result


def main():
    peers, out = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 1300
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    tol = float(sys.argv[5]) if len(sys.argv) > 5 else 1e-4
    sys.path.insert(0, peers)
    from bench_value_iteration import value_iteration
    from gridworld_dijkstra_check import knuth_dijkstra
    from roadfield import road_field

    p = road_field(n, 0).astype(np.float32).astype(np.float64)
    rows, cols = np.nonzero(p > 0.95)
    nearest = np.argmin((rows - n // 2) ** 2 + (cols - n // 2) ** 2)
    goal = (int(rows[nearest]), int(cols[nearest]))
    np.save(f"{out}/field.npy", p.astype(np.float32))
    vi_s, vi_runs, (v, _, sweeps, delta) = timed(
        lambda: value_iteration(p, goal, 0.99, tol, np.float64), runs)
    np.save(f"{out}/peer_vi.npy", v)
    ex_s, ex_runs, exact = timed(lambda: knuth_dijkstra(p, goal, 0.99), runs)
    np.save(f"{out}/peer_exact.npy", exact)
    print(json.dumps({"n": n, "goal_col_row": [goal[1], goal[0]], "tol": tol,
                      "vi": {"median_s": vi_s, "runs_s": vi_runs, "sweeps": sweeps,
                             "final_delta": delta},
                      "exact": {"median_s": ex_s, "runs_s": ex_runs},
                      "max_abs_vi_minus_exact": float(np.abs(v - exact).max())}))


if __name__ == "__main__":
    main()
