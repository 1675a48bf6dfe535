#!/usr/bin/env python3
"""py_ops_training.py — the deterministic training-mode forms clcnn runs:
BatchNormalization with training_mode=1 (batch statistics, running_mean /
running_var outputs; on OpenCL spelled out by host/passes/bn_training.c) and
Dropout with training_mode true and ratio 0 (y = x, mask all true), against
onnxruntime through the py_ops harness at awkward shapes, on the reference and
the OpenCL device. Then what clcnn must refuse, each with a one-line error
naming the node and a non-zero exit: a nonzero Dropout ratio in training (at
load when constant, at run time on the reference when fed at run time; the
OpenCL path refuses a run-time ratio at load) and the pre-14 training forms
of BatchNormalization. A run-time ratio of 0 is checked on the reference
against numpy (the harness runs every case on every device).

    python py_ops_training.py --clcnn build/clcnn [--device ref,cpu] [-k batchnorm]
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


def mask_case(name, params, nodes, inputs, outputs, inits=(), opset=15):
    """P.case where an output named "mask" is bool (Dropout's)."""
    vin = [helper.make_tensor_value_info(n, TP.FLOAT, list(a.shape)) for n, a in inputs]
    vout = [helper.make_tensor_value_info(n, TP.BOOL if n == "mask" else TP.FLOAT, None)
            for n in outputs]
    g = helper.make_graph(nodes, name, vin, vout, [P.init(n, a) for n, a in inits])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="py_ops")
    m.ir_version = 8 if opset <= 18 else 9
    P.CASES.append((name, params, m, [a for _, a in inputs], False))


# ---- BatchNormalization, training_mode=1 -------------------------------------

def bn_params(c, seed):
    return {"s": rand([c], seed, 0.5, 1.5), "b": rand([c], seed + 1), "m": rand([c], seed + 2),
            "v": rand([c], seed + 3, 0.2, 2.0)}


