#!/usr/bin/env python3
"""Prints the pixel ends of the first route of an rb-route run report as "col,row col,row", so
the other decision stages can ask about the same two places. Usage: route-ends.py REPORT_JSON"""
import json
import sys

with open(sys.argv[1]) as f:
    route = json.load(f)["figures"]["routes"][0]
print(" ".join(",".join(str(v) for v in route[end]) for end in ("from", "to")))
