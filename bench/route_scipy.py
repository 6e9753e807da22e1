#!/usr/bin/env python3
"""The peer of bench/route.sh: the most probable route with scipy.sparse.csgraph.

Same definition as rb-route --cost neglogp --neighbours 4: a directed 4-neighbour grid graph whose
edge u -> v costs -log p_v, p clipped to [1e-3, 0.999]. Prints JSON with the median seconds of
(a) Dijkstra from one source over the whole grid (distances and predecessors) and (b) the whole
A-to-B route from the probability array (graph construction, Dijkstra, walking the predecessors),
and the route's cost, so the two tools can be checked to answer the same question.
Usage: route_scipy.py FIELD.npy SRC_COL SRC_ROW DST_COL DST_ROW [REPEATS]
"""
import json
import statistics
import sys
import time

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra


def grid_graph(p):
    rows, cols = p.shape
    index = np.arange(rows * cols).reshape(rows, cols)
    enter = -np.log(np.clip(p.astype(np.float64), 1e-3, 0.999)).ravel()
    pairs = ((index[:, :-1], index[:, 1:]), (index[:, 1:], index[:, :-1]),
             (index[:-1, :], index[1:, :]), (index[1:, :], index[:-1, :]))
    src = np.concatenate([a.ravel() for a, _ in pairs])
    dst = np.concatenate([b.ravel() for _, b in pairs])
    return sp.csr_matrix((enter[dst], (src, dst)), shape=(rows * cols, rows * cols))


def route(p, source, target):
    graph = grid_graph(p)
    distances, predecessors = dijkstra(graph, directed=True, indices=source,
                                       return_predecessors=True)
    path = [target]
    while path[-1] != source:
        path.append(int(predecessors[path[-1]]))
    return distances[target], path[::-1]


def median_seconds(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    p = np.load(sys.argv[1])
    cols = p.shape[1]
    source = int(sys.argv[3]) * cols + int(sys.argv[2])
    target = int(sys.argv[5]) * cols + int(sys.argv[4])
    repeats = int(sys.argv[6]) if len(sys.argv) > 6 else 3
    graph = grid_graph(p)
    search = median_seconds(
        lambda: dijkstra(graph, directed=True, indices=source, return_predecessors=True), repeats)
    whole = median_seconds(lambda: route(p, source, target), repeats)
    cost, path = route(p, source, target)
    print(json.dumps({"search_seconds": search, "route_seconds": whole, "cost": float(cost),
                      "pixels": len(path)}))


if __name__ == "__main__":
    main()