def bn_training_cases():
    specs = [  # shape, epsilon, momentum, outputs (3: y + running stats), x offset
        ([2, 3, 5, 7], None, None, 3, 0.0),      # the awkward shape the issue names
        ([2, 3, 5, 7], 1e-3, 0.8, 3, 0.0),
        ([2, 3, 5, 7], 1e-2, 0.0, 3, 0.0),       # momentum 0: running = batch statistics
        ([2, 3, 5, 7], None, 1.0, 3, 0.0),       # momentum 1: running = given statistics
        ([2, 3, 5, 7], None, None, 1, 0.0),      # Y only read (running outputs dangle; the
                                                 # "" form crashes onnxruntime: run_specials)
        ([5, 3], None, 0.7, 3, 0.0),             # rank 2: N, C
        ([2, 17, 9], 1e-4, 0.9, 3, 0.0),         # rank 3, C = 17
        ([3, 5, 1, 1], None, 0.5, 3, 0.0),       # 1x1 planes
        ([1, 6, 2, 2], None, 0.9, 3, 0.0),       # 2x2 plane, N = 1
        ([2, 3, 3, 3], None, 0.9, 3, 0.0),       # 3x3 planes
        ([2, 3, 2, 3, 5], 1e-3, 0.6, 3, 0.0),    # rank 5
        ([2, 5, 33, 31], None, 0.9, 3, 0.0),     # longer than a work-group per channel
        ([2, 3, 5, 7], None, 0.9, 3, 100.0),     # mean far from 0: a one-pass variance loses it
    ]
    for i, (shape, eps, mom, nout, off) in enumerate(specs):
        c = shape[1]
        attrs = {"training_mode": 1}
        if eps is not None:
            attrs["epsilon"] = eps
        if mom is not None:
            attrs["momentum"] = mom
        outs = ["y", "rm", "rv"][:nout]
        p = bn_params(c, 3000 + 10 * i)
        x = rand(shape, 3005 + 10 * i, -3, 3) + np.float32(off)
        case("batchnorm_training", f"shape={shape} eps={eps} momentum={mom} outputs={nout} x+{off}",
             [node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y", "rm", "rv"], **attrs)],
             [("x", x)], outs, sorted(p.items()), opset=15)
    # every operand fed at run time, as the ONNX node tests do
    p = bn_params(3, 3500)
    case("batchnorm_training", "shape=[2,3,5,7] scale/bias/mean/var as run-time inputs, opset 14",
         [node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y", "rm", "rv"], training_mode=1,
               momentum=0.75)],
         [("x", rand([2, 3, 5, 7], 3505, -2, 2))] + sorted(p.items()), ["y", "rm", "rv"], opset=14)
    # after a Conv: BN folding must leave a training BN alone
    p = bn_params(5, 3600)
    case("batchnorm_training", "Conv 3->5 3x3 pad 1 then training BN then Relu",
         [node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
          node("BatchNormalization", ["c", "s", "b", "m", "v"], ["t", "rm", "rv"], training_mode=1),
          node("Relu", ["t"], ["y"])],
         [("x", rand([2, 3, 5, 7], 3605))], ["y", "rm", "rv"],
         [("w", rand([5, 3, 3, 3], 3606))] + sorted(p.items()), opset=15)
    # x a constant: folded at load by the reference's own training form (bn_ref.c)
    p = bn_params(3, 3650)
    case("batchnorm_training", "constant x [2,3,5,7] folded at load, then + a run-time input",
         [node("BatchNormalization", ["k", "s", "b", "m", "v"], ["t", "rm0", "rv0"], training_mode=1,
               momentum=0.6),
          node("Add", ["t", "x"], ["y"]), node("Add", ["rm0", "z"], ["rm"]), node("Add", ["rv0", "z"], ["rv"])],
         [("x", rand([2, 3, 5, 7], 3655)), ("z", rand([3], 3656))], ["y", "rm", "rv"],
         [("k", rand([2, 3, 5, 7], 3657, -3, 3))] + sorted(p.items()), opset=15)
    # training_mode=0 given explicitly: inference as before
    p = bn_params(3, 3700)
    case("batchnorm_training", "training_mode=0 (inference)",
         [node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"], training_mode=0)],
         [("x", rand([2, 3, 5, 7], 3705))], ["y"], sorted(p.items()), opset=15)


# ---- Dropout, training_mode true with ratio 0 ---------------------------------

def dropout_training_cases():
    t = ("t", np.array(True))
    for shape in ([2, 3, 5, 7], [3, 17], [1]):
        x = rand(shape, 3800 + len(shape), -3, 3)
        mask_case("dropout_training", f"shape={shape} ratio 0 (constant) with mask",
                   [node("Dropout", ["x", "r", "t"], ["y", "mask"], seed=7)],
                   [("x", x)], ["y", "mask"], [("r", np.array(0.0, np.float32)), t], opset=13)
    x = rand([2, 3, 5, 7], 3810, -3, 3)
    mask_case("dropout_training", "ratio 0 then Relu, no mask",
               [node("Dropout", ["x", "r", "t"], ["d"]), node("Relu", ["d"], ["y"])],
               [("x", x)], ["y"], [("r", np.array(0.0, np.float32)), t], opset=22)
    mask_case("dropout_training", "training_mode false, ratio 0.5 (inference) with mask",
               [node("Dropout", ["x", "r", "t"], ["y", "mask"])],
               [("x", x)], ["y", "mask"], [("r", np.array(0.5, np.float32)), ("t", np.array(False))],
               opset=22)


# ---- run-time ratio and refusals ----------------------------------------------

def dropout_model(ratio_init, ratio_input, opset=22, name="drop9"):
    """Dropout(x, r, t=true) -> y, mask; r a constant (ratio_init), a graph input
    (ratio_input) or omitted."""
    vin = [helper.make_tensor_value_info("x", TP.FLOAT, [2, 3, 5])]
    if ratio_input:
        vin.append(helper.make_tensor_value_info("r", TP.FLOAT, []))
    inits = [P.init("t", np.array(True))]
    if ratio_init is not None:
        inits.append(P.init("r", np.array(ratio_init, np.float32)))
    r = "r" if ratio_input or ratio_init is not None else ""
    g = helper.make_graph([node("Dropout", ["x", r, "t"], ["y", "mask"], name=name)], "drop", vin,
                          [helper.make_tensor_value_info("y", TP.FLOAT, None),
                           helper.make_tensor_value_info("mask", TP.BOOL, None)], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8 if opset <= 18 else 9
    return m


def bn_old_training_model():
    """BatchNormalization-9 with its five training outputs (opsets 7-13)."""
    c = 3
    vin = [helper.make_tensor_value_info("x", TP.FLOAT, [2, c, 5])]
    outs = ["y", "mean", "var", "saved_mean", "saved_var"]
    g = helper.make_graph([node("BatchNormalization", ["x", "s", "b", "m", "v"], outs, name="bn9")],
                          "bn9", vin, [helper.make_tensor_value_info(o, TP.FLOAT, None) for o in outs],
                          [P.init(k, a) for k, a in sorted(bn_params(c, 3900).items())])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    return m


def bn_training_numpy(x, s, b, m, v, eps=1e-5, momentum=0.9):
    """ONNX's reference (onnx/reference/ops/op_batch_normalization.py) in float64:
    batch mean, population variance, running = given * momentum + batch * (1 - momentum)."""
    axes = tuple(d for d in range(x.ndim) if d != 1)
    view = (-1,) + (1,) * (x.ndim - 2)
    x64 = x.astype(np.float64)
    bm, bv = x64.mean(axis=axes), x64.var(axis=axes)
    y = s.reshape(view) * (x64 - bm.reshape(view)) / np.sqrt(bv.reshape(view) + eps) + b.reshape(view)
    return (y.astype(np.float32), (m * momentum + bm * (1 - momentum)).astype(np.float32),
            (v * momentum + bv * (1 - momentum)).astype(np.float32))


def bn_y_only_model(shape, p):
    """training_mode=1 with running_mean/running_var omitted ("")."""
    g = helper.make_graph([node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y", "", ""],
                                name="bn_y", training_mode=1)], "bn_y",
                          [helper.make_tensor_value_info("x", TP.FLOAT, shape)],
                          [helper.make_tensor_value_info("y", TP.FLOAT, None)],
                          [P.init(k, a) for k, a in sorted(p.items())])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 15)])
    m.ir_version = 8
    return m


