#!/usr/bin/env python3
"""make_corpus.py — crafted hostile inputs for clcnn, made here (never copied).

Two uses:
  * imported by tests/py_hostile.py: the per-finding models of issue 13
    (finding_models(), nested(), ...), each checked for its exact outcome;
  * run as `make_corpus.py OUTDIR [--seed N]`: writes ~300 malformed models,
    NPY files and images into OUTDIR/{onnx,npy,img} plus good seeds, for
    ci/hostile.sh (every file through the CLI under ASan, 10 s each) and as
    fuzz seeds. Deterministic for a given seed.
Built with the onnx package (models) and raw bytes (protobuf wire surgery,
NPY headers, truncated/bit-flipped images); the images are drawn by numpy +
Pillow when present, else written as minimal PNGs by hand.
"""
import os
import random
import struct
import sys
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper

OPSET = 13


# ---- small helpers --------------------------------------------------------

def model(nodes, inputs, outputs, inits=(), opset=OPSET, ir=8):
    g = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = ir
    return m


def vi(name, dims, dt=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, dt, dims)


def f32(name, arr):
    return helper.make_tensor(name, TensorProto.FLOAT, list(arr.shape),
                              arr.astype(np.float32).tobytes(), raw=True)


def relu_model():
    return model([helper.make_node("Relu", ["x"], ["y"], name="relu0")],
                 [vi("x", [1, 3])], [vi("y", [1, 3])])


def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def ld(field, payload):
    """A length-delimited protobuf field."""
    return varint(field << 3 | 2) + varint(len(payload)) + payload


def nested(depth):
    """ModelProto.graph.input[0].type = TypeProto nested `depth` times through
    sequence_type.elem_type: ~10 bytes per level, a stack overflow in an
    unbounded recursive unpacker at a few thousand levels."""
    t = ld(1, b"\x08\x01")  # innermost TypeProto.tensor_type{elem_type: FLOAT}
    for _ in range(depth):
        t = ld(4, ld(1, t))  # TypeProto{sequence_type: Sequence{elem_type: t}}
    value_info = ld(1, b"x") + ld(2, t)
    graph = ld(11, value_info)
    return b"\x08\x08" + ld(7, graph)  # ir_version 8, graph


# ---- models for the findings (tests/py_hostile.py checks each outcome) ----

