"""Session(precision=...) (issue 18): fp16 refused on a device without
cl_khr_fp16 (POCL) unless the test hook CLCNN_FP16_ANY_DEVICE=1 is set, fp16
and auto outputs against onnxruntime on a small built-in model, the info and
per-layer rows, and the keyword checks (bad precision, tolerance, calibration).
"""
import numpy as np
import pytest

import clcnn
from conftest import ort_run, rel_err

HOOK = "CLCNN_FP16_ANY_DEVICE"
FP16_TOL = 1e-2  # half storage: 11-bit mantissa per stored tensor, float32 math


def _opencl(fp16):
    """Index of an OpenCL device whose cl_khr_fp16 is `fp16`; skips when none."""
    for d in clcnn.devices():
        if d["fp16"] == fp16:
            return d["index"]
    pytest.skip(f"no OpenCL device {'with' if fp16 else 'without'} cl_khr_fp16 in clcnn.devices()")


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A small built-in MobileNetV2 (64x64, 10 classes), its ONNX export for
    onnxruntime, a seeded input and onnxruntime's output on it."""
    m = clcnn.Model("mobilenet_v2", width=0.25, input_size=64, classes=10, seed=3)
    path = tmp_path_factory.mktemp("precision") / "small.onnx"
    m.export_onnx(path)
    x = np.random.default_rng(7).uniform(-1, 1, m.inputs[0].shape).astype(np.float32)
    (want,) = ort_run(path, x)
    yield m, x, want
    m.close()


@pytest.fixture
def no_hook(monkeypatch):
    monkeypatch.delenv(HOOK, raising=False)


@pytest.fixture
def hook(monkeypatch):
    monkeypatch.setenv(HOOK, "1")  # read by the library at session creation


def test_fp16_refused_without_cl_khr_fp16(small, no_hook):
    m, _, _ = small
    dev = _opencl(False)
    with pytest.raises(clcnn.Error) as e:
        clcnn.Session(m, device=dev, precision="fp16")
    assert e.value.status == "CLCNN_ERR_UNSUPPORTED"
    assert "cl_khr_fp16" in e.value.message


def test_auto_without_cl_khr_fp16_runs_fp32(small, no_hook):
    m, x, want = small
    with clcnn.Session(m, device=_opencl(False), precision="auto") as s:
        p = s.precision
        assert (p["requested"], p["effective"], p["half_layers"], p["conversions"]) == ("auto", "fp32", 0, 0)
        assert p["calib_error"] is None and "cl_khr_fp16" in p["note"]
        assert not any(r["half"] for r in s.layer_precision())
        assert rel_err(s.run(x)[0], want) <= 1e-4


def _check_fp16(s, x, want):
    p = s.precision
    assert (p["requested"], p["effective"], p["float_layers"]) == ("fp16", "fp16", 0)
    assert p["half_layers"] > 0 and p["conversions"] >= 2  # graph input and output stay float32
    assert p["calib_error"] is None and p["note"] == ""
    rows = s.layer_precision()
    assert rows and all(r["half"] for r in rows)
    assert all(r["fp16_error"] is None for r in rows)  # only auto measures
    assert sum(r["op"] == "Cast" for r in rows) == p["conversions"]
    (y,) = s.run(x)
    assert y.dtype == np.float32 and y.shape == want.shape
    err = rel_err(y, want)
    assert err <= FP16_TOL, f"fp16 vs onnxruntime: {err:.2e} > {FP16_TOL}"
    return y


def test_fp16_with_hook_matches_onnxruntime(small, hook):
    m, x, want = small
    dev = _opencl(False)
    with clcnn.Session(m, device=dev, precision="fp16") as s16, clcnn.Session(m, device=dev) as s32:
        y16 = _check_fp16(s16, x, want)
        (y32,) = s32.run(x)
        assert s32.precision["effective"] == "fp32"
    assert rel_err(y16, y32) <= FP16_TOL
    # half storage is really in effect: fp32 matches onnxruntime far closer
    assert rel_err(y32, want) <= 1e-4 < rel_err(y16, want)


def test_fp16_on_device_with_cl_khr_fp16(small, no_hook):
    """A real fp16 device (e.g. Intel's CPU runtime via OCL_ICD_VENDORS), no hook."""
    m, x, want = small
    with clcnn.Session(m, device=_opencl(True), precision="fp16") as s:
        _check_fp16(s, x, want)


def test_auto_info_and_layers(small, hook):
    m, x, want = small
    with clcnn.Session(m, device=_opencl(False), precision="auto") as s:
        p = s.precision
        assert set(p) == {"requested", "effective", "half_layers", "float_layers", "conversions",
                          "calib_error", "note"}
        assert p["requested"] == "auto" and p["effective"] in ("fp16", "auto")
        assert p["half_layers"] > 0 and p["conversions"] >= 2
        assert isinstance(p["calib_error"], float) and 0 <= p["calib_error"] <= 1e-3  # the default tolerance
        rows = s.layer_precision()
        assert set(rows[0]) == {"name", "op", "half", "fp16_error"}
        assert sum(r["op"] == "Cast" for r in rows) == p["conversions"]
        measured = [r for r in rows if r["op"] != "Cast"]
        assert measured and all(isinstance(r["fp16_error"], float) and r["fp16_error"] >= 0 for r in measured)
        assert any(r["fp16_error"] > 0 for r in measured)
        assert rel_err(s.run(x)[0], want) <= FP16_TOL


