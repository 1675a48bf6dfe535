#!/usr/bin/env python3
"""make_seeds.py — writes the small seed corpora of the fuzz targets into
fuzz/corpus/<target>/ (committed; rerun after changing the generators). Made
from tests/hostile/make_corpus.py's models and files, never copied from
anywhere. Each seed stays under 8 KB so the corpora stay small.
Usage: .venv/bin/python fuzz/make_seeds.py"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "hostile"))
import make_corpus as mc  # noqa: E402
import numpy as np  # noqa: E402

MAX = 8192
CACHE_KEY = b"clcnn-program|fuzz"  # fuzz_cache.c's key


def fnv1a(data):
    h = 0xcbf29ce484222325
    for c in data:
        h = ((h ^ c) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def entry(payload, key=CACHE_KEY, version=1):
    return (b"CLCNNBIN" + struct.pack("<II", version, len(key)) + key
            + struct.pack("<QQ", len(payload), fnv1a(payload)) + payload)


def main():
    out = os.path.join(HERE, "corpus")
    # regenerate the seeds, keep the regression inputs (regress_*: inputs a
    # fuzzer found, kept so ci/fuzz.sh replays them forever)
    for d, _, files in os.walk(out):
        for f in files:
            if not f.startswith("regress_"):
                os.unlink(os.path.join(d, f))
    seeds = {t: {} for t in ("onnx", "npy", "image", "cache", "sidecar")}
    for name, m in mc.good_models().items():
        seeds["onnx"][name] = m.SerializeToString()
    for label, (m, _) in mc.finding_models().items():
        b = m if isinstance(m, bytes) else m.SerializeToString()
        seeds["onnx"]["finding_" + "".join(c if c.isalnum() else "_" for c in label)] = b
    seeds["onnx"]["nested_120"] = mc.nested(120)  # also read by tests/test_api_load_mem.c
    seeds["onnx"]["external_w"] = mc.ext_model("w.bin").SerializeToString()  # ditto
    seeds["npy"]["f32_1x3"] = mc.npy_header("<f4", "(1, 3)") + np.ones(3, np.float32).tobytes()
    seeds["npy"]["f32_v2_2x2"] = mc.npy_header("<f4", "(2, 2)", version=2) + np.ones(4, np.float32).tobytes()
    seeds["npy"]["f32_scalar"] = mc.npy_header("<f4", "()") + np.ones(1, np.float32).tobytes()
    seeds["npy"]["f8"] = mc.npy_header("<f8", "(2,)") + np.ones(2).tobytes()
    for variant, b in ((0x00, mc.png_bytes(17, 9, 1)), (0x5a, mc.png_bytes(5, 31, 2)),
                       (0x81, mc.jpeg_bytes(23, 11, 3)), (0x24, mc.jpeg_bytes(8, 8, 4))):
        if b:
            seeds["image"]["v%02x_%s" % (variant, "png" if b[:4] == b"\x89PNG" else "jpg")] = bytes([variant]) + b
    seeds["cache"]["valid"] = entry(b"\x7fELF" + bytes(range(64)))
    seeds["cache"]["other_key"] = entry(b"payload", key=b"clcnn-program|other")
    seeds["cache"]["version2"] = entry(b"payload", version=2)
    seeds["sidecar"]["prep"] = (b"# preprocessing\nmapping=torch\nresize=256\ncrop=224\n"
                                b"mean=0.485,0.456,0.406\nstd=0.229,0.224,0.225\nbgr=0\nlayout=nchw\n")
    seeds["sidecar"]["custom"] = b"mapping=custom\nscale=0.0039\nmean=1,2,3\nstd=1,1,1\nlayout=nhwc\n"
    seeds["sidecar"]["labels"] = b"n01440764 tench\nn01443537 goldfish\nbackground\n\n"
    n = 0
    for target, files in seeds.items():
        d = os.path.join(out, target)
        os.makedirs(d, exist_ok=True)
        for name, b in files.items():
            if len(b) > MAX:
                continue
            with open(os.path.join(d, name), "wb") as f:
                f.write(b)
            n += 1
    print("%d seeds in %s" % (n, out))


if __name__ == "__main__":
    main()
