#!/usr/bin/env python3
"""Runs CosmiQ's reference APLS (PyPI `apls` 0.1.0) on SpaceNet CSV pairs, one image at a time.

Used by bench/apls.sh to time the reference on the same pairs as rb-apls. The reference is driven
through its own functions as its execute() does (wkt_to_G for both sides, the truth refined as
_refine_gt_graph does, make_graphs, compute_apls_metric), without plots, TOPO or SP metrics.

The package was written for networkx 2.2 and geopandas 0.4; three small compatibility shims make
it run with the versions pip installs today, none of them touching the metric's arithmetic:
  * networkx.connected_component_subgraphs (removed in networkx 2.4) is restored;
  * osmnx_funcs.project_graph is replaced by the same projection done with pyproj directly
    (geopandas >= 0.9 refuses the CRS assignment the original makes on a frame without geometry):
    nodes and edge geometries to the WGS84 UTM zone of the nodes' mean longitude, skipped when the
    graph is already in UTM, exactly as osmnx 0.9 does;
  * GeoDataFrame.append keeps returning a GeoDataFrame (for the GeoJSON readers only).

Usage: apls_peer.py TRUTH.csv PROPOSAL.csv IMAGE_DIR OUT.json [--limit N] [--ids FILE]
IMAGE_DIR holds RGB-PanSharpen_<ImageId>.tif files (the reference georeferences pixels through
the image). OUT.json gets per-image scores and seconds.
"""

import argparse
import contextlib
import io
import json
import math
import os
import sys
import time
import warnings


def load_reference():
    import importlib.util

    # The package's modules import each other by bare name ("import apls" meaning apls/apls.py),
    # so its folder goes first on the path and the package itself is never imported.
    spec = importlib.util.find_spec("apls")
    sys.path.insert(0, os.path.dirname(spec.origin))
    warnings.filterwarnings("ignore")
    os.environ.setdefault("MPLBACKEND", "Agg")
    import geopandas as gpd
    import networkx as nx
    import pandas as pd
    import pyproj
    import shapely.ops

    if not hasattr(nx, "connected_component_subgraphs"):
        nx.connected_component_subgraphs = lambda g: (
            g.subgraph(c).copy() for c in nx.connected_components(g))

    append = pd.DataFrame.append

    def geo_append(self, *args, **kwargs):
        out = append(self, *args, **kwargs)
        return gpd.GeoDataFrame(out, geometry="geometry") if "geometry" in out else out

    gpd.GeoDataFrame.append = geo_append

    with contextlib.redirect_stdout(io.StringIO()):
        import apls
        import osmnx_funcs
        import wkt_to_G

    def project_graph(G, to_crs=None):
        out = G.copy()
        crs = out.graph.get("crs")
        if isinstance(crs, dict) and crs.get("proj") == "utm":
            return out
        points = {(d["x"], d["y"]) for _, d in out.nodes(data=True)}
        mean_lon = sum(p[0] for p in points) / len(points)  # centroid of the nodes' union
        zone = int(math.floor((mean_lon + 180) / 6.0) + 1)
        utm = {"datum": "WGS84", "ellps": "WGS84", "proj": "utm", "zone": zone, "units": "m"}
        forward = pyproj.Transformer.from_crs(
            "EPSG:4326", pyproj.CRS.from_dict(utm), always_xy=True).transform
        for _, d in out.nodes(data=True):
            d["lon"], d["lat"] = d["x"], d["y"]
            d["x"], d["y"] = forward(d["x"], d["y"])
        for _, _, d in out.edges(data=True):
            if "geometry" in d:
                d["geometry"] = shapely.ops.transform(forward, d["geometry"])
        out.graph["crs"] = utm
        out.graph["name"] = "{}_UTM".format(G.graph.get("name", "unnamed"))
        return out

    osmnx_funcs.project_graph = project_graph
    return apls, wkt_to_G


def score_pair(apls, wkt_to_G, truth_rows, proposal_rows, image):
    """SpaceNet-3 CLI defaults: length weight, 4 m snap, 50 m spacing, eps -1, min path 1 mm."""
    truth = wkt_to_G.wkt_to_G(truth_rows, im_file=image, min_subgraph_length=10,
                              node_iter=10000, edge_iter=10000)
    truth = apls.create_edge_linestrings(truth.to_undirected(), remove_redundant=True)
    truth = apls._clean_sub_graphs(truth, min_length=5, weight="length", max_nodes_to_skip=100,
                                   verbose=False)
    proposal = wkt_to_G.wkt_to_G(proposal_rows, im_file=image, min_subgraph_length=10,
                                 node_iter=1000, edge_iter=1000)
    graphs = apls.make_graphs(truth, proposal, weight="length", linestring_delta=50,
                              is_curved_eps=-1, max_snap_dist=4, allow_renaming=True)
    _, _, _, _, cp_truth, cp_proposal, paths_gt, paths_prop, paths_gt_prime, paths_prop_prime = \
        graphs
    return apls.compute_apls_metric(paths_gt, paths_prop, paths_gt_prime, paths_prop_prime,
                                    cp_truth, cp_proposal, min_path_length=0.001)


def read_rows(path):
    import pandas as pd
    frame = pd.read_csv(path)
    rows = {}
    for image_id, wkt in zip(frame["ImageId"], frame["WKT_Pix"]):
        rows.setdefault(image_id, []).append(wkt)
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("truth")
    parser.add_argument("proposal")
    parser.add_argument("image_dir")
    parser.add_argument("out")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--ids", help="file with one ImageId per line (default: all)")
    args = parser.parse_args()
    apls, wkt_to_G = load_reference()
    truth, proposal = read_rows(args.truth), read_rows(args.proposal)
    ids = sorted(truth) if not args.ids else open(args.ids).read().split()
    if args.limit:
        ids = ids[: args.limit]
    results = []
    for image_id in ids:
        t_rows, p_rows = truth.get(image_id, []), proposal.get(image_id, [])
        skipped = (not t_rows or t_rows[0] == "LINESTRING EMPTY" or not p_rows
                   or p_rows[0] == "LINESTRING EMPTY")
        image = os.path.join(args.image_dir, "RGB-PanSharpen_{}.tif".format(image_id))
        start = time.perf_counter()
        score = None
        if not skipped:
            with contextlib.redirect_stdout(io.StringIO()):
                score = score_pair(apls, wkt_to_G, t_rows, p_rows, image)
        seconds = time.perf_counter() - start
        results.append({"image_id": image_id, "seconds": seconds,
                        "apls": None if score is None else float(score[0]),
                        "truth_to_proposal": None if score is None else float(score[1]),
                        "proposal_to_truth": None if score is None else float(score[2])})
        print("{} {} {:.2f} s".format(image_id, results[-1]["apls"], seconds), file=sys.stderr)
    with open(args.out, "w") as out:
        json.dump(results, out, indent=1)


if __name__ == "__main__":
    main()