def finding_models():
    """label -> (ModelProto or bytes, substrings the one-line error must hold)."""
    x, y = vi("x", [1, 3]), vi("y", [1, 3])
    w = f32("w", np.ones((1, 3)))
    cases = {}
    cases["nesting 20000"] = (nested(20000), ["nested more than"])
    cases["node writes graph input"] = (
        model([helper.make_node("Relu", ["w"], ["x"], name="clobber"),
               helper.make_node("Add", ["x", "x"], ["y"], name="add")], [x], [y], [w]),
        ["clobber", "'x'", "graph input"])
    conv_in, conv_out = vi("x", [1, 2, 4, 4]), vi("y", [1, 2, 4, 4])
    cw = f32("cw", np.ones((2, 1, 1, 1)))
    cases["group is a string"] = (
        model([helper.make_node("Conv", ["x", "cw"], ["y"], name="conv", group="a string")],
              [conv_in], [conv_out], [cw]), ["conv", "'group'", "INT", "STRING"])
    cases["strides is a float"] = (
        model([helper.make_node("Conv", ["x", "cw"], ["y"], name="conv", strides=1.5, group=2)],
              [conv_in], [conv_out], [cw]), ["conv", "'strides'", "INTS", "FLOAT"])
    cases["unknown attribute"] = (
        model([helper.make_node("Relu", ["x"], ["y"], name="relu0", frobnicate=1)], [x], [y]),
        ["relu0", "'frobnicate'", "not an attribute of Relu"])
    cases["attribute twice"] = (
        _dup_attr(), ["flat", "'axis'", "twice"])
    cases["opset 1"] = (model(relu_model().graph.node, [x], [y], opset=1), ["opset 1", "not supported"])
    cases["opset 99"] = (model(relu_model().graph.node, [x], [y], opset=99), ["opset 99", "not supported"])
    cases["ir_version 99"] = (model(relu_model().graph.node, [x], [y], ir=99),
                              ["ir_version 99", "not supported"])
    cases["declared int64 output"] = (
        model([helper.make_node("Relu", ["x"], ["y"], name="relu0")], [x],
              [vi("y", [1, 3], TensorProto.INT64)]), ["'y'", "declared", "element type int64"])
    ratio = helper.make_tensor("ratio", TensorProto.FLOAT, [], [0.5])
    on = helper.make_tensor("train", TensorProto.BOOL, [], [True])
    cases["Dropout training_mode=1"] = (
        model([helper.make_node("Dropout", ["x", "ratio", "train"], ["y"], name="drop")],
              [x], [y], [ratio, on]), ["drop", "training_mode"])
    # 2^29 floats claimed, 12 bytes present: refused before a 2 GiB allocation
    big = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[1 << 29], raw_data=b"\0" * 12)
    cases["raw_data shorter than dims"] = (
        model([helper.make_node("Add", ["x", "w"], ["y"], name="addw")], [x], [y], [big]),
        ["'w'", "raw_data has 12 bytes"])
    many = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[1 << 29], float_data=[1.0])
    cases["float_data shorter than dims"] = (
        model([helper.make_node("Add", ["x", "w"], ["y"], name="addw")], [x], [y], [many]),
        ["'w'", "has 1 values"])
    evil = "evil\n\x1b[31mred"
    cases["control characters in a name"] = (
        model([helper.make_node("Foo", ["x"], ["y"], name=evil)], [x], [y]), ["evil\\n\\x1b[31mred"])
    return cases


def _dup_attr():
    n = helper.make_node("Flatten", ["x"], ["y"], name="flat", axis=1)
    n.attribute.extend([helper.make_attribute("axis", 1)])
    return model([n], [vi("x", [1, 3])], [vi("y", [1, 3])])


def ext_model(location):
    """Add with its weight in external data at `location` (relative)."""
    t = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[1, 3])
    t.data_location = TensorProto.EXTERNAL
    e = t.external_data.add()
    e.key, e.value = "location", location
    return model([helper.make_node("Add", ["x", "w"], ["y"], name="addw")],
                 [vi("x", [1, 3])], [vi("y", [1, 3])], [t])


def npy_header(descr, shape, version=1, extra=""):
    d = "{'descr': '%s', 'fortran_order': False, 'shape': %s, %s}" % (descr, shape, extra)
    hl = len(d) + 1
    pad = (64 - (10 + hl) % 64) % 64 if version == 1 else (64 - (12 + hl) % 64) % 64
    d = d + " " * pad + "\n"
    if version == 1:
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(d)) + d.encode()
    return b"\x93NUMPY" + bytes([version, 0]) + struct.pack("<I", len(d)) + d.encode()


# ---- the bulk corpus --------------------------------------------------------

def good_models():
    """Small valid models: the seeds every mutation starts from."""
    out = {"relu": relu_model()}
    x = vi("x", [1, 2, 5, 5])
    cw = f32("cw", np.linspace(-1, 1, 2 * 2 * 3 * 3).reshape(2, 2, 3, 3))
    out["conv"] = model([helper.make_node("Conv", ["x", "cw"], ["c"], name="conv", pads=[1, 1, 1, 1]),
                         helper.make_node("Clip", ["c"], ["y"], name="clip")],
                        [x], [vi("y", [1, 2, 5, 5])], [cw])
    out["pool_gemm"] = model(
        [helper.make_node("GlobalAveragePool", ["x"], ["p"], name="gap"),
         helper.make_node("Flatten", ["p"], ["f"], name="flat"),
         helper.make_node("Gemm", ["f", "gw"], ["y"], name="fc", transB=1)],
        [x], [vi("y", [1, 4])], [f32("gw", np.ones((4, 2)))])
    out["shape_cast"] = model(
        [helper.make_node("Shape", ["x"], ["s"], name="shape"),
         helper.make_node("Cast", ["x"], ["c"], name="cast", to=TensorProto.INT64),
         helper.make_node("Relu", ["x"], ["y"], name="relu")],
        [x], [vi("y", [1, 2, 5, 5]), vi("s", [4], TensorProto.INT64),
              vi("c", [1, 2, 5, 5], TensorProto.INT64)])
    return out


