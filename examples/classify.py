#!/usr/bin/env python3
"""classify.py — top-5 ImageNet classes of photos with clcnn's default model.

usage: python examples/classify.py [--device D] PHOTO...
(the default model, mobilenet_v1_0.75_224.onnx, is found through the library's
search path: ./models, ../shared/models, $CLCNN_MODEL_PATH, ...)"""
import argparse

import clcnn

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("--device", default=None, help="auto (default), gpu, cpu, ref, an index or a name")
ap.add_argument("photos", nargs="+")
a = ap.parse_args()
with clcnn.Session(None, device=a.device) as sess:  # None: the default model
    print(f"clcnn {clcnn.__version__} on {sess.device_name}")
    for path, top in zip(a.photos, clcnn.classify(a.photos, top=5, model=sess)):
        print(path)
        for rank, (index, label, prob) in enumerate(top, 1):
            print(f"{rank:3d}  {prob:.6f}  {index:4d}  {label}")
