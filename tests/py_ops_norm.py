#!/usr/bin/env python3
"""py_ops_norm.py — the "norm" group of ops (LayerNormalization,
InstanceNormalization, GroupNormalization, LRN, the Reduce* family,
ArgMax/ArgMin, Einsum) against onnxruntime through the py_ops harness, at
awkward shapes (odd sizes, channels not a multiple of 4, 1x1/2x2/3x3 planes,
every axis, every attribute variant, the opsets where a form changed), on
the reference and the OpenCL device. Then a few refusals: bad attribute
values must give a one-line error naming the node and a non-zero status.

    python py_ops_norm.py --clcnn build/clcnn [--device ref,cpu] [-k layernorm]
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto as TP
from onnx import helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import py_ops as P  # noqa: E402

rand, node, case = P.rand, P.node, P.case


def int_case(name, params, nodes, inputs, outputs, opset, inits=()):
    """Like P.case, but the outputs are int64 (ArgMax/ArgMin)."""
    vin = [helper.make_tensor_value_info(n, TP.FLOAT, list(a.shape)) for n, a in inputs]
    vout = [helper.make_tensor_value_info(n, TP.INT64, None) for n in outputs]
    g = helper.make_graph(nodes, name, vin, vout, [P.init(n, a) for n, a in inits])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="py_ops")
    m.ir_version = 8 if opset <= 18 else 9
    P.CASES.append((name, params, m, [a for _, a in inputs], False))


# ---- LayerNormalization, InstanceNormalization, GroupNormalization, LRN ------

def layernorm_cases():
    specs = [  # shape, axis, bias, scale shape (None: the normalised shape), epsilon
        ([2, 5, 7], -1, True, None, None),
        ([3, 17], -1, False, None, None),
        ([2, 3, 5, 7], 1, True, None, None),
        ([2, 3, 5, 7], 2, True, None, 1e-3),
        ([2, 3, 5, 7], -2, True, [1, 5, 7], None),
        ([3, 5, 7], 0, True, None, None),
        ([1, 1, 1, 13], -1, True, None, None),   # one row
        ([5, 1], -1, True, None, None),          # rows of one element: y = bias
        ([2, 3, 333], -1, True, None, None),     # longer than a work-group
        ([2, 7, 1000], -1, False, None, 1e-6),
        ([4, 6], -1, True, [1], None),           # one-element scale and bias
        ([2, 9, 24], -1, True, None, None),      # ViT-like (tokens x dim)
    ]
    for i, (shape, axis, bias, sshape, eps) in enumerate(specs):
        ax = axis % len(shape)
        ns = sshape or shape[ax:]
        x = rand(shape, 1000 + i, -3, 3) + np.float32(0.5)
        inits = [("s", rand(ns, 1100 + i, 0.5, 1.5))] + ([("b", rand(ns, 1200 + i))] if bias else [])
        attrs = {"axis": axis}
        if eps is not None:
            attrs["epsilon"] = eps
        case("layernorm", f"shape={shape} axis={axis} bias={bias} scale={ns} eps={eps}",
             [node("LayerNormalization", ["x", "s"] + (["b"] if bias else []), ["y"], **attrs)],
             [("x", x)], ["y"], inits, opset=17)
    # ConvNeXt's LayerNorm2d: channels-last after a Transpose, and back
    x = rand([2, 13, 5, 7], 1300, -2, 2)
    case("layernorm", "ConvNeXt NCHW->NHWC, C=13, ->NCHW",
         [node("Transpose", ["x"], ["t"], perm=[0, 2, 3, 1]),
          node("LayerNormalization", ["t", "s", "b"], ["u"], epsilon=1e-6),
          node("Transpose", ["u"], ["y"], perm=[0, 3, 1, 2])],
         [("x", x)], ["y"], [("s", rand([13], 1301, 0.5, 1.5)), ("b", rand([13], 1302))], opset=18)
    # scale and bias computed at run time (graph inputs), not constants
    case("layernorm", "scale, bias as run-time inputs [3,7,5] axis=-1",
         [node("LayerNormalization", ["x", "s", "b"], ["y"])],
         [("x", rand([3, 7, 5], 1310)), ("s", rand([5], 1311)), ("b", rand([5], 1312))], ["y"],
         opset=17)
    case("groupnorm", "opset 21 scale, bias as run-time inputs",
         [node("GroupNormalization", ["x", "s", "b"], ["y"], num_groups=2)],
         [("x", rand([2, 6, 3, 3], 1313)), ("s", rand([6], 1314)), ("b", rand([6], 1315))], ["y"],
         opset=21)
    # the optional Mean and InvStdDev outputs (all, or only one of them)
    x = rand([3, 4, 5], 1400, -2, 2)
    ins = [("s", rand([5], 1401)), ("b", rand([5], 1402))]
    case("layernorm", "outputs Y, Mean, InvStdDev axis=-1",
         [node("LayerNormalization", ["x", "s", "b"], ["y", "m", "r"])],
         [("x", x)], ["y", "m", "r"], ins, opset=17)
    case("layernorm", "outputs Y, Mean axis=1",
         [node("LayerNormalization", ["x", "s2"], ["y", "m"], axis=1)],
         [("x", x)], ["y", "m"], [("s2", rand([4, 5], 1403))], opset=17)
    case("layernorm", "outputs Y, (none), InvStdDev",
         [node("LayerNormalization", ["x", "s", "b"], ["y", "", "r"])],
         [("x", x)], ["y", "r"], ins, opset=17)


def instancenorm_cases():
    for i, (shape, eps) in enumerate([([1, 3, 7, 7], None), ([2, 5, 1, 1], None),
                                      ([2, 17, 2, 2], 1e-3), ([1, 4, 3, 3, 3], None),
                                      ([2, 3, 13], None), ([1, 6, 33, 31], 1e-6)]):
        c = shape[1]
        attrs = {} if eps is None else {"epsilon": eps}
        case("instancenorm", f"shape={shape} eps={eps}",
             [node("InstanceNormalization", ["x", "s", "b"], ["y"], **attrs)],
             [("x", rand(shape, 1500 + i, -2, 3))], ["y"],
             [("s", rand([c], 1600 + i, 0.5, 1.5)), ("b", rand([c], 1700 + i))], opset=6 if i % 2 else 13)


def groupnorm_cases():
    specs = [([2, 6, 5, 7], 3), ([1, 17, 3, 3], 17), ([2, 5, 4, 4], 1), ([1, 8, 1, 1], 4),
             ([2, 6, 2, 2], 2), ([1, 9, 13], 3)]
    for opset in (18, 21):
        for i, (shape, G) in enumerate(specs):
            c = shape[1]
            nf = G if opset == 18 else c
            case("groupnorm", f"opset {opset} shape={shape} groups={G}",
                 [node("GroupNormalization", ["x", "s", "b"], ["y"], num_groups=G,
                       epsilon=1e-5 if i % 2 else 1e-3)],
                 [("x", rand(shape, 1800 + i, -2, 3))], ["y"],
                 [("s", rand([nf], 1900 + i, 0.5, 1.5)), ("b", rand([nf], 2000 + i))], opset=opset)


def lrn_cases():
    specs = [  # shape, size, alpha, beta, bias
        ([1, 5, 7, 7], 3, None, None, None), ([2, 17, 3, 3], 5, 1e-3, 0.5, 2.0),
        ([1, 6, 2, 2], 3, 0.1, 0.9, 1.0), ([1, 3, 1, 1], 7, 0.5, 0.75, 1.5),
        ([2, 9, 5, 3], 9, 2e-4, 0.75, 1.0), ([1, 4, 13, 11], 1, 0.3, 0.6, 1.2),
    ]  # odd sizes only: onnxruntime refuses even ones (the reference takes them, ceil/floor)
    for i, (shape, size, a, b, bias) in enumerate(specs):
        attrs = {"size": size}
        for k, v in (("alpha", a), ("beta", b), ("bias", bias)):
            if v is not None:
                attrs[k] = v
        case("lrn", f"shape={shape} attrs={attrs}", [node("LRN", ["x"], ["y"], **attrs)],
             [("x", rand(shape, 2100 + i, -3, 3))], ["y"], opset=13 if i % 2 else 12)


# ---- reductions --------------------------------------------------------------

REDUCE_OPS = ["ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
              "ReduceSumSquare", "ReduceLogSumExp", "ReduceMean"]


def input_axes_from(op):
    return 13 if op == "ReduceSum" else 18


def reduce_cases():
    x = rand([2, 3, 5, 7], 2200, -2, 2)
    xp = rand([2, 3, 5, 7], 2201, 0.7, 1.3)   # products stay in range
    x1 = rand([1, 1, 1, 1], 2202)
    x3 = rand([3, 17, 2], 2203, -2, 2)
    axes_specs = [([1], 1), ([-1], 0), ([2, 3], 1), ([0, 2], 0), ([1, 3], 1), ([0, 1, 2, 3], 0),
                  ([0], 1)]
    for op in REDUCE_OPS:
        xin = xp if op == "ReduceProd" else x
        attr_opset = 11 if op == "ReduceSum" else 13
        inp_opset = input_axes_from(op)
        for j, (axes, keep) in enumerate(axes_specs):
            if j % 2 == 0:  # the attribute form
                case(op.lower(), f"opset {attr_opset} axes={axes} keepdims={keep}",
                     [node(op, ["x"], ["y"], axes=axes, keepdims=keep)], [("x", xin)], ["y"],
                     opset=attr_opset)
            else:           # the input form
                case(op.lower(), f"opset {inp_opset} input axes={axes} keepdims={keep}",
                     [node(op, ["x", "axes"], ["y"], keepdims=keep)], [("x", xin)], ["y"],
                     [("axes", np.array(axes, np.int64))], opset=inp_opset)
        case(op.lower(), f"opset {attr_opset} no axes (all) keepdims=0",
             [node(op, ["x"], ["y"], keepdims=0)], [("x", xin)], ["y"], opset=attr_opset)
        case(op.lower(), f"opset {inp_opset} no axes input (all)",
             [node(op, ["x"], ["y"])], [("x", xin)], ["y"], opset=inp_opset)
        case(op.lower(), f"opset {inp_opset} noop_with_empty_axes=1",
             [node(op, ["x"], ["y"], noop_with_empty_axes=1)], [("x", xin)], ["y"], opset=inp_opset)
        case(op.lower(), "1x1x1x1 axes=[2,3]",
             [node(op, ["x"], ["y"], axes=[2, 3])], [("x", x1)], ["y"], opset=attr_opset)
        case(op.lower(), "3x17x2 axes=[1] keepdims=0",
             [node(op, ["x"], ["y"], axes=[1], keepdims=0)],
             [("x", (x3 * 0.3 + 1).astype(np.float32) if op == "ReduceProd" else x3)], ["y"],
             opset=attr_opset)
        # the empty set: the fold's identity (-inf, +inf, 1, 0; Mean 0 as onnxruntime),
        # through a Sigmoid so that the harness compares finite values (it cannot
        # tell -inf from +inf)
        case(op.lower(), "empty set 2x0x4 axes=[1] -> Sigmoid",
             [node(op, ["x", "axes"], ["r"], keepdims=1), node("Sigmoid", ["r"], ["y"])],
             [("x", np.zeros([2, 0, 4], np.float32))], ["y"],
             [("axes", np.array([1], np.int64))], opset=18)
    # LogSumExp of large values: the max is subtracted before exp
    case("reducelogsumexp", "large inputs (|x| ~ 100) axes=[1]",
         [node("ReduceLogSumExp", ["x"], ["y"], axes=[1])],
         [("x", rand([2, 13, 3], 2204, 80, 120))], ["y"], opset=13)


def arg_cases():
    x = rand([2, 3, 5, 7], 2300, -2, 2)
    ties = np.round(rand([3, 7, 5], 2301, -2, 2)).astype(np.float32)  # many equal values
    for op in ("ArgMax", "ArgMin"):
        for axis in (0, 1, -1, 2):
            for keep in (1, 0):
                int_case(op.lower(), f"axis={axis} keepdims={keep}",
                         [node(op, ["x"], ["y"], axis=axis, keepdims=keep)], [("x", x)], ["y"], 13)
        for last in (0, 1):
            for axis in (1, -1):
                int_case(op.lower(), f"ties axis={axis} select_last_index={last}",
                         [node(op, ["x"], ["y"], axis=axis, select_last_index=last)],
                         [("x", ties)], ["y"], 12 if axis == 1 else 13)
        int_case(op.lower(), "opset 11 default axis 0, 1x1", [node(op, ["x"], ["y"])],
                 [("x", rand([1, 1], 2302))], ["y"], 11)
        # an int64 result consumed on the device (Cast back to float)
        case(op.lower(), "-> Cast to float", [node(op, ["x"], ["i"], axis=1),
                                               node("Cast", ["i"], ["y"], to=TP.FLOAT)],
             [("x", x)], ["y"], opset=13)


# ---- Einsum -----------------------------------------------------------------

def einsum_cases():
    specs = [  # equation, input shapes
        ("bij,bjk->bik", [[2, 3, 5], [2, 5, 7]]),
        ("bhwc,hkc->bhwk", [[2, 3, 5, 7], [3, 4, 7]]),      # MaxViT-style relative position
        ("...ij,...jk->...ik", [[2, 3, 5, 7], [2, 3, 7, 4]]),
        ("...ij,...jk->...ik", [[3, 1, 5, 7], [1, 4, 7, 2]]), # ellipsis broadcast (1 stretches)
        ("ij,jk", [[3, 17], [17, 5]]),                        # implicit output
        ("ij->ji", [[3, 5]]),                                 # transpose
        ("bhqd,bhkd->bhqk", [[1, 3, 7, 5], [1, 3, 9, 5]]),    # attention scores
        ("bhqk,bhkd->bhqd", [[2, 2, 5, 9], [2, 2, 9, 3]]),
        ("ii->i", [[5, 5]]),                                  # diagonal
        ("ii", [[4, 4]]),                                     # trace (implicit, scalar)
        ("ij->", [[3, 7]]),                                   # sum of all
        ("i,j->ij", [[3], [5]]),                              # outer product
        ("bn,bn->b", [[4, 13], [4, 13]]),                     # batched dot
        ("nchw->nhwc", [[1, 3, 2, 5]]),
        ("abc,cd->abd", [[1, 1, 1], [1, 1]]),
        ("Bij,Bjk->Bik", [[2, 3, 4], [2, 4, 5]]),             # upper-case letters
        ("ab...,b...->a...", [[3, 4, 2, 5], [4, 2, 5]]),
        ("B G H I D, B G H J D -> B G H I J", [[1, 4, 2, 7, 5], [1, 4, 2, 6, 5]]),  # MaxViT, spaced
        ("B G H I J, B G H J D -> B G H I D", [[1, 4, 2, 7, 6], [1, 4, 2, 6, 5]]),
        ("bij,bjk->bik", [[1, 33, 70], [1, 70, 1]]),          # long sum, one column
        # batched matrix products lowered onto gemm.cl: 4x8 tiles with partial blocks,
        # two batch letters collapsed, strided (transposed) A, shared B
        ("bhij,bhjd->bhid", [[2, 3, 9, 6], [2, 3, 6, 13]]),
        ("bkm,bkn->bmn", [[2, 6, 9], [2, 6, 11]]),
        ("bmk,kn->bmn", [[3, 5, 17], [17, 9]]),
    ]
    for i, (eq, shapes) in enumerate(specs):
        names = ["a", "b"][:len(shapes)]
        case("einsum", f"equation={eq!r} shapes={shapes}",
             [node("Einsum", names, ["y"], equation=eq)],
             [(nm, rand(sh, 2400 + 10 * i + k)) for k, (nm, sh) in enumerate(zip(names, shapes))],
             ["y"], opset=12 if i % 2 else 13)


# ---- refusals ----------------------------------------------------------------

def refusal_models():
    """(what, model, text the one-line error must contain)."""
    out = []

    def model(nodes, x_shape, inits=(), opset=17):
        vin = [helper.make_tensor_value_info("x", TP.FLOAT, x_shape)]
        vout = [helper.make_tensor_value_info("y", TP.FLOAT, None)]
        g = helper.make_graph(nodes, "bad", vin, vout, [P.init(n, a) for n, a in inits])
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
        m.ir_version = 8 if opset <= 18 else 9
        return m

    s5 = ("s", np.ones([5], np.float32))
    out.append(("LayerNormalization stash_type=0",
                model([node("LayerNormalization", ["x", "s"], ["y"], name="ln0", stash_type=0)],
                      [2, 5], [s5]), "stash_type"))
    out.append(("LayerNormalization scale of the wrong shape",
                model([node("LayerNormalization", ["x", "s"], ["y"], name="ln1")], [2, 4], [s5]),
                "ln1"))
    out.append(("GroupNormalization num_groups not dividing C",
                model([node("GroupNormalization", ["x", "s", "s"], ["y"], name="gn", num_groups=2)],
                      [1, 5, 3, 3], [s5], opset=21), "num_groups"))
    out.append(("InstanceNormalization rank 2",
                model([node("InstanceNormalization", ["x", "s", "s"], ["y"], name="in2")],
                      [2, 5], [s5], opset=13), "in2"))
    out.append(("LRN without size",
                model([node("LRN", ["x"], ["y"], name="lrn0")], [1, 5, 3, 3], opset=13), "size"))
    out.append(("ReduceMax axis out of range",
                model([node("ReduceMax", ["x"], ["y"], name="rm", axes=[4])], [1, 5, 3, 3],
                      opset=13), "rm"))
    out.append(("ArgMax axis out of range",
                model([node("ArgMax", ["x"], ["y"], name="am", axis=-3)], [5, 3], opset=13), "am"))
    out.append(("Einsum of three inputs",
                model([node("Einsum", ["x", "x", "x"], ["y"], name="e3", equation="i,i,i->i")],
                      [3], opset=13), "e3"))
    out.append(("Einsum with a bad character",
                model([node("Einsum", ["x"], ["y"], name="e1", equation="i1->i")], [3], opset=13),
                "e1"))
    out.append(("Einsum with a non-ASCII byte (not echoed raw)",
                model([node("Einsum", ["x"], ["y"], name="e4", equation="\u00e9->")], [3], opset=13),
                "byte 0xc3"))
    out.append(("Einsum with letters that disagree",
                model([node("Einsum", ["x", "x"], ["y"], name="e2", equation="ij,ji->i")],
                      [3, 4], opset=13), "e2"))
    return out


def run_refusals(clcnn, devices):
    bad = 0
    with tempfile.TemporaryDirectory(prefix="clcnn_norm_bad_") as tmp:
        for i, (what, m, must) in enumerate(refusal_models()):
            path = os.path.join(tmp, f"bad{i}.onnx")
            onnx.save(m, path)
            shape = [d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim]
            xin = os.path.join(tmp, f"bad{i}_x.npy")
            np.save(xin, np.ones(shape, np.float32))
            for d in devices:
                r = subprocess.run([clcnn, "run", path, "--device", d, "--input", xin, "--output",
                                    os.path.join(tmp, f"bad{i}_{d}.npy")],
                                   capture_output=True, text=True, timeout=60)
                msg = (r.stderr or r.stdout).strip()
                ok = r.returncode not in (0,) and r.returncode > 0 and must in msg \
                    and len(msg.splitlines()) == 1
                if not ok:
                    bad += 1
                    print(f"FAIL refusal [{what}] device={d}: exit {r.returncode}, "
                          f"message {msg!r} (must name {must!r} on one line)", flush=True)
    print(f"refusals: {len(refusal_models()) * len(devices) - bad} passed, {bad} failed")
    return bad


def lrn_numpy(x, size, alpha, beta, bias):
    """LRN as the ONNX operator page writes it: the channel window [c - floor((size-1)/2),
    c + ceil((size-1)/2)] clipped to [0, C), in float64."""
    C = x.shape[1]
    lo, hi = (size - 1) // 2, -(-(size - 1) // 2)
    sq = np.zeros(x.shape, np.float64)
    for c in range(C):
        sq[:, c] = np.sum(x[:, max(0, c - lo):min(C, c + hi + 1)].astype(np.float64) ** 2, axis=1)
    return (x / (bias + alpha / size * sq) ** beta).astype(np.float32)


def run_lrn_even(clcnn, devices):
    """Even LRN sizes: onnxruntime refuses them, so numpy is the oracle here."""
    bad = n = 0
    with tempfile.TemporaryDirectory(prefix="clcnn_norm_lrn_") as tmp:
        for i, (shape, size) in enumerate([([1, 6, 3, 3], 2), ([2, 9, 2, 5], 4), ([1, 3, 1, 1], 6)]):
            x = P.rand(shape, 2500 + i, -3, 3)
            attrs = dict(size=size, alpha=0.3, beta=0.8, bias=1.5)
            vin = [helper.make_tensor_value_info("x", TP.FLOAT, shape)]
            vout = [helper.make_tensor_value_info("y", TP.FLOAT, None)]
            g = helper.make_graph([node("LRN", ["x"], ["y"], **attrs)], "lrn_even", vin, vout)
            m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
            m.ir_version = 8
            path, xin = os.path.join(tmp, f"l{i}.onnx"), os.path.join(tmp, f"l{i}_x.npy")
            onnx.save(m, path)
            np.save(xin, x)
            want = lrn_numpy(x, **attrs)
            for d in devices:
                n += 1
                out = os.path.join(tmp, f"l{i}_{d}.npy")
                r = subprocess.run([clcnn, "run", path, "--device", d, "--input", xin, "--output",
                                    out], capture_output=True, text=True, timeout=60)
                diff = (float(np.max(np.abs(np.load(out) - want))) if r.returncode == 0
                        else float("inf"))
                if not diff <= P.RTOL * float(np.max(np.abs(want))) + P.ATOL:
                    bad += 1
                    print(f"FAIL lrn even size={size} shape={shape} device={d}: exit "
                          f"{r.returncode} max|diff| {diff:.3g} {r.stderr.strip()[:200]}", flush=True)
    print(f"lrn even sizes (numpy oracle): {n - bad} passed, {bad} failed")
    return bad


GENERATORS = (layernorm_cases, instancenorm_cases, groupnorm_cases, lrn_cases, reduce_cases,
              arg_cases, einsum_cases)

if __name__ == "__main__":
    rc = P.main(GENERATORS)
    argv = sys.argv[1:]
    clcnn = argv[argv.index("--clcnn") + 1]
    devs = next((argv[i + 1] for i, a in enumerate(argv) if a == "--device"), "")
    devs = [d for d in devs.split(",") if d] or P.default_devices(clcnn)
    k = next((argv[i + 1] for i, a in enumerate(argv) if a == "-k"), "")
    bad = (run_refusals(clcnn, devs) + run_lrn_even(clcnn, devs)) if not k else 0
    sys.exit(1 if rc or bad else 0)
