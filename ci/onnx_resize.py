#!/usr/bin/env python3
"""onnx_resize.py — copies an NCHW image model with its input set to S x S
(weights inlined, inferred shapes dropped so the loader infers them again):
ci/oclgrind.sh runs the zoo's narrow models at 32x32, where the simulator
takes seconds instead of minutes. Usage: onnx_resize.py IN.onnx OUT.onnx S"""
import sys

import onnx


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    src, dst, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    m = onnx.load(src)  # external data (dynamo exports) is read and inlined on save
    dims = m.graph.input[0].type.tensor_type.shape.dim
    if len(dims) != 4:
        sys.exit(f"{src}: input is not NCHW ({len(dims)} dims)")
    dims[2].dim_value = size
    dims[3].dim_value = size
    del m.graph.value_info[:]
    onnx.save(m, dst)


if __name__ == "__main__":
    main()