def test_auto_tolerance_reaches_the_library(small, hook):
    """Nothing stays fp16 within 1e-7 (half's own rounding is ~5e-4), where
    the default 1e-3 keeps half layers (test_auto_info_and_layers): auto ends
    all fp32, its outputs within the tolerance."""
    m, x, want = small
    with clcnn.Session(m, device=_opencl(False), precision="auto", auto_tolerance=1e-7) as s:
        p = s.precision
        assert p["effective"] == "fp32" and p["half_layers"] == 0 and p["conversions"] == 0, p
        assert p["calib_error"] is not None and p["calib_error"] <= 1e-7
        assert not any(r["half"] for r in s.layer_precision())
        assert rel_err(s.run(x)[0], want) <= 1e-4


def test_calibration_reaches_the_library(small, hook):
    """A calibration input beyond half's range (65504) cannot be stored half
    at the first layer: auto keeps fp32 there, where the default input keeps
    everything half. Dict and list forms are both accepted."""
    m, x, want = small
    dev = _opencl(False)
    with clcnn.Session(m, device=dev, precision="auto") as s:
        assert s.precision["float_layers"] == 0
    big = {m.inputs[0].name: x * np.float32(1e5)}
    with clcnn.Session(m, device=dev, precision="auto", calibration=big) as s:
        p = s.precision
        assert p["float_layers"] >= 1 and p["half_layers"] > 0, p
        assert rel_err(s.run(x)[0], want) <= FP16_TOL
    with clcnn.Session(m, device=dev, precision="auto", calibration=[x]) as s:
        assert s.precision["calib_error"] <= 1e-3


def test_calibration_checked(small):
    """Wrong shape, dtype, count or type: an error naming calibration, before
    the library reads a byte (on the reference backend, which ignores it)."""
    m, x, _ = small
    cases = [([x[:, :2]], ValueError, r"calibration: input 'input': expected shape \(1, 3, 64, 64\)"),
             ([x[0]], ValueError, "calibration: input 'input': expected 4 dimensions"),
             ([x.astype(np.float64)], TypeError, "calibration: input 'input': dtype float64"),
             ([x, x], ValueError, "calibration: expected 1 input array"),
             ({"nope": x}, ValueError, "calibration: unknown input 'nope'"),
             ([x.tolist()], TypeError, "calibration: input 'input': expected a numpy.ndarray"),
             (5, TypeError, "calibration must be a list")]
    for calib, exc, msg in cases:
        with pytest.raises(exc, match=msg):
            clcnn.Session(m, device="ref", precision="auto", calibration=calib)
    # the session's shapes: with batch=2, a batch-1 array is wrong, a batch-2 one right
    with pytest.raises(ValueError, match="calibration: input 'input': batch 1"):
        clcnn.Session(m, device="ref", batch=2, precision="auto", calibration=[x])
    x2 = np.concatenate([x, x])
    with clcnn.Session(m, device="ref", batch=2, precision="auto", calibration=[np.asfortranarray(x2)]) as s:  # copied to C order
        assert s.inputs[0].shape == (2, 3, 64, 64)
        assert s.precision["note"] == "the reference backend runs fp32"


@pytest.mark.parametrize("kw, exc, msg", [
    ({"precision": "fp8"}, ValueError, "precision must be 'fp32', 'fp16' or 'auto', got 'fp8'"),
    ({"precision": ""}, ValueError, "precision must be"),
    ({"precision": "FP64"}, ValueError, "precision must be"),
    ({"precision": 16}, TypeError, "precision must be a str"),
    ({"precision": "auto", "auto_tolerance": 0}, ValueError, r"auto_tolerance must be in \(0, 1\)"),
    ({"precision": "auto", "auto_tolerance": 1.5}, ValueError, "auto_tolerance must be in"),
    ({"precision": "auto", "auto_tolerance": float("nan")}, ValueError, "auto_tolerance must be in"),
    ({"precision": "auto", "auto_tolerance": "1e-3"}, TypeError, "auto_tolerance must be a float"),
    ({"auto_tolerance": 1e-2}, ValueError, "auto_tolerance applies to precision='auto' only"),
    ({"precision": "fp16", "calibration": []}, ValueError, "calibration applies to precision='auto' only"),
])
def test_bad_precision_keywords(kw, exc, msg):
    # model None and no device: raised before any model is loaded or device started
    with pytest.raises(exc, match=msg):
        clcnn.Session(**kw)


def test_precision_spellings_and_reference(small):
    """The library's spellings (as the CLI's --precision); the reference
    backend runs fp32 whatever is asked, and says so."""
    m, _, _ = small
    for spelled, name in (("float16", "fp16"), ("half", "fp16"), ("float32", "fp32"), ("auto", "auto")):
        with clcnn.Session(m, device="ref", precision=spelled) as s:
            p = s.precision
            assert (p["requested"], p["effective"], p["half_layers"]) == (name, "fp32", 0)
            assert p["note"] == ("" if name == "fp32" else "the reference backend runs fp32")


def test_closed_session(small):
    m, _, _ = small
    s = clcnn.Session(m, device="ref")
    s.close()
    with pytest.raises(ValueError, match="closed"):
        s.precision
    with pytest.raises(ValueError, match="closed"):
        s.layer_precision()


def test_ray_predictor_passes_precision():
    from clcnn.ray.predictor import ClcnnPredictor
    p = ClcnnPredictor(model="mobilenet_v2", device="ref", batch=1, precision="auto")
    assert p.session.precision["requested"] == "auto"
    with pytest.raises(ValueError, match="precision must be"):
        ClcnnPredictor(model="mobilenet_v2", device="ref", batch=1, precision="fp8")
