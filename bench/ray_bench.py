#!/usr/bin/env python3
"""ray_bench.py — throughput of clcnn.ray (not a test): images/s on ~500
photos for 1 and 2 Ray workers, against `clcnn classify DIR` in one process
and against onnxruntime in the same Ray Data pipeline (same model, same clcnn
preprocessing, so only inference differs); scaling efficiency; and where the
time goes (decode, preprocess, inference, Parquet, Ray).

Run from the repository in a venv with clcnn[ray] and onnxruntime (ci/ray.sh
makes one: build-ray/venv):
    build-ray/venv/bin/python bench/ray_bench.py --clcnn build/clcnn [--images 500]
        [--workers 1,2] [--batch 8] [--device cpu] [--repeat 1]

Each Ray run includes its actors' start (context, model load, plan from the
warm program cache); a warm-up job fills that cache first. "busy" rates count
only the time actors spent in preprocessing and inference.
"""
import argparse
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "ray"))
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")


class OrtPredictor:
    """ClcnnPredictor's contract with onnxruntime doing the inference: the
    same clcnn preprocessing (so the comparison is inference alone), one
    InferenceSession per actor, fixed batch 1 as the model declares."""

    def __init__(self, model=None, device=None, top=5, batch=8):
        import onnxruntime as ort
        import clcnn
        from clcnn.ray.predictor import ClcnnPredictor
        self._clcnn = ClcnnPredictor(model=model, device="ref", top=top, batch=1)  # preprocessing, labels
        so = ort.SessionOptions()
        so.intra_op_num_threads = int(os.environ.get("OMP_NUM_THREADS", "0"))  # set by threads_per_worker
        self.sess = ort.InferenceSession(clcnn.find_model(model), so, providers=["CPUExecutionProvider"])
        self.name = self.sess.get_inputs()[0].name
        self._clcnn._infer = self._infer  # the rest (rows, errors, top-k, timing) is ClcnnPredictor's
        self._clcnn.worker = "ort-" + self._clcnn.worker

    def _infer(self, xs):
        return [self.sess.run(None, {self.name: x})[0].reshape(-1) for x in xs]

    def __call__(self, batch):
        return self._clcnn(batch)


