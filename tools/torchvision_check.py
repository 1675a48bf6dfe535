#!/usr/bin/env python3
"""Run clcnn on users' models and compare with the framework's own output: issue 15's check.

Models: every <dir>/<model>/{legacy,dynamo}.onnx that tools/torchvision_export.py
wrote (oracle: torch's output ref.npy), and with --light the nine `light` CNNs the
onnx package ships (oracle: onnxruntime on a seeded N(0,1) input; their weights are
ConstantOfShape constants). Each runs through `clcnn run` on every --device, and
the result is one of:

  pass      max|out - ref| <= rtol * max|ref| + atol   (defaults 1e-4, 1e-5: the
            issue's 1e-4 taken relative to the output's scale, since random-weight
            logits range from ~1e-2 to ~1e2 between families; atol keeps an
            all-zero output meaningful)
  wrong     over that (the figure printed is max|diff| / max|ref|), or wrong shape
  ill-conditioned  over that, but torch's own fp32 and fp64 outputs differ by more than
            rtol (meta.txt's fp32-vs-fp64, written by torchvision_export.py): no oracle
  refused   clcnn exited non-zero: its first stderr line, model path cut off
  timeout   over --timeout seconds
  no-export the exporter failed (<exporter>.err beside the model)

For each refused model the table also lists the op types in the graph that clcnn's
op list (host/**/op_list*.h, X(ENUM, "Name") entries) does not claim, since the
error names only the first. Needs numpy and onnx; onnxruntime only for --light.
The repo's .venv has all three; torch is not needed.

    python tools/torchvision_check.py --clcnn build/clcnn [--dir /work/tvx] [--light]
        [--devices ref,cpu] [--only a,b] [--timeout 600] [--json out.json] [--md out.md]
"""
import argparse
import collections
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

EXPORTERS = ("legacy", "dynamo")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def claimed_ops():
    """The ONNX op names clcnn's op list claims; empty set when none is found."""
    names = set()
    for p in glob.glob(os.path.join(REPO, "host", "**", "*.h"), recursive=True):
        if "op_list" not in os.path.basename(p):
            continue
        with open(p, errors="replace") as f:
            names.update(re.findall(r'X\(\s*\w+\s*,\s*"(\w+)"', f.read()))
    return names


def graph_ops(path):
    import onnx
    m = onnx.load(path, load_external_data=False)
    ops = collections.Counter()

    def walk(g):
        for n in g.node:
            ops[n.op_type] += 1
            for a in n.attribute:
                if a.g is not None and a.g.node:
                    walk(a.g)
    walk(m.graph)
    return ops


def light_cases(workdir, seed):
    """(name, model, input.npy, ref.npy) for onnx's light models, refs made with onnxruntime."""
    import onnx
    import onnxruntime as ort
    src = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "light")
    out = []
    for path in sorted(glob.glob(os.path.join(src, "light_*.onnx"))):
        name = os.path.basename(path)[:-5]
        d = os.path.join(workdir, name)
        inp, ref = os.path.join(d, "input.npy"), os.path.join(d, "ref.npy")
        if not os.path.exists(ref):
            os.makedirs(d, exist_ok=True)
            m = onnx.load(path)
            inits = {i.name for i in m.graph.initializer}
            feeds = [i for i in m.graph.input if i.name not in inits]
            if len(feeds) != 1:
                sys.exit("torchvision_check: %s: expected one data input, got %d" % (path, len(feeds)))
            shape = [d_.dim_value or 1 for d_ in feeds[0].type.tensor_type.shape.dim]
            x = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
            so = ort.SessionOptions()
            so.intra_op_num_threads = 1
            sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
            y = sess.run(None, {feeds[0].name: x})[0]
            np.save(inp, x)
            np.save(ref, y.astype(np.float32))
        out.append((name, "onnx", path, inp, ref))
    return out


