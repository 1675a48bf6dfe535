#!/usr/bin/env python3
"""py_light.py — the nine small CNNs the `onnx` package ships (its
backend/test/data/light models: AlexNet, VGG19, ResNet50, DenseNet121,
Inception v1/v2, ShuffleNet, SqueezeNet, ZFNet512; every weight is a
ConstantOfShape of a constant shape, folded at load) run through
`clcnn run` on the reference backend and on OpenCL (cpu, when listed) and
compared with onnxruntime on the same seeded random input at the model's
input shape (tests/py_ops.py's harness and tolerance).

    python py_light.py --clcnn build/clcnn [--device ref,cpu] [-k vgg]
"""
import os
import sys

import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import py_ops as P  # noqa: E402

LIGHT = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "light")


def light_cases():
    names = sorted(f for f in os.listdir(LIGHT) if f.endswith(".onnx"))
    if len(names) != 9:  # the package changed: say so rather than test fewer
        raise SystemExit(f"expected the 9 light models in {LIGHT}, found {names}")
    for i, f in enumerate(names):
        m = onnx.load(os.path.join(LIGHT, f))
        inits = {t.name for t in m.graph.initializer}
        feeds = []
        for vi in m.graph.input:  # opset-9 files list initializers as inputs too
            if vi.name in inits:
                continue
            shape = [d.dim_value for d in vi.type.tensor_type.shape.dim]
            feeds.append(P.rand(shape, 1000 + i))
        P.CASES.append((f"light_{f[6:-5]}", f"input {[list(a.shape) for a in feeds]} seed {1000 + i}",
                        m, feeds, False))


if __name__ == "__main__":
    sys.exit(P.main([light_cases]))
