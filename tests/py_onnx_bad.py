#!/usr/bin/env python3
"""py_onnx_bad.py — hostile or broken inputs to `clcnn run` must fail cleanly.

Small models are built with onnx.helper in a temp folder: unknown op, an op at an
opset outside the range clcnn implements, a legacy attribute, external data
that escapes the model's folder, a cycle, negative and absurd initializer dims; then a
good model is fed the wrong number of inputs, a wrong shape and a float64 NPY; run-time
operands (Clip's min, Pad's constant_value) of the wrong size or dtype. Each case
must exit non-zero with exactly one line on stderr naming the file/node at fault, and
must not create the output file.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper


def base_graph(nodes, inits=(), extra_outputs=()):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])
    g = helper.make_graph(nodes, "g", [x], [y] + list(extra_outputs), initializer=list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    return m


def save(model, path):
    # Serialised by hand: onnx.save may try to resolve external data itself.
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    return path


def raw_tensor(name, dims):
    t = TensorProto()
    t.name = name
    t.data_type = TensorProto.FLOAT
    t.dims.extend(dims)
    return t


def ext_tensor(name, location):
    t = raw_tensor(name, [1, 3])
    t.data_location = TensorProto.EXTERNAL
    e = t.external_data.add()
    e.key, e.value = "location", location
    return t


def make_cases(tmp):
    """(label, argv after 'run', strings stderr must contain, output path)."""
    relu = helper.make_node("Relu", ["x"], ["y"], name="relu0")
    add_w = helper.make_node("Add", ["x", "w"], ["y"], name="addw")
    good = save(base_graph([relu]), os.path.join(tmp, "good.onnx"))
    x13 = os.path.join(tmp, "x13.npy")
    np.save(x13, np.ones((1, 3), np.float32))
    x14 = os.path.join(tmp, "x14.npy")
    np.save(x14, np.ones((1, 4), np.float32))
    x64 = os.path.join(tmp, "x64.npy")
    np.save(x64, np.ones((1, 3), np.float64))
    os.makedirs(os.path.join(tmp, "sub"))
    with open(os.path.join(tmp, "x.data"), "wb") as f:  # the file the escape aims at
        f.write(np.ones(3, np.float32).tobytes())

    models = {
        "unknown op": (base_graph([helper.make_node("Foo", ["x"], ["y"], name="weird")]),
                       ["weird", "Foo", "opset 13"]),
        "external ../x.data": (base_graph([add_w], [ext_tensor("w", "../x.data")]),
                               ["'w'", "../x.data", "refused"]),
        "external /etc/passwd": (base_graph([add_w], [ext_tensor("w", "/etc/passwd")]),
                                 ["'w'", "/etc/passwd", "refused"]),
        "cycle": (base_graph([helper.make_node("Add", ["x", "y"], ["a"], name="first"),
                              helper.make_node("Relu", ["a"], ["y"], name="second")]),
                  ["cycle"]),
        "negative dims": (base_graph([add_w], [raw_tensor("w", [2, -3])]), ["'w'", "negative"]),
        "absurd dims": (base_graph([add_w], [raw_tensor("w", [1 << 20, 1 << 20, 1 << 20])]),
                        ["'w'", "elements"]),
        # HardSwish is defined from opset 14 on (its descriptor's opset range)
        "op older than its opset": (base_graph([helper.make_node("HardSwish", ["x"], ["y"], name="hs0")]),
                                    ["hs0", "HardSwish", "opset 13", "14..28"]),
        # Add's opset < 7 axis attribute: listed for Add, refused by the op, not ignored
        "legacy Add axis": (base_graph([helper.make_node("Add", ["x", "x"], ["y"], name="addax", axis=1)]),
                            ["addax", "axis"]),
        # operands fed at run time must still be one element: Clip's min and Pad's
        # constant_value computed as x itself (3 values), and a value of another dtype
        "Clip min of 3 values": (base_graph([helper.make_node("Clip", ["x", "x"], ["y"], name="clipx")]),
                                 ["clipx", "'x'", "float32 scalar"]),
        "Pad value of 3 values": (base_graph([helper.make_node("Pad", ["x", "p", "x"], ["y"], name="padx")],
                                             [helper.make_tensor("p", TensorProto.INT64, [4], [0, 0, 0, 0])]),
                                  ["padx", "constant_value 'x'", "one element"]),
        "Pad value int64 for float x": (base_graph(
            [helper.make_node("ReduceSum", ["x"], ["s"], keepdims=0),
             helper.make_node("Cast", ["s"], ["si"], to=TensorProto.INT64),
             helper.make_node("Pad", ["x", "p", "si"], ["y"], name="padi")],
            [helper.make_tensor("p", TensorProto.INT64, [4], [0, 0, 0, 0])]), ["padi", "'si'", "dtype int64"]),
    }
    cases = []
    for i, (label, (model, needles)) in enumerate(models.items()):
        folder = os.path.join(tmp, "sub") if "external" in label else tmp
        path = save(model, os.path.join(folder, "bad%d.onnx" % i))
        out = os.path.join(tmp, "out%d.npy" % i)
        cases.append((label, [path, "--input", x13, "--output", out], [path] + needles, out))
    n = len(cases)
    cases += [
        ("two inputs for one", [good, "--input", x13, "--input", x13, "--output",
                                os.path.join(tmp, "o%d.npy" % n)], [good, "input"],
         os.path.join(tmp, "o%d.npy" % n)),
        ("shape mismatch", [good, "--input", x14, "--output", os.path.join(tmp, "o%d.npy" % (n + 1))],
         [x14, "1x4", "1x3"], os.path.join(tmp, "o%d.npy" % (n + 1))),
        ("float64 npy", [good, "--input", x64, "--output", os.path.join(tmp, "o%d.npy" % (n + 2))],
         [x64], os.path.join(tmp, "o%d.npy" % (n + 2))),
    ]
    return cases, good, x13


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clcnn", required=True, help="path to the clcnn binary")
    ap.add_argument("--shared", required=True, help="shared data folder (unused: models are built here)")
    args = ap.parse_args()
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="clcnn_onnx_bad_") as tmp:
        cases, good, x13 = make_cases(tmp)
        # The good model must run, or every failure below could be for the wrong reason.
        out = os.path.join(tmp, "good_out.npy")
        p = subprocess.run([args.clcnn, "run", good, "--input", x13, "--output", out,
                            "--device", "ref"], capture_output=True, text=True)
        if p.returncode != 0 or not os.path.exists(out):
            print("FAIL control: good model did not run: %s" % p.stderr.strip())
            failed += 1
        else:
            passed += 1
        for label, argv, needles, out in cases:
            p = subprocess.run([args.clcnn, "run"] + argv + ["--device", "ref"],
                               capture_output=True, text=True)
            lines = p.stderr.strip().splitlines()
            problems = []
            if p.returncode == 0:
                problems.append("exit 0")
            if p.returncode < 0:
                problems.append("killed by signal %d" % -p.returncode)
            if len(lines) != 1:
                problems.append("%d stderr lines" % len(lines))
            problems += ["stderr lacks %r" % s for s in needles if s not in p.stderr]
            if os.path.exists(out):
                problems.append("output file created")
            if problems:
                failed += 1
                print("FAIL %s: %s\n     stderr: %s" % (label, "; ".join(problems), p.stderr.strip()))
            else:
                passed += 1
                print("ok   %s: %s" % (label, lines[0]))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