def cli_run(cli, photo_dir, device):
    t0 = time.perf_counter()
    r = subprocess.run([cli, "classify", "--device", device, "--timing", str(photo_dir)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    m = re.search(r"mean over (\d+) image\(s\): preprocess ([\d.]+) ms, inference ([\d.]+) ms", r.stderr)
    if r.returncode != 0 or not m:
        sys.exit(f"ray_bench: clcnn classify failed ({r.returncode}): {r.stderr[-500:]}")
    return int(m.group(1)), wall, float(m.group(2)), float(m.group(3))


def decode_ms(photo_dir, n=100):
    """Decode alone (Pillow on libjpeg-turbo, as the library decodes): the
    part of 'preprocess' that is not resize/crop/mapping."""
    from PIL import Image
    files = sorted(photo_dir.iterdir())[:n]
    t0 = time.perf_counter()
    for f in files:
        with Image.open(f) as im:
            im.load()
    return (time.perf_counter() - t0) * 1e3 / len(files)


def parquet_ms(out):
    import pyarrow.parquet as pq
    t = pq.read_table(out)
    best = float("inf")
    with tempfile.TemporaryDirectory() as d:
        for k in range(3):  # the first write pays pyarrow's lazy imports
            t0 = time.perf_counter()
            pq.write_table(t, os.path.join(d, f"{k}.parquet"))
            best = min(best, time.perf_counter() - t0)
    return best * 1e3


def ray_run(photo_dir, out, workers, batch, device, predictor, threads=None):
    import pyarrow.parquet as pq
    from clcnn.ray import classify_files
    s = classify_files([photo_dir], out, device=device, workers=workers, batch=batch, quiet=True,
                       overwrite=True, num_cpus=os.cpu_count(), object_store_mb=256, predictor=predictor,
                       threads_per_worker=threads)
    t = pq.read_table(out, columns=["prep_ms", "infer_ms", "error"]).to_pydict()
    ok = [i for i, e in enumerate(t["error"]) if e is None]
    busy = sum(w["busy_s"] for w in s.workers.values())
    return {"images": s.images, "errors": s.errors, "wall": s.seconds, "ips": s.images_per_s,
            "busy_ips": s.images / busy * len(s.workers) if busy else 0.0, "workers": len(s.workers),
            # wall time not spent in the actors' preprocessing + inference:
            # actor start (context, model, plan), Ray scheduling, reads, writes
            "overhead": s.seconds - busy / max(1, len(s.workers)),
            "prep": float(np.mean([t["prep_ms"][i] for i in ok])),
            "infer": float(np.mean([t["infer_ms"][i] for i in ok])), "parquet": parquet_ms(out)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clcnn", default=str(ROOT / "build" / "clcnn"))
    ap.add_argument("--images", type=int, default=500)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--shared", default=os.environ.get("CLCNN_SHARED", str(ROOT.parent / "shared")))
    a = ap.parse_args()
    os.environ["CLCNN_MODEL_PATH"] = os.path.join(a.shared, "models")
    import ray
    from photos import make_photos
    from clcnn.ray import ClcnnPredictor
    from clcnn.ray.job import init_ray
    workers = [int(w) for w in a.workers.split(",")]
    with tempfile.TemporaryDirectory(prefix="clcnn-ray-bench.") as tmp:
        tmp = pathlib.Path(tmp)
        photos = tmp / "photos"
        make_photos(pathlib.Path(a.shared) / "data" / "images", photos, a.images, broken=False)
        print(f"ray_bench: {a.images} photos, default model, "
              f"device {a.device}, batch {a.batch}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}",
              flush=True)
        n, wall, prep, infer = cli_run(a.clcnn, photos, a.device)
        dec = decode_ms(photos)
        rows = [("`clcnn classify DIR` (1 process)", 1, n / wall, 1e3 / (prep + infer), wall,
                 wall - n * (prep + infer) / 1e3, prep, infer, None)]
        init_ray(None, os.cpu_count(), 256, quiet=True)
        warm = tmp / "warm"
        make_photos(pathlib.Path(a.shared) / "data" / "images", warm, 8, broken=False)
        ray_run(warm, str(tmp / "warm.parquet"), 1, a.batch, a.device, ClcnnPredictor)
        ray_run(warm, str(tmp / "warm.parquet"), 1, a.batch, a.device, OrtPredictor)
        cpus = os.cpu_count()
        runs = []
        for w in workers:
            runs.append(("clcnn.ray", ClcnnPredictor, w, None))
            if w > 1:  # POCL's threads capped so the actors share the cores
                runs.append((f"clcnn.ray, {max(1, cpus // w)} thread(s)/worker", ClcnnPredictor, w,
                             max(1, cpus // w)))
        for w in workers:
            runs.append(("onnxruntime in Ray Data", OrtPredictor, w, max(1, cpus // w)))
        for name, pred, w, threads in runs:
            r = ray_run(photos, str(tmp / "out.parquet"), w, a.batch, a.device, pred, threads)
            rows.append((name, w, r["ips"], r["busy_ips"], r["wall"], r["overhead"], r["prep"], r["infer"],
                         r["parquet"]))
            print(f"  {name} x{w}: {r['ips']:.1f} images/s", flush=True)
        ray.shutdown()
    print(f"\nload average after: {os.getloadavg()[0]:.2f}; decode alone (Pillow/libjpeg-turbo, mean of 100): {dec:.2f} ms/image\n")
    print("| pipeline | workers | images/s (wall) | images/s (busy) | wall s | start+Ray s "
          "| preprocess ms/img | inference ms/img | Parquet write ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, w, ips, bips, wall, over, prep, infer, pq_ms in rows:
        print(f"| {name} | {w} | {ips:.1f} | {bips:.1f} | {wall:.1f} | {over:.1f} | {prep:.2f} | {infer:.2f} | "
              f"{'-' if pq_ms is None else f'{pq_ms:.0f}'} |")
    one = {n_: ips for n_, w, ips, *_ in rows if w == 1}
    for n_, w, ips, *_ in rows:
        base = one.get(n_) or one.get(n_.split(",")[0])
        if w > 1 and base:
            print(f"{n_}: scaling efficiency 1->{w} workers (wall images/s) = {ips / (w * base):.2f}")


if __name__ == "__main__":
    main()
