"""py_classify.py — end-to-end `clcnn classify` against onnxruntime's answers.

For every model in shared/models and every photo in shared/data/images, the
top-5 class indices of `clcnn classify --json` must equal expected_top5.json
(made with Pillow + onnxruntime, not by clcnn), probabilities within 1e-3, and
the label must match. Runs on the reference backend (--device ref), and on the
OpenCL CPU device when one exists. All photos of one model go through one
process (the batch path), so the model loads once. Bad inputs must exit
non-zero with one-line errors that name the file.

usage: python py_classify.py --clcnn build/clcnn --shared ../shared
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

PROB_TOL = 1e-3


class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {what}" + (f": {detail}" if detail else ""))
        return ok


def run(clcnn, args, env=None, timeout=900):
    t0 = time.monotonic()
    p = subprocess.run([clcnn, "classify", *args], capture_output=True, text=True,
                       timeout=timeout, env=env)
    return p, time.monotonic() - t0


def check_model(t, clcnn, device, model_path, mname, expected, images):
    """One process classifies every photo; returns (ran, seconds)."""
    paths = [img_path for _, img_path in images]
    p, secs = run(clcnn, ["--device", device, "--json", "--no-cache", "--model", model_path, *paths])
    if device != "ref" and p.returncode != 0 and "not implemented" in p.stderr:
        t.skipped += len(images)
        print(f"skip {mname} on {device}: {p.stderr.strip().splitlines()[-1]}")
        return False, secs
    if not t.check(p.returncode == 0, f"{mname} {device} exit code", f"{p.returncode}: {p.stderr.strip()}"):
        return True, secs
    try:
        doc = json.loads(p.stdout)
    except json.JSONDecodeError as e:
        t.check(False, f"{mname} {device} JSON", f"{e}: {p.stdout[:200]}")
        return True, secs
    results = {os.path.basename(r["image"]).rsplit(".", 1)[0]: r for r in doc["results"]}
    for img, _ in images:
        want = expected["models"][mname]["top5"][img]
        got = results.get(img, {}).get("top", [])
        what = f"{mname} {device} {img}"
        gi = [g["index"] for g in got]
        wi = [w["index"] for w in want]
        if not t.check(gi == wi, what + " top-5 indices", f"got {gi}, want {wi}"):
            continue
        dp = max(abs(g["prob"] - w["prob"]) for g, w in zip(got, want))
        t.check(dp <= PROB_TOL, what + " probabilities", f"max |diff| {dp:.2e} > {PROB_TOL}")
        gl = [g["label"] for g in got]
        wl = [w["label"] for w in want]
        t.check(gl == wl, what + " labels", f"got {gl}, want {wl}")
    return True, secs


def has_opencl_cpu(clcnn):
    p = subprocess.run([clcnn, "devices"], capture_output=True, text=True, timeout=120)
    return p.returncode == 0 and "cpu" in p.stdout.lower()


def one_line_naming(t, what, p, names):
    t.check(p.returncode != 0, what + " exits non-zero", f"rc {p.returncode}")
    err_lines = [l for l in p.stderr.splitlines() if l.strip()]
    for n in names:
        hits = [l for l in err_lines if n in l]
        t.check(len(hits) >= 1, f"{what} names {os.path.basename(n)}", p.stderr.strip()[:300])
    t.check("Traceback" not in p.stderr and "Segmentation" not in p.stderr, what + " no crash")


def check_bad_inputs(t, clcnn, shared, model):
    good = os.path.join(shared, "data", "images", "giraffe.jpg")
    with tempfile.TemporaryDirectory(prefix="clcnn_py_classify_") as d:
        empty = os.path.join(d, "empty.jpg")
        open(empty, "wb").close()
        trunc = os.path.join(d, "truncated.jpg")
        with open(good, "rb") as f:
            data = f.read()
        with open(trunc, "wb") as f:
            f.write(data[: len(data) // 3])
        text = os.path.join(d, "notes.jpg")
        with open(text, "w") as f:
            f.write("this is not a photo\n")
        base = ["--device", "ref", "--model", model]
        for path in (empty, trunc, text):
            p, _ = run(clcnn, base + [path])
            one_line_naming(t, f"bad input {os.path.basename(path)}", p, [path])
            t.check(len([l for l in p.stderr.splitlines() if path in l]) == 1,
                    f"bad input {os.path.basename(path)} one error line", p.stderr)
        missing = os.path.join(d, "nope.jpg")
        p, _ = run(clcnn, base + [missing])
        one_line_naming(t, "missing file", p, [missing])

        # a directory with one bad file: the good ones are still classified
        sub = os.path.join(d, "mixed")
        os.mkdir(sub)
        for name in ("a_giraffe.jpg", "c_giraffe.png"):
            src = good if name.endswith(".jpg") else os.path.join(shared, "models", "inputs", "giraffe_224.png")
            with open(src, "rb") as f, open(os.path.join(sub, name), "wb") as g:
                g.write(f.read())
        with open(os.path.join(sub, "b_broken.jpg"), "wb") as f:
            f.write(data[:500])
        p, _ = run(clcnn, base + ["--json", sub])
        one_line_naming(t, "dir with one bad file", p, [os.path.join(sub, "b_broken.jpg")])
        try:
            doc = json.loads(p.stdout)
            t.check(doc["ok"] == 2 and doc["failed"] == 1, "dir: 2 classified, 1 failed",
                    f"ok {doc['ok']} failed {doc['failed']}")
            names = [os.path.basename(r["image"]) for r in doc["results"]]
            t.check(names == ["a_giraffe.jpg", "b_broken.jpg", "c_giraffe.png"], "dir: sorted order", str(names))
            tops = [r["top"][0]["index"] for r in doc["results"] if "top" in r]
            t.check(tops == [340, 340], "dir: good files classified (zebra)", str(tops))
        except (json.JSONDecodeError, KeyError) as e:
            t.check(False, "dir: JSON output", f"{e}: {p.stdout[:300]}")

        # text mode: --top 3 gives 3 rows "rank prob index label"
        p, _ = run(clcnn, base + ["--top", "3", good])
        rows = [l.split(None, 3) for l in p.stdout.splitlines()[1:]]
        t.check(p.returncode == 0 and len(rows) == 3 and rows[0][0] == "1" and rows[0][2] == "340"
                and rows[0][3] == "zebra", "text output --top 3", p.stdout + p.stderr)

        # a labels override and a sidecar are honoured
        lab = os.path.join(d, "labels.txt")
        with open(lab, "w") as f:
            f.writelines(f"name{i}\n" for i in range(1000))
        p, _ = run(clcnn, base + ["--json", "--labels", lab, good])
        ok = p.returncode == 0 and json.loads(p.stdout)["results"][0]["top"][0]["label"] == "name340"
        t.check(ok, "--labels override", p.stdout[:300] + p.stderr)

        # a sidecar beside the model sets the mapping; $CLCNN_MODEL_PATH may name the file
        link = os.path.join(d, "mystery.onnx")
        os.symlink(os.path.abspath(model), link)
        p, _ = run(clcnn, ["--device", "ref", "--json", "--model", link, good])
        t.check(p.returncode == 0 and json.loads(p.stdout)["mapping"] == "tf" and "assuming 'tf'" in p.stderr,
                "unknown model: tf assumed, with a note", p.stderr)
        with open(os.path.join(d, "mystery.clcnn"), "w") as f:
            f.write("# test sidecar\nmapping=unit\n")
        env = dict(os.environ, CLCNN_MODEL_PATH=link)
        p, _ = run(clcnn, ["--device", "ref", "--json", good], env=env)
        ok = p.returncode == 0 and json.loads(p.stdout)["mapping"] == "unit" and "mystery.onnx" in p.stdout
        t.check(ok, "sidecar mapping + CLCNN_MODEL_PATH file", p.stdout[:200] + p.stderr)
        with open(os.path.join(d, "mystery.clcnn"), "w") as f:
            f.write("mapping=unit\ncrop=seven\n")
        p, _ = run(clcnn, ["--device", "ref", "--model", link, good])
        t.check(p.returncode == 1 and "mystery.clcnn:2" in p.stderr, "bad sidecar names file:line", p.stderr)

        # model not found: says where it looked and how to get one
        env = dict(os.environ, CLCNN_MODEL_PATH=d)
        p, _ = run(clcnn, ["--device", "ref", "--model", "no_such_model.onnx", good], env=env)
        t.check(p.returncode != 0 and "looked in" in p.stderr and d in p.stderr,
                "missing model error lists the search path", p.stderr)
        # unknown flag / bad flag values are usage errors
        p, _ = run(clcnn, ["--frobnicate", good])
        t.check(p.returncode == 2, "unknown flag exits 2", p.stderr)
        p, _ = run(clcnn, base + ["--mapping", "caffe", good])
        t.check(p.returncode == 2 and "--mapping" in p.stderr, "bad --mapping exits 2", p.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clcnn", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--quick", action="store_true", help="default model only on ref")
    a = ap.parse_args()
    with open(os.path.join(a.shared, "models", "expected_top5.json")) as f:
        expected = json.load(f)
    img_dir = os.path.join(a.shared, "data", "images")
    images = sorted((n.rsplit(".", 1)[0], os.path.join(img_dir, n))
                    for n in os.listdir(img_dir) if n.endswith(".jpg"))
    models = sorted(expected["models"])
    t = Tally()
    devices = ["ref"]
    if has_opencl_cpu(a.clcnn):
        devices.append("cpu")
    else:
        print("skip: no OpenCL CPU device; only --device ref is checked")
    for device in devices:
        for mname in models:
            if a.quick and mname != "mobilenet_v1_0.75_224.onnx":
                continue
            mpath = os.path.join(a.shared, "models", mname)
            ran, secs = check_model(t, a.clcnn, device, mpath, mname, expected, images)
            if ran:
                print(f"{mname} on {device}: {len(images)} images in {secs:.1f} s")
    check_bad_inputs(t, a.clcnn, a.shared, os.path.join(a.shared, "models", "mobilenet_v1_0.75_224.onnx"))
    print(f"{t.passed} passed, {t.failed} failed, {t.skipped} skipped")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
