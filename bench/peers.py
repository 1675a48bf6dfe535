#!/usr/bin/env python3
"""peers.py — clcnn against onnxruntime on the same models and inputs (issue 7).

For each model, per round, runs `clcnn bench --json` and then onnxruntime (CPU
provider, intra_op_num_threads=2, ORT_ENABLE_ALL) on the same ONNX file and the same
seeded input, alternating so that machine noise hits both alike. Reports per model
the median over rounds of each side's median latency, their ratio (clcnn / ort; < 1
means clcnn is faster), the max output difference relative to max |ort output|
(clcnn's output from `clcnn run`), clcnn's cold start (empty kernel caches), warm start
and kernels per inference; then one compact table. Built-in names are exported with
`clcnn export` (full width, deterministic random weights) into a temp dir first.

Usage (from the repo root, after building):
    .venv/bin/python bench/peers.py --clcnn build/clcnn
    .venv/bin/python bench/peers.py --clcnn build/clcnn --models ../shared/zoo/googlenet/model.onnx \\
        mobilenet_v2 --rounds 5 --runs 50
Default set (5 built-ins x 3 rounds x 30 runs) takes about 3-5 minutes on 2 cores;
most of it is the cold starts (POCL compiles every kernel with its cache empty).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnxruntime as ort

DEFAULT_MODELS = ["mobilenet_v2", "mobilenet_v3_large", "mnasnet", "efficientnet_b0", "shufflenet_v2"]


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def model_file(clcnn, name, tmp):
    if os.path.isfile(name):
        return name, os.path.splitext(os.path.basename(name))[0] if not name.endswith("model.onnx") \
            else os.path.basename(os.path.dirname(os.path.abspath(name)))
    path = os.path.join(tmp, name + ".onnx")
    run([clcnn, "export", name, path])
    return path, name


def ort_session(path):
    so = ort.SessionOptions()
    so.intra_op_num_threads = 2
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def ort_median_ms(sess, feed, runs, warmup):
    for _ in range(warmup):
        sess.run(None, feed)
    t = []
    for _ in range(runs):
        t0 = time.perf_counter()
        sess.run(None, feed)
        t.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(t)


def one_model(args, name, tmp):
    path, label = model_file(args.clcnn, name, tmp)
    sess = ort_session(path)
    inp = sess.get_inputs()[0]
    shape = [d if isinstance(d, int) and d > 0 else 1 for d in inp.shape]
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    x_path = os.path.join(tmp, label + ".in.npy")
    np.save(x_path, x)
    feed = {inp.name: x}
    cl_ms, ort_ms, cold, warm, kernels = [], [], [], [], None
    for r in range(args.rounds):
        doc = json.loads(run([args.clcnn, "bench", path, "--json", "--device", args.device, "--runs",
                              str(args.runs), "--warmup", str(args.warmup), "--no-profile", "--input", x_path]))
        cl_ms.append(doc["latency_ms"]["median"])
        cold.append(doc["cold_start_ms"])
        warm.append(doc["warm_start_ms"])
        kernels = doc["kernels_per_inference"]
        ort_ms.append(ort_median_ms(sess, feed, args.runs, args.warmup))
        print(f"  {label} round {r + 1}: clcnn {cl_ms[-1]:.2f} ms, onnxruntime {ort_ms[-1]:.2f} ms", flush=True)
    out_path = os.path.join(tmp, label + ".out.npy")
    run([args.clcnn, "run", path, "--input", x_path, "--output", out_path, "--device", args.device])
    y_cl = np.load(out_path).astype(np.float64)
    y_ort = sess.run(None, feed)[0].astype(np.float64)
    diff = float(np.max(np.abs(y_cl - y_ort))) / (float(np.max(np.abs(y_ort))) or 1.0)
    res = {"model": label, "clcnn_ms": statistics.median(cl_ms), "ort_ms": statistics.median(ort_ms),
           "rel_diff": diff, "cold_ms": statistics.median(cold), "warm_ms": statistics.median(warm),
           "kernels": kernels}
    res["ratio"] = res["clcnn_ms"] / res["ort_ms"]
    print(f"{label}: clcnn {res['clcnn_ms']:.2f} ms, onnxruntime {res['ort_ms']:.2f} ms, ratio {res['ratio']:.2f}, "
          f"max rel diff {diff:.1e}, cold {res['cold_ms'] / 1e3:.2f} s, warm {res['warm_ms']:.0f} ms, "
          f"{kernels} kernels", flush=True)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clcnn", default="build/clcnn", help="clcnn binary (default build/clcnn)")
    ap.add_argument("--models", nargs="+", default=DEFAULT_MODELS, help="built-in names or .onnx paths")
    ap.add_argument("--device", default="cpu", help="clcnn --device (default cpu)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--json", help="also write the results to this JSON file")
    args = ap.parse_args()
    if args.rounds < 1 or args.runs < 1 or args.warmup < 0:
        ap.error("--rounds and --runs must be >= 1, --warmup >= 0")
    print(f"onnxruntime {ort.__version__} (CPU, 2 intra-op threads, ORT_ENABLE_ALL); clcnn --device {args.device}; "
          f"{args.rounds} rounds x {args.runs} runs (+{args.warmup} warm-up), alternating", flush=True)
    results, failed = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models:
            try:
                results.append(one_model(args, name, tmp))
            except Exception as e:  # noqa: BLE001 — one failing model must not hide the others
                print(f"{name}: FAILED: {e}", flush=True)
                failed += 1
    print(f"\n{'model':<22} {'clcnn ms':>9} {'ort ms':>8} {'ratio':>6} {'rel diff':>9} {'cold s':>7} "
          f"{'warm ms':>8} {'kernels':>7}")
    for r in results:
        print(f"{r['model']:<22} {r['clcnn_ms']:>9.2f} {r['ort_ms']:>8.2f} {r['ratio']:>6.2f} {r['rel_diff']:>9.1e} "
              f"{r['cold_ms'] / 1e3:>7.2f} {r['warm_ms']:>8.0f} {r['kernels'] if r['kernels'] is not None else '-':>7}")
    if len(results) > 1:
        gm = float(np.exp(np.mean(np.log([r["ratio"] for r in results]))))
        print(f"{'geomean ratio':<22} {'':>9} {'':>8} {gm:>6.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
