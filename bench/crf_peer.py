"""The peer side of bench/crf.sh: pydensecrf2 (PyPI) on the same inputs as rb-crf.

Usage: crf_peer.py PROB.npy IMAGE.npy OUT_LABELS.npy ITERATIONS
PROB.npy: float32 (H, W) road probability; IMAGE.npy: float32 (H, W, bands). Prints the seconds
of the CRF itself (unary, features, lattices, inference, argmax), the same span rb-crf reports
as crf_seconds; parameters are rb-crf's defaults (smoothness sxy 3 compat 3, appearance sxy 80
srgb 13 compat 10), pairwise terms added in rb-crf's order.
"""
import sys
import time

import numpy as np
import pydensecrf.densecrf as dcrf
from pydensecrf.utils import create_pairwise_bilateral, create_pairwise_gaussian, unary_from_softmax

prob = np.load(sys.argv[1])
image = np.load(sys.argv[2])
iterations = int(sys.argv[4])
height, width = prob.shape

start = time.perf_counter()
softmax = np.stack([1.0 - prob, prob]).astype(np.float32)
crf = dcrf.DenseCRF(height * width, 2)
crf.setUnaryEnergy(np.ascontiguousarray(unary_from_softmax(softmax, clip=1e-5)))
crf.addPairwiseEnergy(create_pairwise_gaussian(sdims=(3, 3), shape=(height, width)), compat=3)
bilateral = create_pairwise_bilateral(sdims=(80, 80), schan=(13,) * image.shape[2], img=image,
                                      chdim=2)
crf.addPairwiseEnergy(bilateral, compat=10)
q = np.array(crf.inference(iterations))
labels = np.argmax(q, axis=0).reshape(height, width).astype(np.uint8)
seconds = time.perf_counter() - start
np.save(sys.argv[3], labels)
print(f"{seconds:.4f}")
