#!/usr/bin/env python3
"""Prints rb-apls results the way the SpaceNet 3 leaderboard aggregated them: the mean APLS of
each AOI, then the mean of the AOI means. Usage: print-score.py APLS_JSON"""
import json
import sys

with open(sys.argv[1]) as f:
    results = json.load(f)
for name, aoi in results["aois"].items():
    print(f"{name:<16} APLS {aoi['apls']:.4f}  ({aoi['images']} images)")
print(f"{'overall':<16} APLS {results['overall']['apls']:.4f}  (mean of {len(results['aois'])} AOI means)")
