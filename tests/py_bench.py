#!/usr/bin/env python3
"""py_bench.py — `clcnn bench` functional checks (no timing assertions: speed is
measured by bench/peers.py, never asserted in tests).

- usage errors exit 2 (no model, unknown flag, bad/missing numbers), --help exits 0,
  an unknown model exits 1;
- --json is one valid JSON object with every documented field, internally consistent
  (min <= median <= max, images/s = batch / median, profile rows add up to the kernel
  count and to total_ms, peak = weights + activations <= weights + naive);
- the time split of a profiled run (issue 17): every part >= 0, the host view's parts add
  up to the wall time, the device view's to its span, the device parts plus the host's own
  work stay within wall * 1.05, and the rest is reported as unexplained_ms (also in the
  human report); none on the reference backend or with --no-profile;
- progress: --progress puts plain stage lines and run counters on stderr and nothing on
  stdout (--json stays one object), a terminal gets one line rewritten with \r, --quiet and
  a non-terminal stderr get none, --progress with --quiet is a usage error;
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
import pty
import subprocess
import sys
import tempfile

import numpy as np
from pyreport import Report, has_cpu_device

TOL_REF = 1e-4     # bench --output vs PyTorch's ref.npy (same bound as py_compare)
TOL_BATCH = 1e-5   # batch 2 vs two batch-1 runs: same arithmetic per image
SPLIT_SLACK = 1.05  # device parts + host work may exceed the wall time by rounding only; 5% for clocks
SPLIT_EPS_MS = 0.01  # JSON numbers have 6 significant digits
SPLIT_KEYS = ("profiled_runs", "wall_ms", "kernel_ms", "upload_ms", "download_ms", "idle_enqueue_ms",
              "idle_dispatch_ms", "host_ms", "unexplained_ms", "span_ms", "enqueue_ms", "wait_ms")
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
    cases.append(["mobilenet_v2", "--progress", "--quiet"])
    for args in cases:
        p = bench(clcnn, *args)
        report(p.returncode == 2 and "bench" in p.stderr,
               f"usage error exits 2: bench {' '.join(args)} -> {p.returncode} ({p.stderr.strip()[:80]})")
    p = bench(clcnn, "--help")
    report(p.returncode == 0 and "--batch" in p.stdout and "--no-profile" in p.stdout, "--help exits 0")
    p = bench(clcnn, "no_such_arch_or_file", "--device", "ref", "--runs", "1")
    report(p.returncode == 1 and p.stderr.strip() != "", f"unknown model exits 1 ({p.returncode})")


def check_split(t):
    """The time split of one profiled run (clcnn_run_timing): problems, [] when sound."""
    missing = [k for k in SPLIT_KEYS if k not in t]
    if missing:
        return [f"time_split misses {missing}"]
    bad = [f"time_split {k} = {t[k]} < 0" for k in SPLIT_KEYS if k != "unexplained_ms" and not t[k] >= 0]
    wall, eps = t["wall_ms"], SPLIT_EPS_MS
    if t["profiled_runs"] != 3 or not wall > 0 or not t["kernel_ms"] > 0:
        bad.append(f"time_split: profiled_runs {t['profiled_runs']}, wall {wall}, kernels {t['kernel_ms']}")
    host_view = t["host_ms"] + t["enqueue_ms"] + t["wait_ms"]
    if abs(host_view - wall) > 1e-3 * wall + eps:
        bad.append(f"time_split: host + enqueue + wait = {host_view} != wall {wall}")
    dev = t["kernel_ms"] + t["upload_ms"] + t["download_ms"] + t["idle_enqueue_ms"] + t["idle_dispatch_ms"]
    if abs(dev - t["span_ms"]) > 1e-3 * t["span_ms"] + eps:
        bad.append(f"time_split: device parts {dev} != span {t['span_ms']}")
    if dev + t["host_ms"] > wall * SPLIT_SLACK + eps:
        bad.append(f"time_split: device parts + host = {dev + t['host_ms']} > wall {wall} * {SPLIT_SLACK}")
    if abs(wall - t["host_ms"] - t["span_ms"] - t["unexplained_ms"]) > eps:
        bad.append(f"time_split: unexplained {t['unexplained_ms']} != wall - host - span")
    return bad


def check_json(doc, device, batch, runs, warmup, profiled, cold):
    """Returns a list of problems (empty: ok)."""
    bad = []
    for k in ("model", "device", "backend", "batch", "input_shape", "runs", "warmup", "cold_start_ms",
              "warm_start_ms", "latency_ms", "time_split", "images_per_s", "kernels_per_inference", "memory",
              "profile", "profile_note", "fallbacks"):
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
                or doc["profile"] is not None or doc["time_split"] is not None or not doc["profile_note"] \
                or doc["fallbacks"] is not None:
            bad.append("reference backend must report no kernels/memory/profile/time split/fallbacks, with a note")
        return bad
    fb = doc["fallbacks"]
    if not isinstance(fb, list) or any(set(f) != {"group", "op", "reason"} or not f["reason"] for f in fb):
        bad.append(f"fallbacks not a list of {{group, op, reason}}: {fb!r}")
    if doc["backend"] != "opencl" or not isinstance(doc["kernels_per_inference"], int) \
            or doc["kernels_per_inference"] < 1:
        bad.append(f"kernels_per_inference {doc['kernels_per_inference']}")
    mem = doc["memory"]
    if mem is not None:
        if mem["peak_bytes"] != mem["weight_bytes"] + mem["activation_bytes"] or mem["weight_bytes"] <= 0 \
                or not 0 < mem["activation_bytes"] <= mem["naive_activation_bytes"]:
            bad.append(f"memory inconsistent: {mem}")
    if not profiled:
        if doc["profile"] is not None or doc["time_split"] is not None:
            bad.append("--no-profile still profiled")
        return bad
    if not isinstance(doc["time_split"], dict):
        bad.append(f"no time_split: {doc['time_split']}")
    else:
        bad += check_split(doc["time_split"])
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
        split = "time split" in p.stdout and "unexplained" in p.stdout and "blocked in the sync" in p.stdout
        report(p.returncode == 0 and width <= 120 and (table or dev == "ref") and split == (dev != "ref"),
               f"{dev}: human report, widest line {width} <= 120, table {'shown' if table else 'absent'}, "
               f"time split with its unexplained rest {'shown' if split else 'absent'}")


def progress_lines(stderr):
    return [l for l in stderr.splitlines() if l.startswith("clcnn bench: [")]


def check_progress(clcnn, dev, report):
    """Progress goes to stderr only: --json stdout stays one object whatever the mode."""
    args = ["mobilenet_v2", "--width", "0.35", "--input-size", "64", "--device", dev, "--runs", "3",
            "--warmup", "2", "--no-profile", "--json"]
    # the cold stages on ref only: a cold start on POCL costs ~20 s (compiling, then storing binaries)
    cold = dev == "ref"
    p = bench(clcnn, *args, "--progress", *([] if cold else ["--no-cold"]))
    try:
        json.loads(p.stdout)
        is_json = True
    except json.JSONDecodeError:
        is_json = False
    lines = progress_lines(p.stderr)
    want = ["warm start: context", "warm start: model", "warm start: session", "first run", "warm-up 2/2",
            "runs 3/3"]
    want += ["cold start: context", "cold start: session", "closing"] if cold else ["programs built"]
    missing = [w for w in want if not any(w in l for l in lines)]
    report(p.returncode == 0 and is_json and not missing and "clcnn bench: [" not in p.stdout
           and "\r" not in p.stderr,
           f"{dev} --progress: plain lines on stderr ({len(lines)}), stdout one JSON object: {is_json}, "
           f"stages missing: {missing}")
    for extra in ([], ["--quiet"]):
        p = bench(clcnn, *args, "--no-cold", *extra)
        report(p.returncode == 0 and not progress_lines(p.stderr),
               f"{dev} {extra or 'stderr not a terminal'}: no progress ({len(progress_lines(p.stderr))} lines)")
    # a terminal: one line rewritten in place (\r, erase to end of line), stdout untouched
    master, slave = pty.openpty()
    try:
        p = subprocess.run([clcnn, "bench", *args, "--no-cold"], stdout=subprocess.PIPE, stderr=slave,
                           text=True, timeout=600)
        os.close(slave)
        slave = -1
        raw = b""
        try:
            while chunk := os.read(master, 65536):
                raw += chunk
        except OSError:  # EIO: the terminal's other end closed, all is read
            pass
    finally:
        os.close(master)
        if slave >= 0:
            os.close(slave)
    tty = raw.decode(errors="replace")
    try:
        json.loads(p.stdout)
        is_json = True
    except json.JSONDecodeError:
        is_json = False
    report(p.returncode == 0 and is_json and "\r\x1b[K" in tty and "runs 3/3" in tty and tty.endswith("\r\x1b[K"),
           f"{dev} on a terminal: rewritten line, cleared at the end, stdout one JSON object: {is_json} "
           f"({tty[-60:]!r})")


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
    for dev in devices:
        check_progress(args.clcnn, dev, report)
    check_batch(args.clcnn, args.shared, devices, report)
    report.finish()


if __name__ == "__main__":
    main()
