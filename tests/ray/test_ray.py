"""clcnn.ray on a local Ray: the predictor on its own, the `clcnn-ray` job
against `clcnn classify --json` on the same photos (labels, order, errors),
and a worker killed with SIGKILL mid-batch (every photo still written once).

Oracles: expected_top5.json (Pillow + onnxruntime) for the predictor; the
`clcnn` CLI ($CLCNN_CLI) for the job — another program on the same library,
whose classify is itself checked against onnxruntime (tests/py_classify.py)."""
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pyarrow.parquet as pq
import pytest

import clcnn
from clcnn.ray import COLUMNS, ClcnnPredictor, classify_files
from conftest import DEVICE, IMAGES, MODELS
from photos import BROKEN

PROB_TOL = 1e-3  # against onnxruntime's float32 softmax, as tests/py_classify.py


def batch_of(paths):
    return {"path": np.array([str(p) for p in paths], dtype=object),
            "bytes": np.array([open(p, "rb").read() if os.path.exists(p) else b"" for p in paths],
                              dtype=object)}


def test_predictor_matches_onnxruntime_top5():
    with open(MODELS / "expected_top5.json") as f:
        exp = json.load(f)
    names = sorted(exp["images"])
    paths = [IMAGES / f"{n}.jpg" for n in names]
    # batch 3 over 7 photos: two full batches and a zero-padded one of 1
    pred = ClcnnPredictor(model=None, device=DEVICE, top=5, batch=3)
    if not pred.context.device_name.startswith("reference"):  # it takes no weights
        # the actor's Session owns its model and its plan took the weights (held
        # once per actor): the model refuses what needs them, saying why
        with pytest.raises(clcnn.Error, match="clcnn_session_create_owning"):
            pred.model.export_onnx(os.devnull)
    t = pred(batch_of(paths)).to_pydict()
    assert list(t) == list(COLUMNS)
    for i, n in enumerate(names):
        want = exp["models"][clcnn.DEFAULT_MODEL]["top5"][n]
        assert t["error"][i] is None
        assert t["class_ids"][i] == [w["index"] for w in want], n
        assert t["labels"][i] == [w["label"] for w in want], n
        assert max(abs(a - w["prob"]) for a, w in zip(t["scores"][i], want)) <= PROB_TOL, n
    # padding must not change a row: the same photos one at a time
    one = ClcnnPredictor(model=None, device=DEVICE, top=5, batch=1)
    t1 = one(batch_of(paths)).to_pydict()
    assert t1["class_ids"] == t["class_ids"] and t1["scores"] == t["scores"]


def test_predictor_bad_rows(tmp_path):
    (tmp_path / "text.jpg").write_text("not a photo")
    paths = [IMAGES / "dog.jpg", tmp_path / "text.jpg", IMAGES / "kite.jpg"]
    t = ClcnnPredictor(device=DEVICE, top=2, batch=2)(batch_of(paths)).to_pydict()
    assert t["error"][0] is None and t["error"][2] is None
    assert t["error"][1].startswith(f"{paths[1]}: not a JPEG or PNG"), t["error"][1]
    assert t["class_ids"][1] is None and t["labels"][1] is None and t["scores"][1] is None
    assert len(t["class_ids"][0]) == 2 and len(t["class_ids"][2]) == 2
    with pytest.raises(ValueError, match="batch"):
        ClcnnPredictor(device="ref", batch=0)
    with pytest.raises(clcnn.Error):
        ClcnnPredictor(model=str(tmp_path / "none.onnx"), device="ref")


