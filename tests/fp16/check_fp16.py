#!/usr/bin/env python3
"""check_fp16.py — issue 18's acceptance on a device with cl_khr_fp16 (CI runs it
on Intel's OpenCL CPU runtime through ci/fp16.sh). Five checks, each against
fp32 on the same device (the baseline) or onnxruntime (the op suites):

  models    every ../shared/zoo model on its input.npy and every built-in family
            (`clcnn list`, exported at a small input size) on a seeded input:
            fp16 within 1e-2 and auto within 1e-3 of fp32 (max|d| / max|fp32|);
            fp32 itself within 1e-4 of PyTorch's ref.npy for the zoo, so the
            baseline is not wrong in the same way as fp16
  classify  `clcnn classify --precision fp16` gives fp32's top-1 on every photo
            of ../shared/data/images with every trained model of ../shared/models
  ops       tests/py_ops*.py with --precision fp16: 0 failures, none ran nothing
  memory    `clcnn bench mobilenet_v2` (full width): fp16's weight + activation
            bytes <= 55% of fp32's
  latency   a table fp16 vs fp32 for the light families (< 1 GMAC): figures
            only, never a verdict (speed is not a unit test)

An fp16 or auto run counts only when clcnn's own report says it stored layers
as half (so a silent fall-back to fp32 cannot pass), and fp16 must differ from
fp32 somewhere. No device with cl_khr_fp16 on the requested platform is a
failure, not a skip. Prints one line per item, then "N passed, N failed";
exits 1 on any failure.

    python check_fp16.py --clcnn build/clcnn --shared ../shared [--platform Intel]
                         [--only models,classify,ops,memory,latency] [-k NAME]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
TOL_FP16 = 1e-2       # the bound for all-half storage
TOL_AUTO = 1e-3       # auto's own tolerance (clcnn_session_options.auto_tolerance default)
TOL_FP32_REF = 1e-4   # fp32 vs PyTorch's ref.npy (tests/py_zoo.py's bound)
MEM_RATIO = 0.55      # fp16 weight+activation bytes / fp32's
BUILTIN_SIZE = 64     # built-ins exported at 64x64 (ci/plan_profiles.sh's size): every layer, little time
LIGHT_MACS = 1e9      # the latency table's "light" families: fewer MACs than this at 224
OP_SUITES = ["py_ops", "py_ops_unary", "py_ops_norm", "py_ops_spatial", "py_ops_shape", "py_ops_gathernd"]
OP_SUITE_COST = {"py_ops_spatial": 90, "py_ops_shape": 90, "py_ops_unary": 90, "py_ops": 60,
                 "py_ops_norm": 70, "py_ops_gathernd": 5}  # seconds on Intel here, for the order only
# clcnn's stderr line for a non-fp32 session (host/cli/cli_util.c cli_precision_report)
PREC_LINE = re.compile(r"precision (fp16|auto): (\d+) layers fp16, (\d+) fp32, (\d+) conversions"
                       r"(?:; calibration error (\S+))?")
TALLY = re.compile(r"^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$", re.M)


class Tally:
    def __init__(self):
        self.passed = self.failed = 0
        self.failures = []

    def __call__(self, ok, what):
        print(("ok    " if ok else "FAIL  ") + what, flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            self.failures.append(what)
        return ok


def rel_err(out, ref):
    ref = np.asarray(ref, np.float64)
    scale = float(np.max(np.abs(ref))) or 1.0
    return float(np.max(np.abs(np.asarray(out, np.float64) - ref))) / scale


def clcnn(args, *cmd, timeout=600):
    t0 = time.time()
    p = subprocess.run([args.clcnn, *cmd], capture_output=True, text=True, timeout=timeout)
    return p, time.time() - t0


def last_line(p):
    lines = (p.stderr or p.stdout).strip().splitlines()
    return lines[-1] if lines else f"exit {p.returncode}, no message"


def half_layers(p, precision):
    """(half, float) layer counts from clcnn's precision report, None when absent."""
    m = PREC_LINE.search(p.stderr)
    if not m or m.group(1) != precision:
        return None
    return int(m.group(2)), int(m.group(3))


