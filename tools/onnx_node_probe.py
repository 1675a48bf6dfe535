#!/usr/bin/env python3
"""Every blocker in a model, not just the first: run each distinct node alone through clcnn.

`clcnn run` names only the first node it refuses. This cuts the model into
one-node models, one per distinct (op, attributes, input shapes, which inputs
are constant) signature, with the node's real input values (onnxruntime on the
whole model with a seeded input, every intermediate kept), runs each on every
--device, and compares its outputs with onnxruntime's (same tolerance as
torchvision_check.py). Inputs that are constant at load time (initializers,
Constant outputs, Shape of a static shape, anything computed only from those)
go in as initializers, the rest as float32 graph inputs. Nodes whose inputs are
all constant are not run: they are listed as needing load-time folding, which
is how clcnn serves them (it refuses graphs without a runtime input).

What it cannot see: a refusal that comes from how nodes combine (fusions,
layouts across nodes); the whole-model run in torchvision_check.py covers that.

    python tools/onnx_node_probe.py MODEL.onnx --clcnn build/clcnn [--devices ref,cpu] [--input x.npy]
"""
import argparse
import collections
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import helper, numpy_helper

FLOAT = onnx.TensorProto.FLOAT


def all_values(model, feed):
    """Every tensor's value by name: onnxruntime with every node output made a graph output."""
    import onnxruntime as ort
    m = onnx.shape_inference.infer_shapes(model)
    known = {v.name for v in list(m.graph.output)}
    types = {v.name: v for v in list(m.graph.value_info) + list(m.graph.output)}
    for n in m.graph.node:
        for o in n.output:
            if o and o not in known and o in types:
                m.graph.output.append(types[o])
                known.add(o)
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(m.SerializeToString(), so, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    vals = dict(zip(names, sess.run(names, feed)))
    vals.update(feed)
    for init in model.graph.initializer:
        vals[init.name] = numpy_helper.to_array(init)
    return vals


def constant_names(model):
    """Tensors whose value is known at load: clcnn folds these."""
    const = {i.name for i in model.graph.initializer}
    const.add("")  # an omitted optional input
    for n in model.graph.node:
        if n.op_type in ("Constant", "Shape", "Size") or all(i in const for i in n.input):
            const.update(n.output)
    return const


def signature(node, vals, const):
    attrs = tuple(sorted((a.name, str(helper.get_attribute_value(a))[:200]) for a in node.attribute))
    ins = tuple(None if i == "" else
                (tuple(np.shape(vals[i])), str(np.asarray(vals[i]).dtype), i in const)
                for i in node.input)
    return (node.domain, node.op_type, attrs, ins)


def one_node_model(model, node, vals, const, d):
    """Writes d/model.onnx and d/in<k>.npy; returns (input files, output names)."""
    inputs, inits, files = [], [], []
    for k, name in enumerate(node.input):
        if name == "" or any(v.name == name for v in inputs) or any(t.name == name for t in inits):
            continue
        v = np.asarray(vals[name])
        if name in const or v.dtype != np.float32:
            inits.append(numpy_helper.from_array(v, name))
        else:
            inputs.append(helper.make_tensor_value_info(name, FLOAT, list(v.shape)))
            f = os.path.join(d, "in%d.npy" % k)
            np.save(f, v)
            files.append(f)
    outs = [o for o in node.output if o]
    outputs = [helper.make_tensor_value_info(o, helper.np_dtype_to_tensor_dtype(np.asarray(vals[o]).dtype),
                                             list(np.shape(vals[o]))) for o in outs]
    g = helper.make_graph([node], "probe", inputs, outputs, inits)
    m = helper.make_model(g, opset_imports=model.opset_import, ir_version=model.ir_version)
    onnx.save(m, os.path.join(d, "model.onnx"))
    return files, outs


def run_clcnn(clcnn, d, files, outs, vals, device, timeout, rtol, atol):
    args = [clcnn, "run", os.path.join(d, "model.onnx"), "--device", device]
    for f in files:
        args += ["--input", f]
    for k, _ in enumerate(outs):
        args += ["--output", os.path.join(d, "out%d.npy" % k)]
    try:
        r = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", ">%ds" % timeout
    if r.returncode != 0:
        msg = next((l for l in r.stderr.splitlines() if l.strip()), "(no message)")
        return "refused", msg.replace(os.path.join(d, "model.onnx") + ": ", "").replace("clcnn run: ", "")
    worst = ""
    for k, o in enumerate(outs):
        y, yr = np.load(os.path.join(d, "out%d.npy" % k)), np.asarray(vals[o])
        if y.shape != yr.shape:
            return "wrong", "output %d shape %s, want %s" % (k, y.shape, yr.shape)
        y, yr = y.astype(np.float64), yr.astype(np.float64)
        diff = float(np.max(np.abs(y - yr))) if y.size else 0.0
        scale = float(np.max(np.abs(yr))) if yr.size else 0.0
        if not np.all(np.isfinite(y)) or diff > rtol * scale + atol:
            return "wrong", "output %d diff %.2e (max|ref| %.2e)" % (k, diff, scale)
        worst = "diff %.1e" % diff
    return "pass", worst


def probe(path, clcnn, devices, inp=None, timeout=120, rtol=1e-4, atol=1e-5, seed=15):
    """[{op, count, node, sig, results: {device: (result, detail)}}] plus the folded op counts."""
    model = onnx.load(path)
    inits = {i.name for i in model.graph.initializer}
    feeds = [i for i in model.graph.input if i.name not in inits]
    feed = {}
    for k, i in enumerate(feeds):
        if inp is not None and k == 0:
            feed[i.name] = np.load(inp)
        else:
            shape = [d.dim_value or 1 for d in i.type.tensor_type.shape.dim]
            feed[i.name] = np.random.default_rng(seed + k).standard_normal(shape).astype(np.float32)
    vals = all_values(model, feed)
    const = constant_names(model)
    groups = collections.OrderedDict()
    folded = collections.Counter()
    for n in model.graph.node:
        if n.op_type == "Constant":
            continue
        if all(i in const for i in n.input):
            folded[n.op_type] += 1
            continue
        if any(i and i not in vals for i in list(n.input) + list(n.output)):
            folded["?" + n.op_type] += 1  # no value from onnxruntime: cannot probe
            continue
        s = signature(n, vals, const)
        groups.setdefault(s, []).append(n)
    rows = []
    with tempfile.TemporaryDirectory(prefix="nodeprobe") as tmp:
        for k, (s, nodes) in enumerate(groups.items()):
            d = os.path.join(tmp, str(k))
            os.makedirs(d)
            files, outs = one_node_model(model, nodes[0], vals, const, d)
            res = {dev: run_clcnn(clcnn, d, files, outs, vals, dev, timeout, rtol, atol) for dev in devices}
            shapes = [list(np.shape(vals[i])) if i else None for i in nodes[0].input]
            rows.append({"op": nodes[0].op_type, "count": len(nodes), "node": nodes[0].name,
                         "shapes": shapes, "results": res})
    return rows, folded


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model")
    ap.add_argument("--clcnn", required=True)
    ap.add_argument("--devices", default="ref,cpu")
    ap.add_argument("--input", help="the model's first input (.npy); else seeded N(0,1)")
    ap.add_argument("--all", action="store_true", help="also print the signatures that pass")
    a = ap.parse_args()
    devices = [d for d in a.devices.split(",") if d]
    rows, folded = probe(a.model, a.clcnn, devices, a.input)
    for r in rows:
        if not a.all and all(v[0] == "pass" for v in r["results"].values()):
            continue
        print("%-20s x%-3d %-40s %s  in=%s" % (r["op"], r["count"], r["node"][:40],
              "  ".join("%s=%s: %s" % (dv, v[0], v[1]) for dv, v in r["results"].items()), r["shapes"]))
    ok = sum(all(v[0] == "pass" for v in r["results"].values()) for r in rows)
    print("%d node signatures, %d pass on %s; load-time-constant nodes (must fold): %s" % (
        len(rows), ok, ",".join(devices), dict(folded) or "none"))


if __name__ == "__main__":
    sys.exit(main())