def cli_reference(photo_dir):
    cli = os.environ.get("CLCNN_CLI")
    if not cli:
        pytest.fail("set CLCNN_CLI to a clcnn binary (ci/ray.sh does): the job is compared with it")
    r = subprocess.run([cli, "classify", "--json", "--device", DEVICE, "--top", "5", str(photo_dir)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 1, f"the CLI must fail on the broken files: {r.stderr[-2000:]}"
    return json.loads(r.stdout)["results"]


def read_rows(out):
    return pq.read_table(out).to_pydict()


def ray_cmd():
    # the console script pip installed beside this interpreter
    exe = os.path.join(os.path.dirname(sys.executable), "clcnn-ray")
    return [exe] if os.path.exists(exe) else [sys.executable, "-m", "clcnn.ray"]


def test_job_matches_cli(photo_dir, tmp_path):
    want = cli_reference(photo_dir)
    out = tmp_path / "out.parquet"
    t0 = time.time()
    r = subprocess.run(ray_cmd() + ["classify", str(photo_dir), "--out", str(out), "--workers", "2",
                                    "--batch", "4", "--device", DEVICE, "--num-cpus", "2",
                                    "--object-store-mb", "128", "--quiet"],
                       capture_output=True, text=True, timeout=900)
    print(f"clcnn-ray: {time.time() - t0:.1f} s\n{r.stderr[-3000:]}")
    assert r.returncode == 1, f"3 broken files: exit 1 expected, got {r.returncode}: {r.stderr[-3000:]}"
    got = read_rows(out)
    # same photos, same order (pq reads Ray's files in name order = block order)
    assert got["path"] == [w["image"] for w in want]
    n_err = 0
    for i, w in enumerate(want):
        if "error" in w:
            n_err += 1
            assert got["error"][i] == w["error"] or got["error"][i].split(": ")[0] == w["image"], \
                (got["error"][i], w["error"])
            assert got["class_ids"][i] is None
            continue
        assert got["error"][i] is None, got["error"][i]
        assert got["class_ids"][i] == [k["index"] for k in w["top"]], w["image"]
        assert got["labels"][i] == [k["label"] for k in w["top"]], w["image"]
        # the CLI prints %.8g of the same float64: formatted alike, they are equal
        assert [float("%.8g" % p) for p in got["scores"][i]] == [k["prob"] for k in w["top"]], w["image"]
    assert n_err == len(BROKEN)
    assert sorted(os.path.basename(got["path"][i]) for i in range(len(want))
                  if got["error"][i] is not None) == sorted(BROKEN)
    summary = r.stderr
    assert f"{len(want)} images, {len(BROKEN)} errors" in summary, summary
    # per-worker lines (images/s each) cover every photo; which of the two
    # actors took how many blocks is Ray's choice (one may start late)
    per_worker = [int(m) for m in re.findall(r"worker \S+: (\d+) images, [\d.]+ s busy, [\d.]+ images/s",
                                             summary)]
    assert 1 <= len(per_worker) <= 2 and sum(per_worker) == len(want), summary
    for b in BROKEN:
        assert b in summary


def killer(marker):
    """A predictor whose first batch anywhere parks the actor (pid written to
    `marker`) until the test kills it with SIGKILL; later incarnations and
    other actors run normally. Defined here, so Ray pickles it by value."""
    class KillOnce(ClcnnPredictor):
        def __call__(self, batch):
            out = super().__call__(batch)
            try:
                fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                return out
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            time.sleep(300)  # the kill lands here, with this batch's rows not yet returned
            return out
    return KillOnce


def test_kill_one_actor_every_photo_once(photo_dir, tmp_path):
    import ray
    marker = str(tmp_path / "killed.pid")
    out = str(tmp_path / "out.parquet")
    result, killed = {}, {}

    def run():
        try:
            result["summary"] = classify_files([photo_dir], out, device=DEVICE, workers=2, batch=4,
                                               num_cpus=2, object_store_mb=128, quiet=True,
                                               predictor=killer(marker))
        except BaseException as e:  # reported by the main thread
            result["error"] = e

    th = threading.Thread(target=run, daemon=True)
    th.start()
    try:
        deadline = time.time() + 600
        while time.time() < deadline and th.is_alive() and not os.path.exists(marker):
            time.sleep(0.2)
        assert os.path.exists(marker), f"no actor reached its first batch: {result}"
        pid = ""
        while not pid and time.time() < deadline:  # written right after the file is created
            time.sleep(0.1)
            pid = open(marker).read()
        pid = int(pid)
        os.kill(pid, signal.SIGKILL)
        killed["pid"] = pid
        th.join(900)
        assert not th.is_alive(), "the job did not finish after the kill"
        assert "error" not in result, f"the job failed after the kill: {result['error']!r}"
    finally:
        ray.shutdown()
    got = read_rows(out)
    want = sorted(p.name for p in photo_dir.iterdir())
    names = [os.path.basename(p) for p in got["path"]]
    assert sorted(names) == want, "every photo exactly once"
    assert len(names) == len(set(names))
    assert names == want, "in input order"
    workers = set(got["worker"])
    assert not any(w.endswith(f":{killed['pid']}") for w in workers), \
        "rows of the killed batch must come from its retry, not the dead actor"
    s = result["summary"]
    assert s.images == len(want) and s.errors == len(BROKEN)
    ok = [i for i, e in enumerate(got["error"]) if e is None]
    assert len(ok) == len(want) - len(BROKEN) and all(len(got["class_ids"][i]) == 5 for i in ok)


def run_cli(*args):
    return subprocess.run(ray_cmd() + list(args), capture_output=True, text=True, timeout=120)


def test_cli_bad_input_one_line(tmp_path, photo_dir):
    cases = [
        (["classify", str(photo_dir)], 2, "--out"),
        (["classify", str(photo_dir), "--out", "x", "--workers", "0"], 2, "--workers"),
        (["classify", str(photo_dir), "--out", "x", "--batch", "two"], 2, "--batch"),
        (["frobnicate"], 2, "frobnicate"),
        (["classify", str(tmp_path / "nope"), "--out", "x"], 1, str(tmp_path / "nope")),
        (["classify", str(tmp_path / "*.png"), "--out", "x"], 1, "matches no file"),
        (["classify", str(photo_dir), "--out", str(photo_dir)], 1, "already exists"),
        (["classify", str(photo_dir), "--out", str(photo_dir), "--overwrite"], 1, "not a directory of Parquet"),
        (["classify", str(photo_dir), "--out", "x", "--model", str(tmp_path / "m.onnx")], 1, "m.onnx"),
    ]
    r = run_cli("classify", str(photo_dir), "--out", str(tmp_path / "g.parquet"), "--device", "gpu",
                "--num-cpus", "2", "--num-gpus", "0", "--quiet")
    assert r.returncode == 1 and "takes one GPU per worker" in r.stderr.strip().splitlines()[-1], r.stderr
    # a device no worker can open: the workers fail to start, the job ends with the library's line
    r = run_cli("classify", str(photo_dir), "--out", str(tmp_path / "d.parquet"), "--device", "nosuchdev",
                "--num-cpus", "2", "--quiet")
    last = r.stderr.strip().splitlines()[-1]
    assert r.returncode == 1 and last.startswith("clcnn-ray: the job failed: CLCNN_ERR_NO_DEVICE") \
        and "nosuchdev" in last, r.stderr[-2000:]
    for args, code, needle in cases:
        r = run_cli(*args)
        assert r.returncode == code, (args, r.returncode, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and needle in lines[0], (args, r.stderr)
    assert photo_dir.exists() and len(list(photo_dir.iterdir())) == 52  # --overwrite removed nothing


def test_expand_sources(tmp_path):
    from clcnn.ray import JobError, expand_sources
    d = tmp_path / "d"
    (d / "sub").mkdir(parents=True)
    for n in ("b.jpg", "a.jpg", ".hidden.jpg", "sub/c.jpg"):
        (d / n).write_bytes(b"x")
    assert expand_sources([d]) == [f"{d}/a.jpg", f"{d}/b.jpg"]  # as `clcnn classify DIR`
    assert expand_sources([f"{d}/"]) == [f"{d}/a.jpg", f"{d}/b.jpg"]
    assert expand_sources([f"{d}/**/*.jpg"]) == sorted([f"{d}/a.jpg", f"{d}/b.jpg", f"{d}/sub/c.jpg"])
    assert expand_sources([f"{d}/a.jpg", d]) == [f"{d}/a.jpg", f"{d}/b.jpg"]  # each once
    assert expand_sources(["s3://bucket/photos/"]) == ["s3://bucket/photos/"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(JobError, match="no photo"):
        expand_sources([tmp_path / "empty"])
    with pytest.raises(JobError, match="no such file"):
        expand_sources([tmp_path / "missing.jpg"])


def test_unplaceable_pool_refused():
    # without the check these jobs would wait forever for a GPU / CPU slot
    from clcnn.ray import JobError
    from clcnn.ray.job import check_resources
    with pytest.raises(JobError, match="cluster has 0 GPU"):
        check_resources({"CPU": 2.0}, 1, gpu=True)
    with pytest.raises(JobError, match="--workers 3 but the Ray cluster has 2 CPU"):
        check_resources({"CPU": 2.0}, 3, gpu=False)
    check_resources({"CPU": 2.0, "GPU": 2.0}, 2, gpu=True)
    check_resources({"CPU": 2.0}, 2, gpu=False)