def find_device(args):
    """Index of the first device on a platform containing args.platform, with
    its fp16 flag; (None, why) when there is none."""
    p, _ = clcnn(args, "devices", "--json")
    try:
        devs = json.loads(p.stdout) if p.returncode == 0 else []
    except ValueError:
        devs = []
    for d in devs:
        if args.platform.lower() in d.get("platform", "").lower():
            if not d.get("fp16"):
                return None, f"{d['name']} ({d['platform']}) has no cl_khr_fp16"
            return str(d["index"]), f"{d['name']} ({d['platform']}, driver {d.get('driver_version')})"
    listed = ", ".join(f"{d.get('platform')}" for d in devs) or "none"
    return None, f"no device on a platform matching '{args.platform}' (listed: {listed})"


def run_three(args, model, inputs, tmp, tag):
    """Runs MODEL in fp32, fp16 and auto; returns ({precision: output}, {precision: note}) or a
    failure string."""
    outs, notes = {}, {}
    for prec in ("fp32", "fp16", "auto"):
        out = os.path.join(tmp, f"{tag}.{prec}.npy")
        cmd = ["run", model, "--device", args.dev, "--precision", prec, "--output", out]
        for i in inputs:
            cmd += ["--input", i]
        p, dt = clcnn(args, *cmd)
        if p.returncode != 0:
            return f"{prec}: clcnn run exited {p.returncode}: {last_line(p)}"
        if prec != "fp32":
            hl = half_layers(p, prec)
            if hl is None or hl[0] == 0:
                return f"{prec}: clcnn reports no half layers ({p.stderr.strip()[-160:]!r})"
            notes[prec] = f"{hl[0]}h/{hl[1]}f"
        outs[prec] = np.load(out)
        notes[prec + "_s"] = dt
    return outs, notes


def check_one_model(args, tally, name, model, inputs, tmp, ref=None):
    r = run_three(args, model, inputs, tmp, name.replace("/", "_"))
    if isinstance(r, str):
        tally(False, f"models  {name}: {r}")
        return
    outs, notes = r
    e16 = rel_err(outs["fp16"], outs["fp32"])
    eauto = rel_err(outs["auto"], outs["fp32"])
    bad = []
    if outs["fp16"].shape != outs["fp32"].shape or outs["auto"].shape != outs["fp32"].shape:
        bad.append("output shapes differ")
    if not e16 <= TOL_FP16:
        bad.append(f"fp16 {e16:.2e} > {TOL_FP16:g}")
    if e16 == 0:
        bad.append("fp16 bit-identical to fp32: half storage not in effect")
    if not eauto <= TOL_AUTO:
        bad.append(f"auto {eauto:.2e} > {TOL_AUTO:g}")
    e32 = ""
    if ref is not None:
        er = rel_err(outs["fp32"].reshape(ref.shape), ref) if outs["fp32"].size == ref.size else float("inf")
        e32 = f" fp32-vs-ref {er:.1e}"
        if not er <= TOL_FP32_REF:
            bad.append(f"fp32 baseline {er:.2e} from ref.npy > {TOL_FP32_REF:g}")
    args.model_rows.append((name, e16, eauto, notes["fp16"], notes["auto"]))
    tally(not bad, f"models  {name}: fp16 {e16:.2e} ({notes['fp16']}) auto {eauto:.2e} "
                   f"({notes['auto']}){e32}  [{notes['fp32_s']:.1f}/{notes['fp16_s']:.1f}/"
                   f"{notes['auto_s']:.1f}s]" + (f"  {'; '.join(bad)}" if bad else ""))


