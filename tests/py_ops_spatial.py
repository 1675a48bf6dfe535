#!/usr/bin/env python3
"""py_ops_spatial.py — the resampling and spatial ops (Resize, Upsample,
ConvTranspose (1-D to 3-D), DepthToSpace, SpaceToDepth, 1-D and 3-D Conv,
1-D and 3-D pools, dilated AveragePool, MaxPool's Indices) and a small
segmentation-style encoder-decoder, each compared with onnxruntime on ref and
on OpenCL through py_ops's harness (same tolerance, same skip rule), at awkward
shapes: odd sizes, channels not a multiple of 4, 1x1/2x2/3x3 planes, every
attribute variant, the opsets where the form changed.
Then the refusals: attribute values clcnn does not implement must fail with a
one-line message naming the node and the attribute.

    python py_ops_spatial.py --clcnn build/clcnn [--device ref,cpu] [-k resize]
    python py_ops_spatial.py --export DIR [--every N]   (models for ci/oclgrind.sh)
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto as TP
from onnx import helper

sys.dont_write_bytecode = True  # no __pycache__ in the shared source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import py_ops as P  # noqa: E402

F32 = np.float32


def f32(v):
    return np.array(v, F32)


def i64(v):
    return np.array(v, np.int64)


# ---- Resize / Upsample -------------------------------------------------------

COORDS = ["half_pixel", "align_corners", "asymmetric", "pytorch_half_pixel",
          "tf_half_pixel_for_nn"]
NEAREST = ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]


def resize_case(params, x, opset, scales=None, sizes=None, **attrs):
    """Resize at opset >= 11: inputs X, roi (empty), scales, sizes."""
    ins, inits = ["x", "r" if opset < 13 else ""], []
    if opset < 13:
        inits.append(("r", np.zeros([0], F32)))  # opset 11: roi is not optional
    if scales is not None:
        ins.append("s")
        inits.append(("s", f32(scales)))
    elif opset < 13:
        ins.append("s")  # opset 11: scales required, empty with sizes
        inits.append(("s", np.zeros([0], F32)))
    else:
        ins.append("")
    if sizes is not None:
        ins.append("z")
        inits.append(("z", i64(sizes)))
    P.case("resize", f"opset {opset} {list(x.shape)} scales={scales} sizes={sizes} {attrs}",
           [P.node("Resize", ins, ["y"], **attrs)], [("x", x)], ["y"], inits, opset=opset)


def resize_cases():
    x = P.rand([1, 3, 5, 7], 1100)
    # opset 10 (asymmetric, onnxruntime's simple nearest: truncate, ceil when shrinking)
    for mode in ("nearest", "linear"):
        for sc in ([1, 1, 2, 3], [1, 1, 0.6, 0.5], [1, 1, 1.5, 2.5], [1, 1, 3, 0.7]):
            P.case("resize", f"opset 10 mode={mode} scales={sc}",
                   [P.node("Resize", ["x", "s"], ["y"], mode=mode)], [("x", x)], ["y"],
                   [("s", f32(sc))], opset=10)
    # opset 11/13: every coordinate mode with every nearest rounding and linear
    for opset in (11, 13):
        for ct in COORDS:
            for sc in ([1, 1, 2, 2], [1, 1, 1.7, 0.6], [1, 1, 0.5, 3]):
                resize_case(f"{ct}", x, opset, scales=sc, mode="linear",
                            coordinate_transformation_mode=ct)
                for nm in NEAREST:
                    if opset == 13 and sc != [1, 1, 1.7, 0.6]:
                        continue  # opset 13 repeats a subset; opset 11 has them all
                    resize_case(f"{ct}", x, opset, scales=sc, mode="nearest",
                                coordinate_transformation_mode=ct, nearest_mode=nm)
    # sizes: up on one axis, down on the other; output 1; 1x1, 2x2, 3x3 planes
    for shape, sizes in (([1, 3, 5, 7], [1, 3, 9, 4]), ([1, 3, 5, 7], [1, 3, 1, 3]),
                         ([1, 5, 1, 1], [1, 5, 3, 2]), ([2, 3, 2, 2], [2, 3, 5, 5]),
                         ([1, 17, 3, 3], [1, 17, 7, 1]), ([1, 3, 3, 3], [1, 3, 3, 3])):
        xs = P.rand(shape, 1101 + shape[1])
        for ct in ("half_pixel", "align_corners", "pytorch_half_pixel", "asymmetric"):
            resize_case(ct, xs, 13, sizes=sizes, mode="linear", coordinate_transformation_mode=ct)
            resize_case(ct, xs, 13, sizes=sizes, mode="nearest", coordinate_transformation_mode=ct)
    # cubic (Keys, cubic_coeff_a, exclude_outside) with the coordinate modes, up and down
    xc = P.rand([1, 3, 5, 7], 1107)
    for opset in (11, 13):
        for ct in COORDS:
            for sc in ([1, 1, 2, 2], [1, 1, 1.7, 0.6]):
                resize_case("cubic", xc, opset, scales=sc, mode="cubic",
                            coordinate_transformation_mode=ct)
    for a in (-0.75, -0.5):
        for ex in (0, 1):
            for sizes in ([1, 3, 9, 4], [1, 3, 1, 3], [1, 3, 2, 13]):
                resize_case("cubic", xc, 13, sizes=sizes, mode="cubic", cubic_coeff_a=a,
                            exclude_outside=ex)
    resize_case("cubic 1x1, 2x2", P.rand([2, 3, 2, 1], 1108), 13, sizes=[2, 3, 5, 3], mode="cubic",
                coordinate_transformation_mode="align_corners")
    resize_case("cubic rank 2", P.rand([5, 7], 1109), 13, scales=[2.5, 0.5], mode="cubic")
    P.case("resize", "opset 18 axes=[2,3] sizes=[8,9] not_larger cubic",
           [P.node("Resize", ["x", "", "", "z"], ["y"], axes=[2, 3], mode="cubic",
                   keep_aspect_ratio_policy="not_larger")],
           [("x", xc)], ["y"], [("z", i64([8, 9]))], opset=18)
    # nearest on dims other than H, W and other ranks
    resize_case("nearest C and N", P.rand([2, 3, 4, 5], 1102), 13, scales=[2, 1.5, 1, 0.5],
                mode="nearest")
    resize_case("rank 3", P.rand([3, 5, 7], 1103), 13, scales=[1, 2, 0.5], mode="nearest")
    resize_case("rank 2 linear", P.rand([5, 7], 1104), 13, sizes=[9, 3], mode="linear")
    resize_case("rank 5 nearest", P.rand([1, 2, 3, 4, 5], 1105), 13, scales=[1, 1, 2, 1.5, 0.6],
                mode="nearest")
    # opset 18: axes, keep_aspect_ratio_policy; 19: half_pixel_symmetric
    xa = P.rand([1, 3, 5, 7], 1106)
    for pol in ("stretch", "not_larger", "not_smaller"):
        for mode in ("nearest", "linear"):
            P.case("resize", f"opset 18 axes=[2,3] sizes=[8,9] policy={pol} mode={mode}",
                   [P.node("Resize", ["x", "", "", "z"], ["y"], axes=[2, 3], mode=mode,
                           keep_aspect_ratio_policy=pol)],
                   [("x", xa)], ["y"], [("z", i64([8, 9]))], opset=18)
    P.case("resize", "opset 18 axes=[-1] scales=[2.5] linear",
           [P.node("Resize", ["x", "", "s"], ["y"], axes=[-1], mode="linear")],
           [("x", xa)], ["y"], [("s", f32([2.5]))], opset=18)
    P.case("resize", "opset 18 axes=[3,2] scales=[0.5,3] nearest",
           [P.node("Resize", ["x", "", "s"], ["y"], axes=[3, 2], mode="nearest")],
           [("x", xa)], ["y"], [("s", f32([0.5, 3]))], opset=18)
    for mode in ("nearest", "linear"):
        resize_case("symmetric", xa, 19, sizes=[1, 3, 8, 4], mode=mode,
                    coordinate_transformation_mode="half_pixel_symmetric")
        resize_case("symmetric", xa, 19, scales=[1, 1, 1.7, 2.2], mode=mode,
                    coordinate_transformation_mode="half_pixel_symmetric")
    # extrapolation_value has no effect outside tf_crop_and_resize
    resize_case("extrapolation_value", xa, 13, scales=[1, 1, 0.6, 1.4], mode="linear",
                extrapolation_value=3.0)
    resize_antialias_cases()
    resize_crop_cases()


def resize_antialias_cases():
    """antialias=1 (opset 18): linear and cubic filters widened by 1/scale on shrinking
    dims (up to 4 / scale taps), plain on growing ones; nearest ignores it."""
    x = P.rand([2, 3, 7, 9], 1120)
    for mode in ("linear", "cubic"):
        for sizes in ([2, 3, 3, 4], [2, 3, 1, 1], [2, 3, 2, 9], [2, 3, 5, 2], [2, 3, 11, 4]):
            resize_case("antialias", x, 18, sizes=sizes, mode=mode, antialias=1)
        for sc in ([1, 1, 0.45, 0.7], [1, 1, 0.2, 0.34], [1, 1, 1.6, 0.6]):
            resize_case("antialias", x, 18, scales=sc, mode=mode, antialias=1)
        for ct in ("align_corners", "asymmetric", "pytorch_half_pixel", "half_pixel_symmetric"):
            resize_case("antialias", x, 19, sizes=[2, 3, 4, 3], mode=mode, antialias=1,
                        coordinate_transformation_mode=ct)
    for ex in (0, 1):
        resize_case("antialias cubic", x, 18, sizes=[2, 3, 3, 5], mode="cubic", antialias=1,
                    exclude_outside=ex, cubic_coeff_a=-0.5)
    resize_case("antialias 1x1, 2x2 planes", P.rand([1, 5, 2, 1], 1121), 18, sizes=[1, 5, 1, 3],
                mode="linear", antialias=1)
    resize_case("antialias rank 2", P.rand([6, 13], 1122), 18, sizes=[5, 4], mode="cubic",
                antialias=1)
    P.case("resize", "opset 18 axes=[3,2] sizes=[3,4] antialias linear",
           [P.node("Resize", ["x", "", "", "z"], ["y"], axes=[3, 2], mode="linear", antialias=1)],
           [("x", x)], ["y"], [("z", i64([3, 4]))], opset=18)


def resize_crop_cases():
    """tf_crop_and_resize: roi (constant) crops in input coordinates, sizes gives the
    output; positions off the input get extrapolation_value."""
    def crop(params, x, roi, sizes, opset=13, axes=None, **attrs):
        kw = dict(coordinate_transformation_mode="tf_crop_and_resize", **attrs)
        if axes is not None:
            kw["axes"] = axes
        P.case("resize", f"opset {opset} tf_crop_and_resize {params} {list(x.shape)} roi={roi} "
               f"sizes={sizes} {attrs}",
               [P.node("Resize", ["x", "r", "", "z"], ["y"], **kw)], [("x", x)], ["y"],
               [("r", f32(roi)), ("z", i64(sizes))], opset=opset)

    x = P.rand([2, 3, 5, 7], 1130)
    for mode in ("linear", "cubic", "nearest"):
        crop("inside", x, [0, 0, 0.2, 0.1, 1, 1, 0.9, 0.75], [2, 3, 4, 6], mode=mode)
        crop("past every edge", x, [0, 0, -0.3, -0.45, 1, 1, 1.2, 1.35], [2, 3, 7, 5], mode=mode,
             extrapolation_value=-2.5)
        crop("flipped, 1 row", x, [0, 0, 0.8, 0.9, 1, 1, 0.1, -0.2], [2, 3, 1, 9], mode=mode)
        crop("whole", x, [0, 0, 0, 0, 1, 1, 1, 1], [2, 3, 9, 3], mode=mode)
    crop("cubic exclude_outside", x, [0, 0, -0.1, 0.05, 1, 1, 0.7, 1.1], [2, 3, 6, 6], mode="cubic",
         exclude_outside=1)
    # (onnxruntime's nearest copies a dim whose size stays, ignoring its roi: not tested)
    crop("nearest ceil", x, [0, 0, 0.1, 0.3, 1, 1, 0.9, 1.1], [2, 3, 4, 4], mode="nearest",
         nearest_mode="ceil", extrapolation_value=7.0)
    crop("nearest on C and N", P.rand([3, 4, 3, 5], 1131), [0.2, -0.3, 0, 0.1, 0.9, 1.2, 1, 0.8],
         [2, 5, 3, 4], mode="nearest")
    crop("1x1, 2x2 planes", P.rand([1, 3, 2, 1], 1132), [0, 0, -0.5, 0, 1, 1, 0.5, 1], [1, 3, 3, 2],
         mode="linear")
    crop("antialias", x, [0, 0, 0.1, -0.2, 1, 1, 0.8, 0.9], [2, 3, 2, 3], opset=18, mode="linear",
         antialias=1)
    crop("axes", x, [0.1, 0.3, 0.95, 0.8], [4, 4], opset=18, axes=[3, 2], mode="linear")
    # roi fed at run time (the node tests' form): OpenCL rebuilds its table from roi's
    # buffer before the run
    for mode in ("linear", "cubic", "nearest"):
        roi = f32([0, 0, -0.3, 0.15, 1, 1, 0.85, 1.25])
        P.case("resize", f"opset 13 tf_crop_and_resize roi as graph input mode={mode}",
               [P.node("Resize", ["x", "r", "", "z"], ["y"], mode=mode, extrapolation_value=1.5,
                       coordinate_transformation_mode="tf_crop_and_resize")],
               [("x", x), ("r", roi)], ["y"], [("z", i64([2, 3, 6, 5]))])
    P.case("resize", "opset 13 tf_crop_and_resize roi as graph input, nearest crops N and C",
           [P.node("Resize", ["x", "r", "", "z"], ["y"], mode="nearest",
                   coordinate_transformation_mode="tf_crop_and_resize")],
           [("x", x), ("r", f32([0.5, -0.2, 0, 0.1, 1, 0.9, 1, 0.8]))], ["y"],
           [("z", i64([3, 2, 5, 4]))])


def upsample_cases():
    x = P.rand([1, 3, 5, 7], 1200)
    for mode in ("nearest", "linear"):
        for sc in ([1, 1, 2, 2], [1, 1, 1.5, 2.5], [1, 2, 3, 1]):
            if mode == "linear" and sc[1] != 1:
                continue
            P.case("upsample", f"opset 7 attr scales={sc} mode={mode}",
                   [P.node("Upsample", ["x"], ["y"], scales=[float(v) for v in sc], mode=mode)], [("x", x)], ["y"],
                   opset=7)
            P.case("upsample", f"opset 9 input scales={sc} mode={mode}",
                   [P.node("Upsample", ["x", "s"], ["y"], mode=mode)], [("x", x)], ["y"],
                   [("s", f32(sc))], opset=9)


# ---- ConvTranspose ---------------------------------------------------------------

def conv_transpose_cases():
    # (C, M, group, HxW, k, stride, dilation, extra attrs, bias)
    specs = [
        (1, 1, 1, (1, 1), 1, 1, 1, {}, True),
        (3, 5, 1, (5, 7), 3, 2, 1, {"pads": [1, 1, 1, 1]}, True),
        (3, 5, 1, (5, 7), 3, 2, 1, {"pads": [1, 1, 1, 1], "output_padding": [1, 1]}, True),
        (4, 3, 1, (3, 3), 2, 2, 1, {}, False),                       # 2x2 s2 upsampler
        (4, 4, 1, (2, 2), 4, 2, 1, {"pads": [1, 1, 1, 1]}, True),    # k4 s2 p1 (DCGAN)
        (6, 9, 3, (7, 5), 3, 1, 1, {"pads": [1, 0, 2, 1]}, True),    # groups, asymmetric pads
        (5, 5, 5, (4, 6), 3, 2, 1, {"pads": [1, 1, 1, 1], "output_padding": [1, 0]}, True),
        (3, 4, 1, (5, 5), 3, 1, 2, {"pads": [2, 2, 2, 2]}, True),    # dilation 2
        (3, 4, 1, (4, 5), 3, 3, 2, {"output_padding": [2, 1]}, True),
        (3, 2, 1, (3, 5), 3, 2, 1, {"output_shape": [7, 12]}, True),
        (3, 2, 1, (3, 5), 3, 2, 1, {"output_shape": [6, 10]}, True),  # odd computed pads
        (3, 2, 1, (3, 5), 3, 2, 1, {"output_shape": [6, 10], "auto_pad": "SAME_UPPER"}, True),
        (3, 2, 1, (3, 5), 3, 2, 1, {"auto_pad": "SAME_LOWER"}, True),
        (3, 2, 1, (3, 5), 3, 2, 1, {"auto_pad": "SAME_UPPER"}, True),
        (3, 2, 1, (3, 5), 4, 2, 1, {"auto_pad": "SAME_LOWER"}, True),
        (3, 2, 1, (3, 5), 4, 3, 1, {"auto_pad": "SAME_UPPER"}, False),
        (3, 2, 1, (3, 5), 3, 2, 1, {"auto_pad": "VALID"}, True),
        (17, 6, 1, (3, 3), 3, 2, 1, {"pads": [1, 1, 1, 1]}, True),   # 17 channels
        (2, 3, 1, (7, 7), (1, 3), (1, 2), 1, {}, True),              # non-square kernel
    ]
    for i, (c, m, grp, hw, k, st, d, extra, bias) in enumerate(specs):
        kh, kw = (k, k) if isinstance(k, int) else k
        sh, sw = (st, st) if isinstance(st, int) else st
        x = P.rand([2 if i % 4 == 1 else 1, c, hw[0], hw[1]], 1400 + i)
        attrs = dict(group=grp, strides=[sh, sw], dilations=[d, d], **extra)
        if i % 3 == 0:
            attrs["kernel_shape"] = [kh, kw]
        ins = ["x", "w"] + (["b"] if bias else [])
        inits = [("w", P.rand([c, m // grp, kh, kw], 1450 + i))] + \
            ([("b", P.rand([m], 1480 + i))] if bias else [])
        P.case("convtranspose", f"C={c} M={m} group={grp} {hw[0]}x{hw[1]} k={k} s={st} d={d} "
               f"{extra} bias={bias}", [P.node("ConvTranspose", ins, ["y"], **attrs)],
               [("x", x)], ["y"], inits, opset=11)
    # 1-D, weights as a run-time input, and fused into Relu
    x1 = P.rand([1, 3, 9], 1490)
    for attrs in ({"strides": [2], "pads": [1, 1]}, {"strides": [3], "output_padding": [1]},
                  {"strides": [2], "auto_pad": "SAME_UPPER"}, {"group": 3, "dilations": [2]}):
        grp = attrs.get("group", 1)
        P.case("convtranspose", f"1-D {attrs}",
               [P.node("ConvTranspose", ["x", "w", "b"], ["y"], **attrs)], [("x", x1)], ["y"],
               [("w", P.rand([3, 6 // grp, 3], 1491)), ("b", P.rand([6], 1492))], opset=13)
    P.case("convtranspose", "weights at run time + Relu",
           [P.node("ConvTranspose", ["x", "w"], ["c"], strides=[2, 2]), P.node("Relu", ["c"], ["y"])],
           [("x", P.rand([1, 3, 4, 5], 1493)), ("w", P.rand([3, 2, 3, 3], 1494))], ["y"])


# ---- 1-D Conv and pools, MaxPool's Indices ----------------------------------------

def conv_pool_1d_cases():
    # (C, M, group, W, k, stride, dilation, pads or auto_pad, bias)
    specs = [
        (1, 1, 1, 1, 1, 1, 1, [0, 0], True),
        (3, 5, 1, 17, 3, 1, 1, [1, 1], True),
        (3, 4, 1, 13, 5, 2, 1, [2, 1], False),
        (5, 5, 5, 13, 3, 2, 1, [1, 1], True),     # depthwise
        (6, 9, 3, 7, 3, 1, 2, [2, 0], True),      # groups, dilation, asymmetric pads
        (17, 3, 1, 3, 3, 1, 1, [1, 1], True),     # 17 channels, W 3
        (4, 6, 1, 2, 1, 1, 1, [0, 0], True),      # pointwise, W 2
        (3, 4, 1, 12, 4, 2, 1, "SAME_UPPER", True),
        (3, 4, 1, 12, 4, 2, 1, "SAME_LOWER", False),
        (3, 4, 1, 11, 3, 2, 1, "VALID", True),
    ]
    for i, (c, m, grp, w, k, st, d, pad, bias) in enumerate(specs):
        x = P.rand([2 if i % 3 == 1 else 1, c, w], 1500 + i)
        attrs = dict(group=grp, strides=[st], dilations=[d])
        if isinstance(pad, str):
            attrs["auto_pad"] = pad
        else:
            attrs["pads"] = pad
        if i % 2 == 0:
            attrs["kernel_shape"] = [k]
        ins = ["x", "w"] + (["b"] if bias else [])
        inits = [("w", P.rand([m, c // grp, k], 1520 + i))] + \
            ([("b", P.rand([m], 1540 + i))] if bias else [])
        P.case("conv", f"1-D C={c} M={m} group={grp} W={w} k={k} s={st} d={d} pad={pad} bias={bias}",
               [P.node("Conv", ins, ["y"], **attrs)], [("x", x)], ["y"], inits, opset=11)
    # 1-D Conv -> Relu -> MaxPool chain, and a 1-D Conv with weights fed at run time
    x = P.rand([1, 3, 16], 1560)
    P.case("conv", "1-D Conv + Relu + MaxPool",
           [P.node("Conv", ["x", "w"], ["c"], pads=[1, 1]), P.node("Relu", ["c"], ["r"]),
            P.node("MaxPool", ["r"], ["y"], kernel_shape=[2], strides=[2])],
           [("x", x)], ["y"], [("w", P.rand([4, 3, 3], 1561))])
    P.case("conv", "1-D weights at run time",
           [P.node("Conv", ["x", "w"], ["y"], pads=[0, 2])],
           [("x", x), ("w", P.rand([2, 3, 3], 1562))], ["y"])
    pools = [  # op, W, k, s, pads, ceil, count_include_pad, auto_pad, dil
        ("MaxPool", 7, 2, 2, None, 0, 0, None, 1),
        ("MaxPool", 13, 3, 2, [1, 1], 0, 0, None, 1),
        ("MaxPool", 17, 3, 2, None, 1, 0, None, 1),
        ("MaxPool", 13, 3, 1, None, 0, 0, None, 2),
        ("MaxPool", 8, 3, 3, None, 0, 0, "SAME_UPPER", 1),
        ("MaxPool", 1, 1, 1, None, 0, 0, None, 1),
        ("AveragePool", 7, 3, 2, [1, 0], 0, 0, None, 1),
        ("AveragePool", 13, 3, 2, [1, 1], 0, 1, None, 1),
        ("AveragePool", 17, 3, 2, [1, 1], 1, 1, None, 1),
        ("AveragePool", 9, 2, 2, None, 0, 0, "SAME_LOWER", 1),
    ]
    for i, (op, w, k, st, pads, ceil, incl, ap, dil) in enumerate(pools):
        x = P.rand([1, 5, w], 1570 + i)
        attrs = dict(kernel_shape=[k], strides=[st])
        if pads:
            attrs["pads"] = pads
        if ceil:
            attrs["ceil_mode"] = 1
        if ap:
            attrs["auto_pad"] = ap
        if op == "AveragePool":
            attrs["count_include_pad"] = incl
        if dil != 1:
            attrs["dilations"] = [dil]
        P.case(op.lower(), f"1-D W={w} k={k} s={st} pads={pads} ceil={ceil} incl={incl} "
               f"auto_pad={ap} dil={dil}", [P.node(op, ["x"], ["y"], **attrs)], [("x", x)], ["y"],
               opset=12)
    # MaxPool's Indices (int64, cast to float to compare; a known gap on OpenCL)
    xi = P.rand([2, 3, 7, 9], 1590)
    xi[0, 0, 1, :] = xi[0, 0, 1, 0]  # a row of equal values: the first one wins
    for shape, attrs in (([2, 3, 7, 9], dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])),
                         ([2, 3, 7, 9], dict(kernel_shape=[2, 3], storage_order=1)),
                         ([2, 3, 7, 9], dict(kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1,
                                             dilations=[1, 2])),
                         ([1, 3, 11], dict(kernel_shape=[3], strides=[2], pads=[1, 1]))):
        x = xi if len(shape) == 4 else P.rand(shape, 1591)
        P.case("maxpool", f"Indices {shape} {attrs}",
               [P.node("MaxPool", ["x"], ["v", "i"], **attrs),
                P.node("Cast", ["i"], ["y"], to=TP.FLOAT), P.node("Identity", ["v"], ["z"])],
               [("x", x)], ["y", "z"], opset=12, int_runtime=True)


# ---- 3-D pools (N,C,D,H,W), dilated AveragePool ------------------------------------

def pool_3d_cases():
    # op, (D, H, W), k, strides, pads, ceil, count_include_pad, auto_pad, dilations
    specs = [
        ("MaxPool", (5, 7, 9), (2, 2, 2), (2, 2, 2), None, 0, 0, None, None),
        ("MaxPool", (1, 1, 1), (1, 1, 1), (1, 1, 1), None, 0, 0, None, None),
        ("MaxPool", (3, 2, 3), (3, 2, 3), (1, 1, 1), None, 0, 0, None, None),
        ("MaxPool", (6, 5, 7), (3, 3, 2), (2, 1, 2), [1, 0, 1, 2, 1, 0], 0, 0, None, None),
        ("MaxPool", (7, 9, 8), (3, 2, 3), (2, 2, 1), None, 1, 0, None, (2, 1, 2)),
        ("MaxPool", (5, 6, 7), (3, 3, 3), (2, 2, 2), None, 0, 0, "SAME_UPPER", None),
        ("AveragePool", (5, 7, 9), (3, 3, 3), (2, 2, 2), [1, 1, 1, 1, 1, 1], 0, 0, None, None),
        ("AveragePool", (5, 7, 9), (3, 3, 3), (2, 2, 2), [1, 1, 1, 1, 1, 1], 0, 1, None, None),
        ("AveragePool", (6, 5, 7), (2, 3, 3), (2, 2, 2), [0, 1, 2, 1, 0, 1], 1, 1, None, None),
        ("AveragePool", (2, 3, 2), (2, 2, 2), (1, 1, 1), None, 0, 0, None, None),
        ("AveragePool", (5, 6, 7), (2, 3, 2), (2, 2, 3), None, 0, 0, "SAME_LOWER", None),
        ("AveragePool", (7, 9, 8), (3, 2, 3), (2, 1, 2), [1, 0, 2, 1, 1, 0], 1, 0, None, (2, 2, 1)),
        ("AveragePool", (7, 9, 8), (2, 3, 2), (1, 2, 2), [1, 2, 1, 1, 1, 1], 0, 1, None, (2, 2, 3)),
    ]
    for i, (op, dhw, k, st, pads, ceil, incl, ap, dil) in enumerate(specs):
        x = P.rand([2 if i % 4 == 3 else 1, 3 if i % 2 else 5, *dhw], 1600 + i)
        attrs = dict(kernel_shape=list(k), strides=list(st))
        if pads:
            attrs["pads"] = pads
        if ceil:
            attrs["ceil_mode"] = 1
        if ap:
            attrs["auto_pad"] = ap
        if op == "AveragePool":
            attrs["count_include_pad"] = incl
        if dil:
            attrs["dilations"] = list(dil)
        P.case(op.lower(), f"3-D {dhw} k={k} s={st} pads={pads} ceil={ceil} incl={incl} "
               f"auto_pad={ap} dil={dil}", [P.node(op, ["x"], ["y"], **attrs)], [("x", x)], ["y"],
               opset=19 if dil and op == "AveragePool" else 12)
    # dilated 2-D AveragePool (opset 19) runs on pool3d on OpenCL as depth 1
    for hw, k, st, pads, ceil, incl, dil in (((9, 11), 3, 1, [1, 1, 1, 1], 0, 0, 2),
                                            ((13, 8), 2, 2, [0, 1, 1, 0], 1, 1, 3),
                                            ((3, 3), 2, 1, None, 0, 0, 2)):
        attrs = dict(kernel_shape=[k, k], strides=[st, st], dilations=[dil, dil],
                     count_include_pad=incl)
        if pads:
            attrs["pads"] = pads
        if ceil:
            attrs["ceil_mode"] = 1
        P.case("averagepool", f"2-D {hw} k={k} s={st} pads={pads} ceil={ceil} incl={incl} dil={dil}",
               [P.node("AveragePool", ["x"], ["y"], **attrs)], [("x", P.rand([1, 3, *hw], 1620 + k))],
               ["y"], opset=19)
    for op in ("GlobalAveragePool", "GlobalMaxPool"):
        for shape in ([1, 5, 3, 7, 7], [2, 3, 1, 1, 1]):
            P.case(op.lower(), f"3-D shape={shape}", [P.node(op, ["x"], ["y"])],
                   [("x", P.rand(shape, 1630 + shape[1]))], ["y"])
    # MaxPool's Indices on a 3-D input (reference; row-major)
    P.case("maxpool", "Indices 3-D [1, 3, 4, 5, 6] k=(2, 3, 2) pads",
           [P.node("MaxPool", ["x"], ["v", "i"], kernel_shape=[2, 3, 2], strides=[2, 2, 1],
                   pads=[1, 1, 0, 0, 1, 1]),
            P.node("Cast", ["i"], ["y"], to=TP.FLOAT), P.node("Identity", ["v"], ["z"])],
           [("x", P.rand([1, 3, 4, 5, 6], 1640))], ["y", "z"], opset=12, int_runtime=True)


# ---- 3-D ConvTranspose (N,C,D,H,W) -------------------------------------------------

def conv_transpose_3d_cases():
    # C, M/group, group, (D, H, W), k, strides, dilations, attrs, bias
    specs = [
        (1, 1, 1, (1, 1, 1), (1, 1, 1), (1, 1, 1), (1, 1, 1), {}, False),
        (3, 2, 1, (3, 4, 5), (3, 3, 3), (1, 1, 1), (1, 1, 1), {}, True),
        (3, 5, 1, (2, 3, 3), (2, 3, 2), (2, 2, 2), (1, 1, 1), {}, True),
        (6, 2, 3, (3, 2, 5), (3, 2, 3), (2, 1, 3), (1, 1, 1), {"pads": [1, 0, 1, 0, 1, 2]}, True),
        (5, 1, 5, (3, 3, 2), (2, 2, 2), (2, 2, 2), (2, 1, 2), {"output_padding": [1, 1, 0]}, False),
        (2, 3, 1, (2, 3, 4), (3, 2, 3), (3, 2, 2), (1, 1, 1), {"output_padding": [2, 1, 1],
                                                              "pads": [1, 1, 0, 0, 1, 1]}, True),
        (4, 3, 2, (3, 3, 3), (3, 3, 3), (2, 2, 2), (1, 1, 1), {"auto_pad": "SAME_UPPER"}, True),
        (4, 3, 2, (3, 2, 3), (2, 3, 2), (2, 2, 1), (1, 1, 1), {"output_shape": [5, 4, 4]}, False),
        (3, 4, 1, (2, 2, 3), (2, 2, 2), (1, 1, 2), (2, 2, 1), {"auto_pad": "SAME_LOWER"}, True),
    ]
    for i, (c, mg, grp, dhw, k, st, dil, extra, bias) in enumerate(specs):
        x = P.rand([2 if i % 3 == 2 else 1, c, *dhw], 1650 + i)
        attrs = dict(group=grp, strides=list(st), dilations=list(dil), **extra)
        if i % 2:
            attrs["kernel_shape"] = list(k)
        ins = ["x", "w"] + (["b"] if bias else [])
        inits = [("w", P.rand([c, mg, *k], 1670 + i))] + \
            ([("b", P.rand([mg * grp], 1690 + i))] if bias else [])
        P.case("convtranspose", f"3-D C={c} M={mg * grp} group={grp} {dhw} k={k} s={st} d={dil} "
               f"{extra} bias={bias}", [P.node("ConvTranspose", ins, ["y"], **attrs)], [("x", x)],
               ["y"], inits, opset=11)
    P.case("convtranspose", "3-D + Relu (fused), weights at run time",
           [P.node("ConvTranspose", ["x", "w"], ["c"], strides=[2, 2, 2]), P.node("Relu", ["c"], ["y"])],
           [("x", P.rand([1, 3, 2, 3, 2], 1710)), ("w", P.rand([3, 2, 2, 2, 3], 1711))], ["y"])


# ---- 3-D Conv (N,C,D,H,W) ---------------------------------------------------------

def conv_3d_cases():
    # C, M, group, (D, H, W), k, strides, dilations, pads or auto_pad, bias
    specs = [
        (1, 1, 1, (1, 1, 1), (1, 1, 1), (1, 1, 1), (1, 1, 1), None, False),
        (3, 5, 1, (5, 6, 7), (3, 3, 3), (1, 1, 1), (1, 1, 1), [1, 1, 1, 1, 1, 1], True),
        (4, 6, 2, (6, 5, 7), (3, 2, 3), (2, 2, 1), (1, 1, 1), [1, 0, 2, 0, 1, 1], True),
        (5, 5, 5, (4, 5, 6), (3, 3, 3), (2, 1, 2), (2, 1, 1), [2, 1, 1, 1, 1, 0], False),
        (17, 3, 1, (3, 3, 2), (1, 1, 1), (1, 1, 1), (1, 1, 1), None, True),
        (3, 4, 1, (7, 5, 6), (2, 3, 2), (2, 2, 3), (1, 1, 1), "SAME_UPPER", True),
        (3, 4, 1, (6, 6, 5), (3, 2, 2), (2, 3, 2), (1, 1, 1), "SAME_LOWER", False),
        (2, 3, 1, (2, 3, 3), (2, 3, 3), (1, 1, 1), (1, 1, 1), "VALID", True),
    ]
    for i, (c, m, grp, dhw, k, st, dil, pad, bias) in enumerate(specs):
        x = P.rand([2 if i % 3 == 1 else 1, c, *dhw], 1720 + i)
        attrs = dict(group=grp, strides=list(st), dilations=list(dil))
        if isinstance(pad, str):
            attrs["auto_pad"] = pad
        elif pad:
            attrs["pads"] = pad
        if i % 2 == 0:
            attrs["kernel_shape"] = list(k)
        ins = ["x", "w"] + (["b"] if bias else [])
        inits = [("w", P.rand([m, c // grp, *k], 1740 + i))] + \
            ([("b", P.rand([m], 1760 + i))] if bias else [])
        P.case("conv", f"3-D C={c} M={m} group={grp} {dhw} k={k} s={st} d={dil} pad={pad} "
               f"bias={bias}", [P.node("Conv", ins, ["y"], **attrs)], [("x", x)], ["y"], inits,
               opset=11)
    # Conv + BatchNormalization (folded at load) + residual Add + Relu (the fused epilogue)
    x = P.rand([1, 4, 3, 5, 4], 1780)
    P.case("conv", "3-D Conv + BatchNormalization + Add + Relu",
           [P.node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1, 1, 1]),
            P.node("BatchNormalization", ["c", "s", "bb", "m", "v"], ["n"]),
            P.node("Add", ["n", "x"], ["a"]), P.node("Relu", ["a"], ["y"])],
           [("x", x)], ["y"],
           [("w", P.rand([4, 4, 3, 3, 3], 1781)), ("b", P.rand([4], 1782)),
            ("s", P.rand([4], 1783, 0.5, 2)), ("bb", P.rand([4], 1784)), ("m", P.rand([4], 1785)),
            ("v", P.rand([4], 1786, 0.1, 2))])
    P.case("conv", "3-D weights at run time",
           [P.node("Conv", ["x", "w"], ["y"], strides=[1, 2, 1])],
           [("x", P.rand([1, 3, 3, 5, 4], 1787)), ("w", P.rand([2, 3, 2, 2, 2], 1788))], ["y"])


# ---- DepthToSpace / SpaceToDepth ------------------------------------------------

def depth_space_cases():
    for shape, b in (([1, 4, 1, 1], 2), ([2, 12, 3, 5], 2), ([1, 18, 2, 3], 3), ([1, 5, 3, 3], 1),
                     ([1, 36, 3, 1], 3)):
        x = P.rand(shape, 1300 + shape[1])
        P.case("depthtospace", f"opset 9 {shape} blocksize={b} (DCR, no mode)",
               [P.node("DepthToSpace", ["x"], ["y"], blocksize=b)], [("x", x)], ["y"], opset=9)
        for mode in ("DCR", "CRD"):
            P.case("depthtospace", f"opset 13 {shape} blocksize={b} mode={mode}",
                   [P.node("DepthToSpace", ["x"], ["y"], blocksize=b, mode=mode)], [("x", x)], ["y"])
    for shape, b in (([1, 1, 2, 2], 2), ([2, 3, 6, 10], 2), ([1, 5, 9, 3], 3), ([1, 3, 3, 3], 1),
                     ([1, 7, 4, 8], 4)):
        x = P.rand(shape, 1350 + shape[1])
        P.case("spacetodepth", f"opset 13 {shape} blocksize={b}",
               [P.node("SpaceToDepth", ["x"], ["y"], blocksize=b)], [("x", x)], ["y"])
        for mode in ("DCR", "CRD"):
            P.case("spacetodepth", f"opset 28 {shape} blocksize={b} mode={mode}",
                   [P.node("SpaceToDepth", ["x"], ["y"], blocksize=b, mode=mode)], [("x", x)], ["y"],
                   opset=28)
    # a round trip through both, as a pixel-shuffle upsampler does
    x = P.rand([1, 3, 4, 6], 1399)
    P.case("depthtospace", "SpaceToDepth then DepthToSpace CRD, b=2",
           [P.node("SpaceToDepth", ["x"], ["t"], blocksize=2),
            P.node("DepthToSpace", ["t"], ["y"], blocksize=2, mode="CRD")], [("x", x)], ["y"])


# ---- a segmentation-style encoder-decoder -----------------------------------------

def segnet_cases():
    """Conv stride 2 encoder, a decoder with Resize (bilinear, half_pixel and
    align_corners, as PyTorch exports align_corners=False/True; pytorch_half_pixel)
    and ConvTranspose upsampling, skip connections by Concat, at odd sizes."""
    H, W = 29, 35
    for opset in (11, 13, 18):
        r = ["roi"] if opset < 13 else [""]
        roi = [("roi", np.zeros([0], F32))] if opset < 13 else []
        empty = [("none", np.zeros([0], F32))] if opset < 13 else []
        no_scales = ["none"] if opset < 13 else [""]
        nodes = [
            P.node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1]), P.node("Relu", ["c1"], ["e1"]),
            P.node("Conv", ["e1", "w2", "b2"], ["c2"], pads=[1, 1, 1, 1], strides=[2, 2]),
            P.node("Relu", ["c2"], ["e2"]),
            P.node("Conv", ["e2", "w3", "b3"], ["c3"], pads=[1, 1, 1, 1], strides=[2, 2]),
            P.node("Relu", ["c3"], ["e3"]),
            # bilinear up to e2's size, align_corners=False (half_pixel)
            P.node("Resize", ["e3"] + r + no_scales + ["sz2"], ["u3"], mode="linear",
                   coordinate_transformation_mode="half_pixel"),
            P.node("Concat", ["u3", "e2"], ["k2"], axis=1),
            P.node("Conv", ["k2", "w4", "b4"], ["c4"], pads=[1, 1, 1, 1]), P.node("Relu", ["c4"], ["d2"]),
            # learned 2x upsampling back to e1's size
            P.node("ConvTranspose", ["d2", "wt", "bt"], ["t1"], strides=[2, 2], pads=[1, 1, 1, 1]),
            P.node("Relu", ["t1"], ["d1"]),
            P.node("Concat", ["d1", "e1"], ["k1"], axis=1),
            P.node("Conv", ["k1", "w5", "b5"], ["logits"]),
            # the head's 2x upsampling, align_corners=True
            P.node("Resize", ["logits"] + r + ["s2"], ["y"], mode="linear",
                   coordinate_transformation_mode="align_corners"),
            # an auxiliary head straight from the bottleneck: pytorch_half_pixel to the input size
            P.node("Conv", ["e3", "w6"], ["a3"]),
            P.node("Resize", ["a3"] + r + no_scales + ["sz0"], ["aux"], mode="linear",
                   coordinate_transformation_mode="pytorch_half_pixel"),
        ]
        inits = roi + empty + [
            ("w1", P.rand([8, 3, 3, 3], 1701)), ("b1", P.rand([8], 1702)),
            ("w2", P.rand([12, 8, 3, 3], 1703)), ("b2", P.rand([12], 1704)),
            ("w3", P.rand([16, 12, 3, 3], 1705)), ("b3", P.rand([16], 1706)),
            ("sz2", i64([1, 16, 15, 18])),
            ("w4", P.rand([12, 28, 3, 3], 1707)), ("b4", P.rand([12], 1708)),
            ("wt", P.rand([12, 8, 3, 3], 1709)), ("bt", P.rand([8], 1710)),
            ("w5", P.rand([5, 16, 1, 1], 1711)), ("b5", P.rand([5], 1712)),
            ("s2", f32([1, 1, 2, 2])),
            ("w6", P.rand([5, 16, 1, 1], 1713)), ("sz0", i64([1, 5, H, W])),
        ]
        P.case("segnet", f"opset {opset} {H}x{W} encoder-decoder (Resize half_pixel, align_corners, "
               f"pytorch_half_pixel; ConvTranspose; Concat skips)", nodes,
               [("x", P.rand([1, 3, H, W], 1700))], ["y", "aux"], inits, opset=opset)


# ---- refusals ------------------------------------------------------------------

def refusal_models():
    """(what, model, words the one-line error must contain)."""
    x = helper.make_tensor_value_info("x", TP.FLOAT, [1, 3, 4, 4])
    y = helper.make_tensor_value_info("y", TP.FLOAT, None)
    s = P.init("s", f32([1, 1, 2, 2]))

    def model(node, opset, inits=(s,)):
        g = helper.make_graph([node], "bad", [x], [y], list(inits))
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
        m.ir_version = 8 if opset <= 18 else 9
        return m

    return [
        ("Resize mode", model(helper.make_node("Resize", ["x", "", "s"], ["y"], name="rz",
                                               mode="lanczos"), 13), ["rz", "mode", "lanczos"]),
        ("Resize antialias=2", model(helper.make_node("Resize", ["x", "", "s"], ["y"], name="rz",
                                                      mode="linear", antialias=2), 18),
         ["rz", "antialias"]),
        ("Resize tf_crop_and_resize with scales",
         model(helper.make_node("Resize", ["x", "r", "s"], ["y"], name="rz",
                                coordinate_transformation_mode="tf_crop_and_resize"), 13,
               (s, P.init("r", f32([0, 0, 0, 0, 1, 1, 1, 1])))),
         ["rz", "tf_crop_and_resize", "scales"]),
        ("Resize tf_crop_and_resize roi size",
         model(helper.make_node("Resize", ["x", "r", "", "z"], ["y"], name="rz",
                                coordinate_transformation_mode="tf_crop_and_resize"), 13,
               (P.init("z", i64([1, 3, 2, 2])), P.init("r", f32([0, 0, 1, 1])))),
         ["rz", "roi", "8"]),
        ("Resize linear on C", model(helper.make_node("Resize", ["x", "", "t"], ["y"], name="rz",
                                                      mode="linear"), 13,
                                     (P.init("t", f32([1, 2, 2, 2])),)), ["rz", "linear", "dim 1"]),
        ("DepthToSpace mode", model(helper.make_node("DepthToSpace", ["x"], ["y"], name="d2s",
                                                     blocksize=2, mode="XYZ"), 13, ()),
         ["d2s", "mode", "XYZ"]),
        ("DepthToSpace channels", model(helper.make_node("DepthToSpace", ["x"], ["y"], name="d2s",
                                                         blocksize=3), 13, ()),
         ["d2s", "blocksize"]),
        ("ConvTranspose output_padding",
         model(helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="ct", strides=[2, 2],
                                output_padding=[2, 2]), 13, (P.init("w", P.rand([3, 2, 3, 3], 2)),)),
         ["ct", "output_padding"]),
        ("MaxPool kernel_shape", model(helper.make_node("MaxPool", ["x"], ["y"], name="mp",
                                                        kernel_shape=[2]), 13, ()),
         ["mp", "kernel_shape"]),
    ]


def check_refusals(clcnn, devices):
    bad = 0
    with tempfile.TemporaryDirectory(prefix="clcnn_spatial_bad_") as tmp:
        xin = os.path.join(tmp, "x.npy")
        np.save(xin, P.rand([1, 3, 4, 4], 1))
        for i, (what, m, words) in enumerate(refusal_models()):
            path = os.path.join(tmp, f"b{i}.onnx")
            onnx.save(m, path)
            for d in devices:
                r = subprocess.run([clcnn, "run", path, "--device", d, "--input", xin, "--output",
                                    os.path.join(tmp, "o.npy")], capture_output=True, text=True,
                                   timeout=120)
                msg = (r.stderr or r.stdout).strip()
                lines = msg.splitlines()
                ok = (r.returncode not in (0,) and r.returncode > 0 and len(lines) == 1 and
                      all(w in msg for w in words))
                if not ok:
                    bad += 1
                    print(f"FAIL refusal {what} device={d}: exit {r.returncode}, {msg!r} "
                          f"(want one line with {words})", flush=True)
    print(f"refusals: {len(refusal_models()) * len(devices) - bad} passed, {bad} failed")
    return bad


GENERATORS = [resize_cases, upsample_cases, conv_transpose_cases,
              conv_pool_1d_cases, pool_3d_cases, conv_transpose_3d_cases, conv_3d_cases,
              depth_space_cases, segnet_cases]

def export(out_dir, every):
    """Writes every `every`-th case's model (and every segnet) that OpenCL runs to
    out_dir, for ci/oclgrind.sh to compare under Oclgrind."""
    for gen in GENERATORS:
        gen()
    os.makedirs(out_dir, exist_ok=True)
    n = 0
    for i, (name, _params, model, _feeds, int_runtime) in enumerate(P.CASES):
        # clcnn compare feeds random values to every graph input: a run-time Resize roi
        # would crop N and C, which linear and cubic refuse on OpenCL at run time
        graph_in = {v.name for v in model.graph.input}
        roi_in = any(n.op_type == "Resize" and len(n.input) > 1 and n.input[1] in graph_in
                     for n in model.graph.node)
        if not int_runtime and not roi_in and (i % every == 0 or name == "segnet"):
            onnx.save(model, os.path.join(out_dir, f"spatial_{i:03d}_{name}.onnx"))
            n += 1
    print(f"exported {n} models to {out_dir}")


if __name__ == "__main__":
    if "--export" in sys.argv:  # py_ops_spatial.py --export DIR [--every N]
        a = sys.argv
        sys.exit(export(a[a.index("--export") + 1],
                        int(a[a.index("--every") + 1]) if "--every" in a else 1))
    rc = P.main(GENERATORS)
    args = [a for a in sys.argv[1:]]
    clcnn = args[args.index("--clcnn") + 1]
    devs = ([d for d in args[args.index("--device") + 1].split(",") if d]
            if "--device" in args else P.default_devices(clcnn))
    if "-k" not in args or "refus" in args[args.index("-k") + 1]:
        rc |= 1 if check_refusals(clcnn, devs) else 0
    sys.exit(rc)