def mutate_bytes(rng, b, n):
    out = []
    for i in range(n):
        m = bytearray(b)
        kind = i % 6
        if kind == 0 and len(m) > 1:  # truncate
            m = m[:rng.randrange(1, len(m))]
        elif kind == 1:  # flip bits
            for _ in range(rng.randint(1, 8)):
                p = rng.randrange(len(m))
                m[p] ^= 1 << rng.randrange(8)
        elif kind == 2:  # overwrite with 0xff (huge varints / lengths)
            p = rng.randrange(len(m))
            m[p:p + 4] = b"\xff\xff\xff\xff"
        elif kind == 3:  # duplicate a slice
            p, q = sorted(rng.randrange(len(m)) for _ in range(2))
            m[q:q] = m[p:q]
        elif kind == 4:  # random junk appended
            m += bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
        else:  # zero a run
            p = rng.randrange(len(m))
            m[p:p + rng.randint(1, 16)] = b"\0" * len(m[p:p + 16])
        out.append(bytes(m))
    return out


def structural_models():
    """Models that parse but are wrong in one way each."""
    x, y = vi("x", [1, 3]), vi("y", [1, 3])
    r = []
    for dims in ([-1], [0, -5], [1 << 40], [1 << 31, 2], [3] * 9, []):
        t = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=dims, raw_data=b"\0" * 12)
        r.append(model([helper.make_node("Add", ["x", "w"], ["y"])], [x], [y], [t]))
    for dt in (0, 8, 16, 99, -1 & 0x7fffffff):
        t = TensorProto(name="w", data_type=dt, dims=[1, 3], raw_data=b"\0" * 12)
        r.append(model([helper.make_node("Add", ["x", "w"], ["y"])], [x], [y], [t]))
    for op in ("Conv", "Gemm", "MaxPool", "Concat", "Split", "Slice", "Gather", "Reshape",
               "Transpose", "Pad", "Softmax", "ReduceMean", "Squeeze", "BatchNormalization",
               "Clip", "Cast", "Shape", "Dropout", "MatMul", "Flatten"):
        r.append(model([helper.make_node(op, ["x"], ["y"], name="n_" + op)], [x], [y]))
        r.append(model([helper.make_node(op, ["x", "x", "x", "x", "x", "x"], ["y", "z"],
                                         name="m_" + op)], [x], [y]))
        r.append(model([helper.make_node(op, [], ["y"], name="e_" + op)], [x], [y]))
    attrs = [("kernel_shape", [0, 0]), ("kernel_shape", [1 << 30, 1]), ("strides", [0, 0]),
             ("strides", [-1, -1]), ("pads", [-5, -5, -5, -5]), ("pads", [1 << 40] * 4),
             ("dilations", [0, 0]), ("group", 0), ("group", -3), ("group", 1 << 40),
             ("auto_pad", "BOGUS"), ("kernel_shape", [3, 3, 3, 3, 3])]
    for k, v in attrs:
        for op in ("Conv", "MaxPool", "AveragePool"):
            xi = vi("x", [1, 2, 5, 5])
            ins = ["x", "cw"] if op == "Conv" else ["x"]
            kw = {k: v}
            if op == "Conv":
                if k in ("group",) or k == "auto_pad":
                    pass
                else:
                    kw.setdefault("group", 1)
            else:
                if k == "group":
                    continue
                kw.setdefault("kernel_shape", [2, 2])
            r.append(model([helper.make_node(op, ins, ["y"], name="a_" + op, **kw)], [xi],
                           [vi("y", [1, 2, 5, 5])], [f32("cw", np.ones((2, 2, 3, 3)))]))
    for axis in (-100, 100, 1 << 40):
        for op in ("Concat", "Softmax", "Flatten", "Gather", "Split"):
            r.append(model([helper.make_node(op, ["x", "x"] if op in ("Concat", "Gather") else ["x"],
                                             ["y"], axis=axis)], [x], [y]))
    for shape in ([0], [-2], [1 << 40], [-1, -1], [7]):
        t = helper.make_tensor("s", TensorProto.INT64, [len(shape)], shape)
        r.append(model([helper.make_node("Reshape", ["x", "s"], ["y"])], [x], [y], [t]))
    for perm in ([5, 0], [0, 0], [-1, 2], [1]):
        r.append(model([helper.make_node("Transpose", ["x"], ["y"], perm=perm)], [x], [y]))
    # graph-level damage
    r.append(model([helper.make_node("Relu", ["x"], ["y"])], [x], []))
    r.append(model([helper.make_node("Relu", ["q"], ["y"])], [x], [y]))
    r.append(model([helper.make_node("Relu", ["x"], ["y"]), helper.make_node("Relu", ["x"], ["y"])], [x], [y]))
    r.append(model([helper.make_node("Relu", ["y"], ["y"])], [x], [y]))
    r.append(model([], [x], [y]))
    r.append(model([helper.make_node("Relu", ["x"], ["y"])], [vi("x", [1, -3])], [y]))
    r.append(model([helper.make_node("Relu", ["x"], ["y"])], [vi("x", [1 << 40, 1 << 40])], [y]))
    r.append(model([helper.make_node("Relu", ["x"], ["y"])], [vi("x", [1, 3], TensorProto.INT64)], [y]))
    r.append(model([helper.make_node("Relu", ["x"], ["y"])], [vi("x", [1] * 12)], [y]))
    r.append(model([helper.make_node("Relu", ["x"], ["y"], domain="com.evil")], [x], [y]))
    r.append(model([helper.make_node("Constant", [], ["y"], value_ints=[1 << 62, -1])], [x], [y]))
    r.append(model([helper.make_node("Constant", [], ["x"], value_float=1.0),
                    helper.make_node("Relu", ["x"], ["y"])], [x], [y]))
    for loc in ("../../etc/passwd", "/etc/passwd", "nonexistent.bin", "", "a/../../b",
                "/dev/zero", "."):
        r.append(ext_model(loc))
    return r


