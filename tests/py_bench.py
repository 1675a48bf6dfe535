#!/usr/bin/env python3
"""py_bench.py — `clcnn bench` functional checks (no timing assertions: speed is
measured by bench/peers.py, never asserted in tests).

- usage errors exit 2 (no model, unknown flag, bad/missing numbers), --help exits 0,
  an unknown model exits 1;
- --json is one valid JSON object with every documented field, internally consistent
  (min <= median <= max, images/s = batch / median, profile rows add up to the kernel
  count and to total_ms, peak = weights + activations <= weights + naive);
- the human report fits 120 columns;
- --output is the real result: bench's output on a zoo input matches PyTorch's ref.npy;
- batch: `--batch 2` on two stacked inputs equals the two batch-1 outputs, for every zoo
  model and some built-ins, on the reference backend and on POCL (--device cpu).
No OpenCL CPU device: the cpu cases are reported as skipped, never as passed.
Prints "N passed, N failed[, N skipped]"; exits 1 on any failure.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from pyreport import Report, has_cpu_device

TOL_REF = 1e-4     # bench --output vs PyTorch's ref.npy (same bound as py_compare)
TOL_BATCH = 1e-5   # batch 2 vs two batch-1 runs: same arithmetic per image
REF_TOO_SLOW = {"googlenet", "resnet_bottleneck_1111", "densenet_small"}  # 1-2.5 s per image on ref
REF_CHECKED = {"mobilenet_v1_a025", "shufflenet_v2_x0_5", "xception_w0125", "efficientnet_b0_w05"}
BUILTINS = [       # small variants: the batch logic does not depend on width
    ("mobilenet_v2", ["--width", "0.35", "--input-size", "64"]),
    ("shufflenet_v2", ["--width", "0.5", "--input-size", "64"]),
    ("mobilenet_v3_large", ["--width", "0.35", "--input-size", "64"]),
    ("efficientnet_b0", ["--width", "0.25", "--input-size", "64"]),
]


def rel_err(out, ref):
    scale = float(np.max(np.abs(ref))) or 1.0
    return float(np.max(np.abs(out.astype(np.float64) - ref.astype(np.float64)))) / scale


def bench(clcnn, *args):
    return subprocess.run([clcnn, "bench", *args], capture_output=True, text=True)


def check_usage(clcnn, report):
    cases = [[], ["mobilenet_v2", "--bogus"], ["mobilenet_v2", "--runs", "0"],
             ["mobilenet_v2", "--runs", "x"], ["mobilenet_v2", "--warmup", "-1"],
             ["mobilenet_v2", "--batch", "0"], ["mobilenet_v2", "--runs"],
             ["mobilenet_v2", "extra_arg", "--runs", "1"], ["mobilenet_v2", "--width", "abc"]]
    for args in cases:
        p = bench(clcnn, *args)
        report(p.returncode == 2 and "bench" in p.stderr,
               f"usage error exits 2: bench {' '.join(args)} -> {p.returncode} ({p.stderr.strip()[:80]})")
    p = bench(clcnn, "--help")
    report(p.returncode == 0 and "--batch" in p.stdout and "--no-profile" in p.stdout, "--help exits 0")
    p = bench(clcnn, "no_such_arch_or_file", "--device", "ref", "--runs", "1")
    report(p.returncode == 1 and p.stderr.strip() != "", f"unknown model exits 1 ({p.returncode})")


def check_json(doc, device, batch, runs, warmup, profiled, cold):
    """Returns a list of problems (empty: ok)."""
    bad = []
    for k in ("model", "device", "backend", "batch", "input_shape", "runs", "warmup", "cold_start_ms",
              "warm_start_ms", "latency_ms", "images_per_s", "kernels_per_inference", "memory", "profile",
              "profile_note"):
        if k not in doc:
            bad.append(f"missing '{k}'")
    if bad:
        return bad
    lat = doc["latency_ms"]
    if doc["batch"] != batch or doc["input_shape"][0] != batch:
        bad.append(f"batch {doc['batch']} / input {doc['input_shape']} (want {batch})")
    if doc["runs"] != runs or doc["warmup"] != warmup:
        bad.append("runs/warmup not echoed")
    if not (doc["warm_start_ms"] > 0 and (doc["cold_start_ms"] > 0 if cold else doc["cold_start_ms"] is None)):
        bad.append(f"start times: cold {doc['cold_start_ms']} (measured: {cold}), warm {doc['warm_start_ms']}")
    if not (0 < lat["min"] <= lat["median"] <= lat["max"] and lat["min"] <= lat["mean"] <= lat["max"]):
        bad.append(f"latency not ordered: {lat}")
    if abs(doc["images_per_s"] - batch * 1e3 / lat["median"]) > 1e-3 * doc["images_per_s"]:
        bad.append("images_per_s != batch / median")
    if device == "ref":
        if doc["backend"] != "reference" or doc["kernels_per_inference"] is not None or doc["memory"] is not None \
                or doc["profile"] is not None or not doc["profile_note"]:
            bad.append("reference backend must report no kernels/memory/profile, with a note")
        return bad
    if doc["backend"] != "opencl" or not isinstance(doc["kernels_per_inference"], int) \
            or doc["kernels_per_inference"] < 1:
        bad.append(f"kernels_per_inference {doc['kernels_per_inference']}")
    mem = doc["memory"]
    if mem is not None:
        if mem["peak_bytes"] != mem["weight_bytes"] + mem["activation_bytes"] or mem["weight_bytes"] <= 0 \
                or not 0 < mem["activation_bytes"] <= mem["naive_activation_bytes"]:
            bad.append(f"memory inconsistent: {mem}")
    if not profiled:
        if doc["profile"] is not None:
            bad.append("--no-profile still profiled")
        return bad
    prof = doc["profile"]
    if not prof or not prof["rows"]:
        return bad + ["no profile rows"]
    rows = prof["rows"]
    if sum(r["launches"] for r in rows) != doc["kernels_per_inference"]:
        bad.append("row launches do not add up to the kernel count")
    if abs(sum(r["ms"] for r in rows) - prof["total_ms"]) > 1e-3 * max(prof["total_ms"], 1e-9) + 1e-5:
        bad.append("row ms do not add up to total_ms")
    if abs(sum(r["share"] for r in rows) - 1.0) > 1e-3:
        bad.append("shares do not add up to 1")
    if any(rows[i]["ms"] < rows[i + 1]["ms"] for i in range(len(rows) - 1)):
        bad.append("rows not sorted by time")
    for r in rows:
        if not r["name"] or not r["op"] or not r["variant"] or r["bytes"] <= 0 or r["ms"] < 0:
            bad.append(f"row incomplete: {r}")
            break
        if r["ms"] > 0 and r["macs"] and abs(r["gflops"] - 2 * r["macs"] / (r["ms"] * 1e6)) > 1e-3 * r["gflops"]:
            bad.append(f"row gflops != 2 * macs / time: {r}")
            break
    if not any(r["op"] == "Conv" or r["op"].startswith("Conv+") for r in rows):
        bad.append("no Conv row")
    return bad


def check_reports(clcnn, devices, report):
    for dev in devices:
        args = ["mobilenet_v2", "--width", "0.35", "--input-size", "64", "--device", dev]
        # one cold start per device (POCL compiles everything then): the slow part of this test
        for extra, batch, profiled in (([], 1, True), (["--batch", "2", "--no-profile", "--no-cold"], 2, False)):
            p = bench(clcnn, *args, "--json", "--runs", "3", "--warmup", "1", *extra)
            try:
                doc = json.loads(p.stdout)
            except json.JSONDecodeError as e:
                report(False, f"{dev} {extra}: --json output is not JSON ({e}); exit {p.returncode} {p.stderr}")
                continue
            bad = check_json(doc, dev, batch, 3, 1, profiled and dev != "ref", "--no-cold" not in extra)
            report(p.returncode == 0 and not bad, f"{dev} {extra}: JSON fields and consistency {bad or ''}")
        p = bench(clcnn, *args, "--runs", "2", "--warmup", "0", "--no-cold")
        width = max(len(l) for l in p.stdout.splitlines()) if p.stdout else 0
        table = "per-layer profile" in p.stdout
        report(p.returncode == 0 and width <= 120 and (table or dev == "ref"),
               f"{dev}: human report, widest line {width} <= 120, table {'shown' if table else 'absent'}")


def bench_out(clcnn, tmp, tag, model, extra, dev, inp, batch):
    out = os.path.join(tmp, f"{tag}.out.npy")
    p = bench(clcnn, model, *extra, "--device", dev, "--input", inp, "--output", out, "--runs", "1",
              "--warmup", "0", "--no-profile", "--no-cold", "--batch", str(batch), "--json")
    if p.returncode != 0:
        return None, p.stderr.strip()
    return np.load(out), ""


def check_batch(clcnn, shared, devices, report):
    zoo = os.path.join(shared, "zoo")
    cases = [(d, os.path.join(zoo, d, "model.onnx"), [], os.path.join(zoo, d))
             for d in sorted(os.listdir(zoo)) if os.path.isfile(os.path.join(zoo, d, "model.onnx"))]
    cases += [(name, name, flags, None) for name, flags in BUILTINS]
    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory() as tmp:
        for name, model, flags, folder in cases:
            if folder:
                x1 = np.load(os.path.join(folder, "input.npy"))
            else:
                size = int(flags[flags.index("--input-size") + 1])
                x1 = rng.standard_normal((1, 3, size, size)).astype(np.float32)
            x2 = (rng.standard_normal(x1.shape) * 2).astype(np.float32)  # a second, unrelated image
            paths = []
            for i, x in enumerate((x1, x2, np.concatenate([x1, x2]))):
                paths.append(os.path.join(tmp, f"{name}.in{i}.npy"))
                np.save(paths[-1], np.ascontiguousarray(x))
            for dev in devices:
                if dev == "ref" and name in REF_TOO_SLOW:
                    continue
                check_batch_case(clcnn, tmp, name, model, flags, folder, dev, paths, report)


def check_batch_case(clcnn, tmp, name, model, flags, folder, dev, paths, report):
    tag = f"{name}.{dev}"
    y1, e1 = bench_out(clcnn, tmp, tag + ".1", model, flags, dev, paths[0], 1)
    y2, e2 = bench_out(clcnn, tmp, tag + ".2", model, flags, dev, paths[1], 1)
    yb, eb = bench_out(clcnn, tmp, tag + ".b", model, flags, dev, paths[2], 2)
    if y1 is None or y2 is None or yb is None:
        report(False, f"batch {tag}: bench failed: {e1 or e2 or eb}")
        return
    if folder and name in REF_CHECKED:
        e = rel_err(y1, np.load(os.path.join(folder, "ref.npy")))
        report(e <= TOL_REF, f"bench --output {tag} vs ref.npy: rel {e:.2e} (tol {TOL_REF})")
    want = np.concatenate([y1, y2])
    if yb.shape != want.shape:
        report(False, f"batch 2 {tag}: shape {yb.shape}, want {want.shape}")
        return
    e = rel_err(yb, want)
    # Random-weight zoo models barely react to their input (their outputs for two
    # unrelated images can agree to 1e-7): there a swapped or duplicated image would
    # pass too, so only models whose two outputs clearly differ prove the stacking.
    differ = rel_err(y1, y2)
    telling = differ > 100 * TOL_BATCH
    ok = e <= TOL_BATCH and (not telling or e < 0.1 * differ) and (telling or folder is not None)
    report(ok, f"batch 2 {tag}: rel {e:.2e} vs two batch-1 runs (tol {TOL_BATCH}); the two images' outputs "
               f"differ by {differ:.1e}" + ("" if telling else " (too little to tell images apart)"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clcnn", required=True)
    ap.add_argument("--shared", required=True)
    args = ap.parse_args()
    report = Report()
    devices = ["ref"]
    if has_cpu_device(args.clcnn):
        devices.append("cpu")
    else:
        report.skip("every --device cpu case: no OpenCL CPU device ('clcnn devices' lists none)")
    check_usage(args.clcnn, report)
    check_reports(args.clcnn, devices, report)
    check_batch(args.clcnn, args.shared, devices, report)
    report.finish()


if __name__ == "__main__":
    main()
