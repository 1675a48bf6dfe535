#!/usr/bin/env python3
"""py_summary_plan.py — `clcnn summary MODEL --plan [--profile] --dot/--svg`
end to end (issue 17), on a small MobileNetV2 exported to ONNX:

- the drawing has one box per executed group, fewer boxes than ONNX nodes;
- every ONNX node of the file (read with the onnx package, not with clcnn)
  is listed in exactly one box's tooltip, with its op type, except Constant
  nodes, which the loader turns into initializers (they run nothing): those
  must be exactly the nodes missing from `summary --json`'s layers;
- fused groups are drawn as chains ("Conv+..." labels) and the stride-2
  blocks' depthwise convs are in a box with another Conv (not alone);
- with --profile every box that launches kernels carries "ms  %" and a fill
  colour, views carry neither, the shares add up to ~100% and the ms to the
  total printed on stdout; without --profile no box has a share;
- --svg renders (when Graphviz is installed) with one SVG node per DOT node;
- a depthwise Conv with an SE squeeze fused shows its own output shape (ONNX
  shape inference's), not the pool's 1 x C means;
- usage errors exit 2, --plan on the reference backend exits 1, one line.
No timing thresholds. No OpenCL CPU device: the device cases are skipped.
Prints "N passed, N failed[, N skipped]"; exits 1 on any failure.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import onnx
from pyreport import Report, has_cpu_device

ARCH = ["mobilenet_v2", "--width", "0.35", "--input-size", "64"]
ARCH_SE = ["mobilenet_v3_large", "--width", "0.35", "--input-size", "64"]
BOX = re.compile(r'^\s+g(\d+) \[label="((?:[^"\\]|\\.)*)"(.*?), tooltip="((?:[^"\\]|\\.)*)"\];$')
SHARE = re.compile(r"\\n(\d+\.\d+) ms  (\d+\.\d)%$")


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def parse_boxes(dot_text):
    """{index: (label, attrs, [(layer name, op), ...])} from summary_plan.c's box lines."""
    boxes = {}
    for line in dot_text.splitlines():
        m = BOX.match(line)
        if not m:
            continue
        idx, label, attrs, tip = int(m.group(1)), m.group(2), m.group(3), m.group(4)
        parts = tip.split("\\n")
        members = []
        if "layers:" in parts:
            for p in parts[parts.index("layers:") + 1:]:
                name, _, op = p.rpartition(" (")
                members.append((name, op.rstrip(")")))
        boxes[idx] = (label, attrs, members)
    return boxes


def check_usage(clcnn, model, report):
    for args, want in ((["--plan"], 2), (["--profile", "--svg", "x.svg"], 2),
                       (["--plan", "--bogus"], 2)):
        p = run([clcnn, "summary", model, *args])
        one = len(p.stderr.strip().splitlines()) == 1
        report(p.returncode == want and one, f"summary {' '.join(args)} -> exit {p.returncode} "
               f"(want {want}), one stderr line: {one}")


def check_reference(clcnn, model, tmp, report):
    p = run([clcnn, "summary", model, "--plan", "--device", "ref", "--dot", os.path.join(tmp, "r.dot")])
    one = len(p.stderr.strip().splitlines()) == 1
    report(p.returncode == 1 and one and "reference" in p.stderr,
           f"--plan --device ref -> exit {p.returncode} (want 1), one line: {p.stderr.strip()[:120]}")


def check_members(boxes, nodes, report):
    seen = {}
    for i, (_, _, members) in boxes.items():
        for name, op in members:
            seen.setdefault((name, op), []).append(i)
    missing = [n for n in nodes if len(seen.get(n, [])) != 1]
    extra = [k for k in seen if k not in set(nodes)]
    report(not missing and not extra,
           f"each of {len(nodes)} ONNX nodes in exactly one of {len(boxes)} boxes "
           f"(not once: {missing[:5]}, unknown: {extra[:5]})")
    report(0 < len(boxes) < len(nodes), f"{len(boxes)} boxes < {len(nodes)} ONNX nodes")
    chains = [lab.split("\\n")[0] for lab, _, _ in boxes.values() if lab.startswith("Conv+")]
    report(len(chains) >= 10, f"{len(chains)} fused Conv+ chains drawn, e.g. {chains[:3]}")
    bn_alone = [lab for lab, _, m in boxes.values() if [op for _, op in m] == ["BatchNormalization"]]
    report(not bn_alone, f"no BatchNormalization drawn alone ({len(bn_alone)})")


