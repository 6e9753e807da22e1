#!/usr/bin/env python3
"""A perturbed copy of a SpaceNet summaryData CSV, as a stand-in proposal for APLS benchmarks.

Every distinct vertex of an image moves by a normal offset of --jitter px per axis (shared
vertices move together, so junctions stay junctions) and every segment is dropped with
probability --drop (a line loses the segment and splits there). The result is what the SpaceNet
scorer accepts: coordinates at 2 decimals, no vertex pair closer than 0.01 px, no segment twice
on the 0.1 px grid, LINESTRING EMPTY alone for an image left without roads. Deterministic:
numpy's PCG64 seeded with --seed and the image's position in the file.

Usage: apls_perturb.py IN.csv[.gz] OUT.csv [--jitter 3] [--drop 0.05] [--seed 7]
"""

import argparse
import csv
import gzip
import re

import numpy as np

POINT = re.compile(r"(-?[\d.]+) (-?[\d.]+)")


def parse(wkt):
    return [(float(x), float(y)) for x, y in POINT.findall(wkt)]


def cell(p):
    return (round(p[0] * 10), round(p[1] * 10))


def perturb_image(rows, rng, jitter, drop):
    lines = [parse(w) for w in rows if "EMPTY" not in w]
    vertices = sorted({p for line in lines for p in line})
    offsets = rng.normal(0.0, jitter, size=(len(vertices), 2))
    moved = {p: (round(p[0] + dx, 2), round(p[1] + dy, 2))
             for p, (dx, dy) in zip(vertices, offsets)}
    keep = iter(rng.random(sum(max(len(line) - 1, 0) for line in lines)) >= drop)
    out, seen = [], set()
    for line in lines:
        piece = []
        for a, b in zip(line, line[1:]):
            pa, pb = moved[a], moved[b]
            key = tuple(sorted((cell(pa), cell(pb))))
            valid = np.hypot(pb[0] - pa[0], pb[1] - pa[1]) >= 0.01 and key not in seen
            if next(keep) and valid:
                seen.add(key)
                piece = piece or [pa]
                piece.append(pb)
            else:
                if len(piece) > 1:
                    out.append(piece)
                piece = []
        if len(piece) > 1:
            out.append(piece)
    if not out:
        return ["LINESTRING EMPTY"]
    return ["LINESTRING (" + ", ".join("%.2f %.2f" % p for p in line) + ")" for line in out]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("source")
    parser.add_argument("out")
    parser.add_argument("--jitter", type=float, default=3.0, help="px, per axis")
    parser.add_argument("--drop", type=float, default=0.05, help="segment drop probability")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    opener = gzip.open if args.source.endswith(".gz") else open
    images = {}
    with opener(args.source, "rt", newline="") as f:
        for row in csv.DictReader(f):
            images.setdefault(row["ImageId"], []).append(row["WKT_Pix"])
    with open(args.out, "w", newline="") as f:
        f.write("ImageId,WKT_Pix\n")
        for index, (image_id, rows) in enumerate(images.items()):
            rng = np.random.Generator(np.random.PCG64([args.seed, index]))
            for wkt in perturb_image(rows, rng, args.jitter, args.drop):
                quoted = wkt if wkt == "LINESTRING EMPTY" else '"' + wkt + '"'
                f.write("{},{}\n".format(image_id, quoted))


if __name__ == "__main__":
    main()
