"""clcnn.classify and the preprocessing API against expected_top5.json (made
with Pillow + onnxruntime, not by clcnn), and against `clcnn classify` when
$CLCNN_CLI names a CLI binary."""
import json
import os
import subprocess

import numpy as np
import pytest

import clcnn
from conftest import IMAGES, MODELS, opencl_cpu_present

PROB_TOL = 1e-3  # as tests/py_classify.py


@pytest.fixture(scope="module")
def expected():
    with open(MODELS / "expected_top5.json") as f:
        return json.load(f)


def photos(expected):
    names = sorted(expected["images"])
    return names, [str(IMAGES / f"{n}.jpg") for n in names]


def check_top5(got, want, what):
    assert [g[0] for g in got] == [w["index"] for w in want], f"{what}: top-5 indices"
    assert [g[1] for g in got] == [w["label"] for w in want], f"{what}: labels"
    dp = max(abs(g[2] - w["prob"]) for g, w in zip(got, want))
    assert dp <= PROB_TOL, f"{what}: probabilities differ by {dp:.2e}"


@pytest.fixture(scope="module")
def fast_device():
    """The OpenCL CPU device when there is one, else the (slower) reference
    backend: the models below run on one of them, never skipped."""
    return "cpu" if opencl_cpu_present() else "ref"


# squeezenet1.1 gives logits (classify applies the softmax); squeezenet1.0_tflite
# has 1001 classes (0 = background) and ends in Softmax, as does the default
# model, mobilenet_v1 (below, on every device).
@pytest.mark.parametrize("model", ["squeezenet1.1.onnx", "squeezenet1.0_tflite.onnx"])
def test_classify_matches_expected(model, expected, fast_device):
    names, paths = photos(expected)
    with clcnn.Session(str(MODELS / model), device=fast_device) as s:
        results = clcnn.classify(paths, top=5, model=s)
    assert len(results) == len(paths)
    for n, got in zip(names, results):
        assert all(isinstance(i, int) and isinstance(l, str) and isinstance(p, float) for i, l, p in got)
        check_top5(got, expected["models"][model]["top5"][n], f"{model} on {fast_device} {n}")


def test_classify_default_model(expected, device):
    names, paths = photos(expected)
    results = clcnn.classify(paths, device=device)  # model=None: the default model
    for n, got in zip(names, results):
        check_top5(got, expected["models"][clcnn.DEFAULT_MODEL]["top5"][n], f"default on {device} {n}")


def test_classify_single_path_and_top(expected):
    """One path (os.PathLike) gives a one-element list; top=3 gives 3 rows."""
    (res,) = clcnn.classify(IMAGES / "dog.jpg", top=3, model=str(MODELS / "squeezenet1.1.onnx"), device="ref")
    want = expected["models"]["squeezenet1.1.onnx"]["top5"]["dog"][:3]
    assert [r[0] for r in res] == [w["index"] for w in want]


def test_preprocess_image_matches_stored_crops(expected):
    """The library's decode + Pillow-exact resize + crop equals the stored
    Pillow crops, mapped with the model's mapping (tf: x/127.5 - 1)."""
    Image = pytest.importorskip("PIL.Image")
    m = clcnn.Model(str(MODELS / "mobilenet_v1_0.75_224.onnx"))
    prep = m.preprocessing()
    assert prep["mapping"] == "tf" and prep["crop"] == 224 and prep["layout"] == "nchw"
    for n in sorted(expected["images"]):
        x = m.preprocess_image(IMAGES / f"{n}.jpg")
        crop = np.asarray(Image.open(MODELS / "inputs" / f"{n}_224.png").convert("RGB"), np.float32)
        want = (crop / 127.5 - 1.0).transpose(2, 0, 1)[None]
        assert x.shape == want.shape and x.dtype == np.float32
        assert float(np.max(np.abs(x - want))) <= 1e-6, f"{n}: preprocessing differs from the stored crop"
    # overrides as keywords, as classify's flags
    y = m.preprocess_image(IMAGES / "dog.jpg", mapping="unit", layout="nhwc")
    assert y.shape == (1, 224, 224, 3) and 0.0 <= y.min() and y.max() <= 1.0
    with pytest.raises(ValueError, match="mapping"):
        m.preprocessing(mapping="caffe")


@pytest.mark.skipif(not os.environ.get("CLCNN_CLI"), reason="set CLCNN_CLI to a clcnn binary to compare")
def test_classify_matches_cli(expected, fast_device):
    names, paths = photos(expected)
    model = str(MODELS / "squeezenet1.1.onnx")
    p = subprocess.run([os.environ["CLCNN_CLI"], "classify", "--json", "--device", fast_device, "--model", model,
                        *paths], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    cli = {os.path.basename(r["image"]): r["top"] for r in json.loads(p.stdout)["results"]}
    for path, got in zip(paths, clcnn.classify(paths, model=model, device=fast_device)):
        want = cli[os.path.basename(path)]
        assert [(g[0], g[1]) for g in got] == [(w["index"], w["label"]) for w in want]
        assert max(abs(g[2] - w["prob"]) for g, w in zip(got, want)) <= 1e-6