def check_squeeze_shapes(clcnn, tmp, report):
    """A depthwise Conv with its SE block's squeeze fused (MobileNetV3's) writes
    its output and the pool's 1 x C means: its box shows the Conv's output
    shape, as ONNX shape inference gives it, not the means'."""
    model = os.path.join(tmp, "mv3.onnx")
    p = run([clcnn, "export", *ARCH_SE, model])
    if p.returncode != 0:
        report(False, f"export {' '.join(ARCH_SE)} ({p.stderr.strip()[:200]})")
        return
    inferred = onnx.shape_inference.infer_shapes(onnx.load(model))
    dims = {vi.name: "x".join(str(d.dim_value) for d in vi.type.tensor_type.shape.dim)
            for vi in inferred.graph.value_info}
    out_of = {n.name: n.output[0] for n in inferred.graph.node}
    dot = os.path.join(tmp, "mv3.dot")
    p = run([clcnn, "summary", model, "--plan", "--device", "cpu", "--dot", dot])
    if p.returncode != 0:
        report(False, f"--plan of {' '.join(ARCH_SE)} exits 0 ({p.stderr.strip()[:200]})")
        return
    got, bad = 0, []
    for label, _, members in parse_boxes(open(dot).read()).values():
        ops = [op for _, op in members]
        if "GlobalAveragePool" not in ops or not ops or ops[0] != "Conv":
            continue
        got += 1
        want = dims.get(out_of.get(members[0][0]), "?")
        shown = label.split("\\n")[-1]
        if shown != want:
            bad.append(f"{members[0][0]}: {shown} (want {want})")
    report(got >= 3 and not bad, f"{got} depthwise + squeeze boxes show the Conv's output shape "
           f"(wrong: {bad[:3]})")


def check_profile(boxes, stdout, report):
    shares, ms, bad = [], [], []
    for i, (label, attrs, _) in boxes.items():
        m = SHARE.search(label)
        view = "dashed" in attrs
        if view:
            if m or "fillcolor" in attrs:
                bad.append(i)
            continue
        if not m or "fillcolor=" not in attrs:
            bad.append(i)
            continue
        ms.append(float(m.group(1)))
        shares.append(float(m.group(2)))
    report(not bad and shares, f"every launching box has ms, % and a fill; views none (bad: {bad[:5]})")
    # each share is rounded to 0.1%: the sum is 100 within 0.05 per box
    report(abs(sum(shares) - 100.0) <= 0.05 * len(shares) + 1e-9,
           f"shares sum to {sum(shares):.2f}% over {len(shares)} boxes")
    t = re.search(r"launches, (\d+\.\d+) ms of device time", stdout)
    total = float(t.group(1)) if t else -1.0
    report(t is not None and abs(sum(ms) - total) <= 0.0005 * len(ms) + 1e-6,
           f"box times sum to {sum(ms):.3f} ms, stdout total {total:.3f} ms")


def check_svg(clcnn, model, tmp, dot_text, report):
    if not shutil.which("dot"):
        report.skip("--svg: Graphviz 'dot' not on PATH")
        return
    svg = os.path.join(tmp, "plan.svg")
    p = run([clcnn, "summary", model, "--plan", "--device", "cpu", "--svg", svg])
    report(p.returncode == 0 and os.path.exists(svg), f"--plan --svg exits 0 ({p.stderr.strip()[:200]})")
    if p.returncode != 0:
        return
    root = ET.parse(svg).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    nodes = [g for g in root.iter(ns + "g") if g.get("class") == "node"]
    want = len(parse_boxes(dot_text)) + 2  # + input, output (no legend without --profile)
    report(len(nodes) == want, f"SVG has {len(nodes)} nodes, DOT {want}; size "
           f"{root.get('width')} x {root.get('height')}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clcnn", required=True)
    ap.add_argument("--shared", default="")
    a = ap.parse_args()
    report = Report()
    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "mv2.onnx")
        p = run([a.clcnn, "export", *ARCH, model])
        report(p.returncode == 0, f"export {' '.join(ARCH)} ({p.stderr.strip()[:200]})")
        if p.returncode != 0:
            report.finish()
        check_usage(a.clcnn, model, report)
        check_reference(a.clcnn, model, tmp, report)
        if not has_cpu_device(a.clcnn):
            report.skip("--plan on an OpenCL device: no CPU device")
            report.finish()
        all_nodes = [(n.name, n.op_type) for n in onnx.load(model).graph.node]
        nodes = [n for n in all_nodes if n[1] != "Constant"]
        p = run([a.clcnn, "summary", model, "--json"])
        layers = [(L["name"], L["op"]) for L in json.loads(p.stdout)["layers"]] if p.returncode == 0 else []
        report(layers == nodes, f"the model's {len(layers)} layers are the ONNX nodes less "
               f"{len(all_nodes) - len(nodes)} Constant nodes")
        dot = os.path.join(tmp, "plan.dot")
        p = run([a.clcnn, "summary", model, "--plan", "--profile", "--device", "cpu", "--dot", dot])
        report(p.returncode == 0, f"--plan --profile exits 0 ({p.stderr.strip()[:200]})")
        if p.returncode == 0:
            text = open(dot).read()
            boxes = parse_boxes(text)
            check_members(boxes, nodes, report)
            check_profile(boxes, p.stdout, report)
        dot2 = os.path.join(tmp, "plain.dot")
        p = run([a.clcnn, "summary", model, "--plan", "--device", "cpu", "--dot", dot2])
        if p.returncode == 0:
            plain = parse_boxes(open(dot2).read())
            report(plain and not any(SHARE.search(lab) or "fillcolor" in at for lab, at, _ in plain.values()),
                   f"without --profile: {len(plain)} boxes, none with a share or fill")
            check_members(plain, nodes, report)
            check_svg(a.clcnn, model, tmp, open(dot2).read(), report)
        else:
            report(False, f"--plan without --profile exits 0 ({p.stderr.strip()[:200]})")
        check_squeeze_shapes(a.clcnn, tmp, report)
    report.finish()


if __name__ == "__main__":
    main()
