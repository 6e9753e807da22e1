"""Inputs of bench/crf.sh (Debian's python3: numpy and GDAL).

Usage: crf_inputs.py TRUTH.tif REFERENCE.tif PROB.tif SEED
Writes PROB.tif: a road probability that is the road-surface truth (band 1 of rb-synth's truth
raster) drowned in noise: sigmoid(1.2 * (+1 road, -1 not) + N(0, 1.6^2)), float32 on the
reference's grid; thresholding it at 0.5 gets about a quarter of the pixels wrong.
"""
import sys

import numpy as np
from osgeo import gdal

truth_ds = gdal.Open(sys.argv[1])
road = truth_ds.GetRasterBand(1).ReadAsArray() == 1
reference = gdal.Open(sys.argv[2])
rng = np.random.default_rng(int(sys.argv[4]))
logit = 1.2 * np.where(road, 1.0, -1.0) + rng.normal(0.0, 1.6, road.shape)
prob = (1.0 / (1.0 + np.exp(-logit))).astype(np.float32)
out = gdal.GetDriverByName("GTiff").Create(sys.argv[3], road.shape[1], road.shape[0], 1,
                                           gdal.GDT_Float32, ["TILED=YES", "COMPRESS=DEFLATE"])
out.SetGeoTransform(reference.GetGeoTransform())
out.SetProjection(reference.GetProjection())
out.GetRasterBand(1).SetNoDataValue(float("nan"))
out.GetRasterBand(1).WriteArray(prob)
out = None
