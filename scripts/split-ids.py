#!/usr/bin/env python3
"""Prints a Make assignment of the ImageIds of an rb-prep tiles split manifest.
Usage: split-ids.py SPLIT_MANIFEST VARIABLE   (e.g. work/sample/tiles/test/manifest.json TEST_IDS)
"""
import json
import sys

with open(sys.argv[1]) as f:
    manifest = json.load(f)
ids = [image["image_id"] for image in manifest["images"]]
if not ids:
    sys.exit(f"split-ids: '{sys.argv[1]}' lists no images")
print(f"{sys.argv[2]} := {' '.join(ids)}")