def check_models(args, tally, tmp):
    zoo = os.path.join(args.shared, "zoo")
    names = sorted(n for n in os.listdir(zoo) if os.path.isfile(os.path.join(zoo, n, "model.onnx"))
                   and os.path.isfile(os.path.join(zoo, n, "input.npy"))) if os.path.isdir(zoo) else []
    tally(bool(names), f"models  zoo: {len(names)} models with input.npy in {zoo}")
    for n in names:
        if args.k and args.k not in n:
            continue
        d = os.path.join(zoo, n)
        ref = np.load(os.path.join(d, "ref.npy")) if os.path.isfile(os.path.join(d, "ref.npy")) else None
        check_one_model(args, tally, f"zoo/{n}", os.path.join(d, "model.onnx"),
                        [os.path.join(d, "input.npy")], tmp, ref)
    families = builtin_families(args)
    tally(bool(families), f"models  built-ins: {len(families)} in `clcnn list`")
    for arch, _ in families:
        if args.k and args.k not in arch:
            continue
        m = os.path.join(tmp, f"{arch}.onnx")
        p, _ = clcnn(args, "export", arch, m, "--input-size", str(BUILTIN_SIZE))
        if p.returncode != 0:
            tally(False, f"models  {arch}: clcnn export exited {p.returncode}: {last_line(p)}")
            continue
        ins = []
        for k, vi in enumerate(v for v in onnx.load(m, load_external_data=False).graph.input):
            shape = [d.dim_value or 1 for d in vi.type.tensor_type.shape.dim]
            x = np.random.default_rng(18 + k).uniform(-1, 1, size=shape).astype(np.float32)
            ins.append(os.path.join(tmp, f"{arch}.in{k}.npy"))
            np.save(ins[-1], x)
        check_one_model(args, tally, f"{arch}@{BUILTIN_SIZE}", m, ins, tmp)


def builtin_families(args):
    """[(name, MACs)] from `clcnn list` (header line first)."""
    p, _ = clcnn(args, "list")
    rows = []
    for line in p.stdout.splitlines()[1:]:
        f = line.split()
        if len(f) >= 5:
            rows.append((f[0], int(f[-1].replace(",", ""))))
    return rows


def classify(args, model, prec):
    p, _ = clcnn(args, "classify", "--model", model, "--device", args.dev, "--precision", prec,
                 "--json", "--top", "2", args.images)
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        return None, f"{prec}: exit {p.returncode}, no JSON: {last_line(p)}"
    if p.returncode != 0 or doc.get("failed"):
        return None, f"{prec}: exit {p.returncode}, {doc.get('failed')} images failed: {last_line(p)}"
    if prec != "fp32" and (half_layers(p, prec) or (0,))[0] == 0:
        return None, f"{prec}: clcnn reports no half layers"
    return {os.path.basename(r["image"]): r["top"] for r in doc["results"]}, ""


def check_classify(args, tally):
    mdir = os.path.join(args.shared, "models")
    models = sorted(f for f in os.listdir(mdir) if f.endswith(".onnx")) if os.path.isdir(mdir) else []
    photos = sorted(os.listdir(args.images)) if os.path.isdir(args.images) else []
    tally(bool(models) and bool(photos), f"classify {len(models)} models x {len(photos)} photos")
    for m in models:
        if args.k and args.k not in m:
            continue
        path = os.path.join(mdir, m)
        r32, why32 = classify(args, path, "fp32")
        r16, why16 = classify(args, path, "fp16")
        if r32 is None or r16 is None:
            tally(False, f"classify {m}: {why32 or why16}")
            continue
        diff, cells = [], []
        for img in photos:
            a, b = r32.get(img), r16.get(img)
            if not a or not b:
                diff.append(f"{img} missing")
                continue
            margin = a[0]["prob"] - (a[1]["prob"] if len(a) > 1 else 0.0)
            if a[0]["index"] != b[0]["index"]:
                diff.append(f"{img}: fp32 {a[0]['index']} {a[0]['label']} fp16 {b[0]['index']} {b[0]['label']}")
            cells.append(f"{os.path.splitext(img)[0]} {a[0]['index']}"
                         f" dp {abs(a[0]['prob'] - b[0]['prob']):.0e} margin {margin:.2f}")
        args.classify_rows.append((m, len(photos) - len(diff), len(photos)))
        tally(not diff, f"classify {m}: top-1 same on {len(photos) - len(diff)}/{len(photos)}"
                        + (f"  differ: {'; '.join(diff)}" if diff else ""))
        print("         " + ", ".join(cells), flush=True)