def clcnn_run(clcnn, dev, path, ins, outs):
    cmd = [clcnn, "run", path, "--device", dev]
    for p in ins:
        cmd += ["--input", p]
    for p in outs:
        cmd += ["--output", p]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    return r.returncode, (r.stderr or r.stdout).strip()


def run_specials(clcnn, devices):
    """(passed, failed): run-time ratio 0 vs numpy on ref, then every refusal."""
    ok = bad = 0

    def judge(good, what):
        nonlocal ok, bad
        ok += good
        bad += not good
        if not good:
            print(f"FAIL {what}", flush=True)

    with tempfile.TemporaryDirectory(prefix="clcnn_training_") as tmp:
        x = rand([2, 3, 5], 3950, -3, 3)
        xin, r0, r3 = (os.path.join(tmp, f) for f in ("x.npy", "r0.npy", "r3.npy"))
        np.save(xin, x)
        np.save(r0, np.array(0.0, np.float32))
        np.save(r3, np.array(0.3, np.float32))
        y, mask = os.path.join(tmp, "y.npy"), os.path.join(tmp, "mask.npy")
        rt = os.path.join(tmp, "runtime.onnx")
        onnx.save(dropout_model(None, True), rt)
        for d in devices:
            rc, msg = clcnn_run(clcnn, d, rt, [xin, r0], [y, mask])
            if d == "ref":  # numpy: training with ratio 0 keeps everything
                good = rc == 0 and np.array_equal(np.load(y), x) and np.load(mask).dtype == np.bool_ \
                    and np.load(mask).all() and np.load(mask).shape == x.shape
                judge(good, f"dropout run-time ratio 0 device={d}: exit {rc} {msg[:200]!r}")
            else:  # refused at load on OpenCL, naming the node and the backend that runs it
                judge(rc > 0 and "drop9" in msg and "--device ref" in msg and len(msg.splitlines()) == 1,
                      f"dropout run-time ratio on {d} must be refused naming drop9 and --device ref: "
                      f"exit {rc} {msg!r}")
            rc, msg = clcnn_run(clcnn, d, rt, [xin, r3], [y, mask])
            judge(rc > 0 and "drop9" in msg and "training" in msg and len(msg.splitlines()) == 1,
                  f"dropout run-time ratio 0.3 device={d}: exit {rc} {msg!r} (one line naming drop9)")
        # BN training, Y only with the running outputs omitted, vs numpy
        p = bn_params(3, 3960)
        xb = rand([2, 3, 5, 7], 3965, -3, 3)
        yb = os.path.join(tmp, "yb.npy")
        np.save(os.path.join(tmp, "xb.npy"), xb)
        onnx.save(bn_y_only_model([2, 3, 5, 7], p), os.path.join(tmp, "bn_y.onnx"))
        want = bn_training_numpy(xb, p["s"], p["b"], p["m"], p["v"])[0]
        for d in devices:
            rc, msg = clcnn_run(clcnn, d, os.path.join(tmp, "bn_y.onnx"), [os.path.join(tmp, "xb.npy")], [yb])
            diff = float(np.max(np.abs(np.load(yb) - want))) if rc == 0 else float("inf")
            judge(diff <= P.RTOL * float(np.max(np.abs(want))) + P.ATOL,
                  f"BN training Y only (running outputs \"\") vs numpy device={d}: exit {rc} "
                  f"max|diff| {diff:.3g} {msg[:200]!r}")
        refusals = [
            ("dropout constant ratio 0.5", dropout_model(0.5, False), ["drop9", "ratio 0.5"]),
            ("dropout default ratio", dropout_model(None, False), ["drop9", "(the default)"]),
            ("BatchNormalization-9 training outputs", bn_old_training_model(), ["bn9", "training"]),
        ]
        for i, (what, m, must) in enumerate(refusals):
            path = os.path.join(tmp, f"bad{i}.onnx")
            onnx.save(m, path)
            outs = [os.path.join(tmp, f"bad{i}_{k}.npy") for k in range(len(m.graph.output))]
            for d in devices:
                rc, msg = clcnn_run(clcnn, d, path, [xin], outs)
                judge(rc > 0 and all(s in msg for s in must) and len(msg.splitlines()) == 1,
                      f"refusal [{what}] device={d}: exit {rc}, message {msg!r} (must name {must})")
    print(f"run-time ratio and refusals: {ok} passed, {bad} failed")
    return ok, bad


GENERATORS = (bn_training_cases, dropout_training_cases)

if __name__ == "__main__":
    argv = sys.argv[1:]
    rc = P.main(GENERATORS)
    clcnn = argv[argv.index("--clcnn") + 1]
    devs = next((argv[i + 1] for i, a in enumerate(argv) if a == "--device"), "")
    devs = [d for d in devs.split(",") if d] or P.default_devices(clcnn)
    k = next((argv[i + 1] for i, a in enumerate(argv) if a == "-k"), "")
    bad = run_specials(clcnn, devs)[1] if not k else 0
    sys.exit(1 if rc or bad else 0)