def tv_cases(tvdir, only):
    """In --only's order when given (the slow models last), else by name."""
    out = []
    names = [n for n in only if os.path.isdir(os.path.join(tvdir, n))] if only else sorted(
        os.path.basename(os.path.dirname(d)) for d in glob.glob(os.path.join(tvdir, "*", "")))
    for name in names:
        d = os.path.join(tvdir, name)
        inp, ref = os.path.join(d, "input.npy"), os.path.join(d, "ref.npy")
        if not os.path.exists(ref):
            continue
        for e in EXPORTERS:
            p = os.path.join(d, e + ".onnx")
            if os.path.exists(p):
                out.append((name, e, p, inp, ref))
            elif os.path.exists(os.path.join(d, e + ".err")):
                out.append((name, e, None, inp, os.path.join(d, e + ".err")))
    return out


def first_line(text, model):
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line.replace(model + ": ", "").replace("clcnn run: ", "")
    return "(no message)"


def torch_conditioning(d):
    """torchvision_export.py's 'fp32-vs-fp64 E' from d/meta.txt: how far torch's own
    float32 output is from its float64 one; None when not recorded. Beyond the check's
    rtol, ref.npy is no oracle for any float32 engine: a miss is 'ill-conditioned'."""
    try:
        for line in open(os.path.join(d, "meta.txt")):
            if line.startswith("fp32-vs-fp64 "):
                return float(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def run_one(clcnn, model, inp, ref, device, timeout, rtol, atol):
    with tempfile.TemporaryDirectory(prefix="tvcheck") as tmp:
        outp = os.path.join(tmp, "out.npy")
        t0 = time.time()
        try:
            r = subprocess.run([clcnn, "run", model, "--input", inp, "--output", outp,
                                "--device", device],
                               capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"result": "timeout", "detail": ">%ds" % timeout, "secs": timeout}
        secs = time.time() - t0
        if r.returncode != 0:
            return {"result": "refused", "detail": first_line(r.stderr, model), "secs": secs,
                    "rc": r.returncode}
        y, yr = np.load(outp), np.load(ref)
    if y.shape != yr.shape:
        return {"result": "wrong", "detail": "shape %s, want %s" % (y.shape, yr.shape), "secs": secs}
    y = y.astype(np.float64)
    yr = yr.astype(np.float64)
    if not np.all(np.isfinite(y)):
        return {"result": "wrong", "detail": "non-finite output", "secs": secs}
    diff = float(np.max(np.abs(y - yr))) if y.size else 0.0
    scale = float(np.max(np.abs(yr))) if yr.size else 0.0
    rel = diff / scale if scale > 0 else diff
    res = "pass" if diff <= rtol * scale + atol else "wrong"
    return {"result": res, "detail": "diff %.2e rel %.2e" % (diff, rel), "secs": secs,
            "max_diff": diff, "max_ref": scale}


def node_blockers(model, inp, a, devices):
    """The probe's failing signatures: [(op, nodes, {device: (result, detail)}, shapes)]."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import onnx_node_probe
    try:
        sigs, folded = onnx_node_probe.probe(model, a.clcnn, devices, inp, min(a.timeout, 120),
                                             a.rtol, a.atol, a.seed)
    except Exception as e:  # the probe is a diagnosis: its failure must not hide the table
        return [("(probe failed)", 0, {d: ("error", str(e)[:200]) for d in devices}, [])], {}
    bad = [(r["op"], r["count"], r["results"], r["shapes"]) for r in sigs
           if any(v[0] != "pass" for v in r["results"].values())]
    return bad, dict(folded)


def blocker_key(detail):
    """Group refusals by the op (or attribute) they name; else by the message
    with node and file names blanked."""
    m = re.search(r"op '(\w+)'", detail)
    if m:
        rest = detail[m.end():]
        what = "not supported" if "not supported" in rest else re.sub(r"'[^']*'", "'…'", rest).strip(" :")
        return "%s: %s" % (m.group(1), what)
    return re.sub(r"'[^']*'", "'…'", detail)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clcnn", default=os.path.join(REPO, "build", "clcnn"))
    ap.add_argument("--dir", default="/work/tvx", help="torchvision_export.py's output dir")
    ap.add_argument("--light", action="store_true", help="also the onnx package's light models")
    ap.add_argument("--no-torchvision", action="store_true")
    ap.add_argument("--devices", default="ref,cpu")
    ap.add_argument("--only", default="", help="comma-separated model names")
    ap.add_argument("--timeout", type=int, default=600, help="seconds per clcnn run")
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--atol", type=float, default=1e-5)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--json", help="write every result here (rewritten after each model)")
    ap.add_argument("--report-from", help="only print the report of a --json file")
    ap.add_argument("--md", help="write the table and blockers as markdown here")
    ap.add_argument("--per-node", action="store_true",
                    help="for each refused or wrong model, every blocking node signature "
                         "(tools/onnx_node_probe.py; needs onnxruntime)")
    ap.add_argument("--per-node-only", default="",
                    help="probe only these models (comma-separated; one per family saves "
                         "time: a Swin probe takes minutes)")
    a = ap.parse_args()
    if not os.access(a.clcnn, os.X_OK):
        sys.exit("torchvision_check: --clcnn %s: not an executable" % a.clcnn)
    if a.report_from:
        with open(a.report_from) as f:
            rows = json.load(f)
        report(rows, [d for d in a.devices.split(",") if d], a)
        return
    only = list(dict.fromkeys(n for n in a.only.split(",") if n))
    devices = [d for d in a.devices.split(",") if d]
    cases = []
    if a.light:  # first: they are quick
        cases += [c for c in light_cases(os.path.join(a.dir, "_light"), a.seed)
                  if not only or c[0] in only]
    if not a.no_torchvision:
        cases += tv_cases(a.dir, only)
    if not cases:
        sys.exit("torchvision_check: no models under %s (run tools/torchvision_export.py)" % a.dir)
    claimed = claimed_ops()
    rows = []
    for name, exporter, model, inp, ref in cases:
        row = {"model": name, "exporter": exporter, "results": {}, "clcnn": a.clcnn}
        if model is None:
            with open(ref) as f:
                last = [l for l in f.read().splitlines() if l.strip()][-1:]
            for dev in devices:
                row["results"][dev] = {"result": "no-export", "detail": (last or ["?"])[0][:160]}
        else:
            cond = torch_conditioning(os.path.dirname(ref))
            for dev in devices:
                r = run_one(a.clcnn, model, inp, ref, dev, a.timeout, a.rtol, a.atol)
                if r["result"] == "wrong" and cond is not None and cond > a.rtol:
                    r["result"] = "ill-conditioned"
                    r["detail"] += ", torch fp32 vs fp64 %.1e" % cond
                row["results"][dev] = r
            if claimed and any(r["result"] == "refused" for r in row["results"].values()) \
                    and os.path.exists(model):
                ops = graph_ops(model)
                row["unclaimed"] = sorted(o for o in ops if o not in claimed)
        probe_this = a.per_node and (not a.per_node_only or name in a.per_node_only.split(","))
        if probe_this and model is not None and any(
                r["result"] in ("refused", "wrong") for r in row["results"].values()):
            row["nodes"], row["folded"] = node_blockers(model, inp, a, devices)
        rows.append(row)
        cells = "  ".join("%s=%s(%s, %.1fs)" % (d, r["result"], r["detail"], r.get("secs", 0))
                          for d, r in row["results"].items())
        extra = ("  unclaimed: " + ",".join(row["unclaimed"])) if row.get("unclaimed") else ""
        print("%-22s %-7s %s%s" % (name, exporter, cells, extra), flush=True)
        for op, count, res, shapes in row.get("nodes", []):
            print("    node %-18s x%-3d %s  in=%s" % (op, count, "  ".join(
                "%s=%s: %s" % (d, v[0], v[1][:120]) for d, v in res.items()), shapes), flush=True)
        if a.json:  # after each model, so a run cut short still leaves its results
            with open(a.json, "w") as f:
                json.dump(rows, f, indent=1)
    report(rows, devices, a)
    bad = sum(r["result"] in ("wrong",) for row in rows for r in row["results"].values())
    sys.exit(1 if bad else 0)


def report(rows, devices, a):
    lines = ["", "## clcnn vs the framework (pass: max|diff| <= %g*max|ref| + %g)" % (a.rtol, a.atol), ""]
    lines.append("| model | exporter | " + " | ".join(devices) + " | ops clcnn does not claim |")
    lines.append("|---|---|" + "---|" * len(devices) + "---|")
    for row in rows:
        cells = []
        for d in devices:
            r = row["results"][d]
            cells.append(r["result"] if r["result"] == "pass" else "%s: %s" % (r["result"], r["detail"]))
        lines.append("| %s | %s | %s | %s |" % (row["model"], row["exporter"], " | ".join(cells),
                                               " ".join(row.get("unclaimed", []))))
    lines += ["", "### totals", ""]
    groups = collections.OrderedDict()
    for row in rows:
        groups.setdefault(row["exporter"], []).append(row)
    for exp, rs in groups.items():
        for d in devices:
            c = collections.Counter(r["results"][d]["result"] for r in rs)
            lines.append("- %s on %s: %d models: %s" % (exp, d, len(rs),
                         ", ".join("%s %d" % kv for kv in sorted(c.items()))))
    lines += ["", "### what blocks them (first refusal per model+exporter, on any device)", ""]
    block = collections.defaultdict(list)
    for row in rows:
        seen = set()
        for d in devices:
            r = row["results"][d]
            if r["result"] in ("refused", "no-export", "timeout", "wrong"):
                k = r["result"] + " " + (blocker_key(r["detail"]) if r["result"] == "refused" else d)
                if k not in seen:
                    seen.add(k)
                    block[k].append("%s/%s" % (row["model"], row["exporter"]))
    for k, ms in sorted(block.items(), key=lambda kv: -len(kv[1])):
        lines.append("- **%s** (%d): %s" % (k, len(ms), ", ".join(ms)))
    unc = collections.defaultdict(list)
    for row in rows:
        for o in row.get("unclaimed", []):
            unc[o].append("%s/%s" % (row["model"], row["exporter"]))
    if unc:
        lines += ["", "### every op type not in clcnn's op list, over the refused models", ""]
        for o, ms in sorted(unc.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            lines.append("- %s (%d): %s" % (o, len(ms), ", ".join(ms)))
    per = collections.defaultdict(lambda: [{}, "", set()])  # model -> nodes, example, devices
    folds = collections.defaultdict(set)
    for row in rows:
        tag = "%s/%s" % (row["model"], row["exporter"])
        for op, count, res, shapes in row.get("nodes", []):
            for d, (result, detail) in res.items():
                if result == "pass":
                    continue
                k = blocker_key(detail) if result == "refused" else "%s: %s" % (op, result)
                seen = per[k][0].setdefault(tag, {})
                seen[d] = seen.get(d, 0) + count
                per[k][2].add(d)
                per[k][1] = per[k][1] or "%s (in %s)" % (detail[:140], shapes)
        for op in row.get("folded", {}):
            folds[op].add(tag)
    if per:
        lines += ["", "### every blocking node, run alone (tools/onnx_node_probe.py): op: why "
                  "[devices] (models, nodes) e.g.", ""]
        for k, (ms, ex, devs) in sorted(per.items(), key=lambda kv: (-len(kv[1][0]), kv[0])):
            n = sum(max(c.values()) for c in ms.values())
            lines.append("- **%s** [%s] (%d models, %d nodes) e.g. %s: %s" % (
                k, ",".join(sorted(devs)), len(ms), n, ex, ", ".join(sorted(ms))))
    if folds:
        lines += ["", "### ops whose inputs are all load-time constants (clcnn must fold them)", ""]
        for op, ms in sorted(folds.items(), key=lambda kv: -len(kv[1])):
            lines.append("- %s (%d): %s" % (op, len(ms), ", ".join(sorted(ms))))
    text = "\n".join(lines) + "\n"
    print(text)
    if a.md:
        with open(a.md, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