def check_ops(args, tally):
    """The op suites, args.jobs at a time (each is a long series of short
    clcnn processes: two overlap well on two cores); results in suite order."""
    suites = [s for s in OP_SUITES if not args.k or args.k in s]
    running, done = {}, {}
    # longest first, so the two lanes end together
    queue = sorted(suites, key=lambda s: -OP_SUITE_COST.get(s, 0))
    while queue or running:
        while queue and len(running) < args.jobs:
            s = queue.pop(0)
            log = open(os.path.join(args.logdir, f"fp16-{s}.log"), "w+")
            p = subprocess.Popen([sys.executable, os.path.join(args.suites_dir, s + ".py"), "--clcnn", args.clcnn,
                                  "--device", args.dev, "--precision", "fp16"],
                                 stdout=log, stderr=subprocess.STDOUT, text=True)
            running[s] = (p, log, time.time())
        time.sleep(0.5)
        for s, (p, log, t0) in list(running.items()):
            if p.poll() is None:
                if time.time() - t0 > 1800:
                    p.kill()
                continue
            log.seek(0)
            done[s] = (p.returncode, log.read(), time.time() - t0)
            log.close()
            del running[s]
    for s in suites:
        report_suite(args, tally, s, *done[s])


def report_suite(args, tally, s, rc, out, dt):
    m = TALLY.findall(out)
    if not m:
        tally(False, f"ops     {s}: no tally line (exit {rc}): {out.strip()[-200:]}")
        return
    npass, nfail, nskip = (int(x or 0) for x in m[-1])
    why = ""
    if rc != 0 or nfail:
        fails = [l for l in out.splitlines() if l.startswith("FAIL")]
        why = f"  exit {rc}; " + (" | ".join(fails[:3]) + (" ..." if len(fails) > 3 else "")
                                  or out.strip().splitlines()[-1][:200])
    elif npass == 0:
        why = "  ran nothing"
    reasons = {}
    for l in out.splitlines():
        if l.startswith("SKIP"):
            r = re.split(r" device=\S+: ", l, maxsplit=1)[-1].split(" (")[0].split(":")[0][:40]
            reasons[r] = reasons.get(r, 0) + 1
    args.op_rows.append((s, npass, nfail, nskip))
    tally(not why, f"ops     {s}: {npass} passed, {nfail} failed, {nskip} skipped ({dt:.0f}s)"
                   + (f" [skips: {', '.join(f'{n} {r}' for r, n in reasons.items())}]" if reasons else "")
                   + why)


def bench(args, model, prec, runs, warmup):
    p, _ = clcnn(args, "bench", model, "--device", args.dev, "--precision", prec, "--json",
                 "--runs", str(runs), "--warmup", str(warmup), "--no-cold", "--no-profile")
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        return None, f"{model} {prec}: exit {p.returncode}, no JSON: {last_line(p)}"
    if p.returncode != 0:
        return None, f"{model} {prec}: exit {p.returncode}: {last_line(p)}"
    if prec != "fp32" and (half_layers(p, prec) or (0,))[0] == 0:
        return None, f"{model} {prec}: clcnn reports no half layers"
    return doc, ""