def npy_cases(rng):
    good = npy_header("<f4", "(1, 3)") + np.ones(3, np.float32).tobytes()
    r = [good[:n] for n in (0, 5, 8, 9, 10, 40, len(good) - 1)]
    for descr in ("<f8", ">f4", "|b1", "<i8", "O", "<U3", "'", ""):
        r.append(npy_header(descr, "(1, 3)") + b"\0" * 24)
    for shape in ("(1 << 62,)", "(4611686018427387904, 4)", "(-1, 3)", "(1, 3", "((1,),)", "()",
                  "(268435456,)", "(1, 1, 1, 1, 1, 1, 1, 1, 1, 1)", "(99999999999999999999999,)",
                  "(0,)", "(1, 0, 3)", "x"):
        r.append(npy_header("<f4", shape) + b"\0" * 12)
    r.append(npy_header("<f4", "(1, 3)", version=2) + b"\0" * 12)
    r.append(npy_header("<f4", "(1, 3)", version=3) + b"\0" * 12)
    r.append(b"\x93NUMPY\x09\x00" + b"\0" * 64)
    r.append(b"\x93NUMPY\x01\x00\xff\xff" + b"{" * 100)
    r.append(b"\x93NUMPY\x02\x00\xff\xff\xff\x7f" + b"{")
    r.append(good.replace(b"False", b"True "))
    r += mutate_bytes(rng, good, 20)
    return r


def png_bytes(w, h, seed):
    rng = np.random.default_rng(seed)
    px = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    raw = b"".join(b"\0" + px[y].tobytes() for y in range(h))

    def chunk(t, d):
        c = struct.pack(">I", len(d)) + t + d
        return c + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def jpeg_bytes(w, h, seed):
    try:
        from PIL import Image
        import io
    except ImportError:
        return None
    rng = np.random.default_rng(seed)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).save(buf, "JPEG", quality=80)
    return buf.getvalue()


def image_cases(rng):
    r = []
    png = png_bytes(17, 9, 1)
    r.append(("good.png", png))
    # IHDR claiming 65535 x 65535 (a 12 GiB decode) with tiny data
    huge = bytearray(png)
    huge[16:24] = struct.pack(">II", 65535, 65535)
    r.append(("huge_dims.png", bytes(huge)))
    zero = bytearray(png)
    zero[16:24] = struct.pack(">II", 0, 0)
    r.append(("zero_dims.png", bytes(zero)))
    for i, m in enumerate(mutate_bytes(rng, png, 30)):
        r.append(("png_%02d.png" % i, m))
    jpg = jpeg_bytes(23, 11, 2)
    if jpg:
        r.append(("good.jpg", jpg))
        for i, m in enumerate(mutate_bytes(rng, jpg, 30)):
            r.append(("jpg_%02d.jpg" % i, m))
        sof = jpg.find(b"\xff\xc0")
        if sof > 0:
            big = bytearray(jpg)
            big[sof + 5:sof + 9] = struct.pack(">HH", 65500, 65500)
            r.append(("huge_dims.jpg", bytes(big)))
    r.append(("empty.png", b""))
    r.append(("text.jpg", b"not an image at all\n"))
    return r


def write_corpus(outdir, seed=13):
    rng = random.Random(seed)
    for sub in ("onnx", "npy", "img", "seed_onnx"):
        os.makedirs(os.path.join(outdir, sub), exist_ok=True)
    n = 0

    def put(sub, name, data):
        nonlocal n
        with open(os.path.join(outdir, sub, name), "wb") as f:
            f.write(data)
        n += 1

    goods = good_models()
    for name, m in goods.items():
        put("seed_onnx", name + ".onnx", m.SerializeToString())
    for label, (m, _) in finding_models().items():
        data = m if isinstance(m, bytes) else m.SerializeToString()
        put("onnx", "finding_" + "".join(c if c.isalnum() else "_" for c in label) + ".onnx", data)
    for depth in (50, 99, 100, 101, 1000, 20000):
        put("onnx", "nested_%d.onnx" % depth, nested(depth))
    for i, m in enumerate(structural_models()):
        put("onnx", "struct_%03d.onnx" % i, m.SerializeToString())
    for name, m in goods.items():
        for i, b in enumerate(mutate_bytes(rng, m.SerializeToString(), 24)):
            put("onnx", "mut_%s_%02d.onnx" % (name, i), b)
    put("onnx", "empty.onnx", b"")
    put("onnx", "group_field.onnx", b"\x0b\x0c")  # protobuf groups: not in onnx.proto
    put("onnx", "huge_len.onnx", b"\x3a\xff\xff\xff\xff\x0f")  # graph of 4 GiB claimed
    for i, b in enumerate(npy_cases(rng)):
        put("npy", "npy_%03d.npy" % i, b)
    for name, b in image_cases(rng):
        put("img", name, b)
    return n


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: make_corpus.py OUTDIR [--seed N]")
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 13
    print("%d files in %s" % (write_corpus(sys.argv[1], seed), sys.argv[1]))