def check_memory_latency(args, tally, want_mem, want_lat):
    """One bench per (light family, precision): mobilenet_v2's JSON is the memory check too."""
    light = [n for n, macs in builtin_families(args) if macs < LIGHT_MACS]
    if want_mem and "mobilenet_v2" not in light:
        light.append("mobilenet_v2")
    if not want_lat:
        light = ["mobilenet_v2"]
    if args.k:
        light = [n for n in light if args.k in n]
    rows = []
    for n in light:
        docs = {}
        for prec in ("fp32", "fp16"):
            docs[prec], why = bench(args, n, prec, args.runs, args.warmup)
            if docs[prec] is None:
                tally(False, f"bench   {why}")
                break
        else:
            rows.append((n, docs["fp32"], docs["fp16"]))
            if n == "mobilenet_v2" and want_mem:
                m32, m16 = docs["fp32"]["memory"], docs["fp16"]["memory"]
                b32 = m32["weight_bytes"] + m32["activation_bytes"]
                b16 = m16["weight_bytes"] + m16["activation_bytes"]
                args.mem = (m32, m16, b16 / b32)
                tally(b16 <= MEM_RATIO * b32,
                      f"memory  mobilenet_v2 (full width, 224): weights+activations fp32 {b32:,} B "
                      f"(w {m32['weight_bytes']:,} + a {m32['activation_bytes']:,}), fp16 {b16:,} B "
                      f"(w {m16['weight_bytes']:,} + a {m16['activation_bytes']:,}): "
                      f"{b16 / b32:.1%} <= {MEM_RATIO:.0%}")
    if want_lat and rows:
        print(f"\nlatency on {args.dev_name}: bench --runs {args.runs} --warmup {args.warmup} "
              f"--no-cold --no-profile, median ms (min-max); figures only, no threshold")
        print(f"{'model':<27} {'fp32 ms (min-max)':<24} {'fp16 ms (min-max)':<24} fp16/fp32")
        for n, a, b in rows:
            la, lb = a["latency_ms"], b["latency_ms"]
            c32 = f"{la['median']:.1f} ({la['min']:.1f}-{la['max']:.1f})"
            c16 = f"{lb['median']:.1f} ({lb['min']:.1f}-{lb['max']:.1f})"
            print(f"{n:<27} {c32:<24} {c16:<24} {lb['median'] / la['median']:.2f}")
        print(flush=True)
        args.latency = rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clcnn", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--platform", default="Intel", help="OpenCL platform name substring (default Intel)")
    ap.add_argument("--only", default="models,classify,ops,memory,latency")
    ap.add_argument("-k", default="", help="only items whose name contains this")
    ap.add_argument("--runs", type=int, default=10, help="latency table: bench --runs")
    ap.add_argument("--warmup", type=int, default=2, help="latency table: bench --warmup")
    ap.add_argument("--suites-dir", default=TESTS, help="where py_ops*.py are (default: this tests/)")
    ap.add_argument("--jobs", type=int, default=2, help="op suites run at once (default 2)")
    ap.add_argument("--logdir", default=None, help="where the op suites' logs go (default: a temp dir)")
    args = ap.parse_args()
    args.clcnn = os.path.abspath(args.clcnn)
    args.images = os.path.join(args.shared, "data", "images")
    args.model_rows, args.classify_rows, args.op_rows = [], [], []
    args.mem = args.latency = None
    only = set(args.only.split(","))
    unknown = only - {"models", "classify", "ops", "memory", "latency"}
    if unknown:
        ap.error(f"--only: unknown check(s) {sorted(unknown)}")
    tally = Tally()
    t0 = time.time()
    args.dev, args.dev_name = find_device(args)
    if not tally(args.dev is not None, f"device  {args.dev_name}"):
        print(f"{tally.passed} passed, {tally.failed} failed")
        return 1
    with tempfile.TemporaryDirectory(prefix="clcnn_fp16_") as tmp:
        args.logdir = args.logdir or tmp
        os.makedirs(args.logdir, exist_ok=True)
        steps = [("models", lambda: check_models(args, tally, tmp)),
                 ("classify", lambda: check_classify(args, tally)),
                 ("ops", lambda: check_ops(args, tally))]
        for name, fn in steps:
            if name in only:
                s0 = time.time()
                fn()
                print(f"--- {name}: {time.time() - s0:.0f}s", flush=True)
        if only & {"memory", "latency"}:
            s0 = time.time()
            check_memory_latency(args, tally, "memory" in only, "latency" in only)
            print(f"--- memory/latency: {time.time() - s0:.0f}s", flush=True)
    print(f"fp16 acceptance on {args.dev_name}: {time.time() - t0:.0f}s")
    if tally.failures:
        print("failed:\n  " + "\n  ".join(tally.failures))
    print(f"{tally.passed} passed, {tally.failed} failed")
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
