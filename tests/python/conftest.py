"""Shared fixtures of the clcnn Python package's tests (pytest tests/python).

They import the *installed* package (ci/python.sh runs pytest from outside the
repository). onnxruntime is the oracle, as in tests/py_*.py. The shared folder
is $CLCNN_SHARED, else ../shared beside the repository; models are found
through $CLCNN_MODEL_PATH, which is pointed at its models/ folder here.
"""
import os
import pathlib

import numpy as np
import pytest

import clcnn

SHARED = pathlib.Path(os.environ.get("CLCNN_SHARED",
                                     pathlib.Path(__file__).resolve().parents[3] / "shared"))
MODELS = SHARED / "models"
ZOO = SHARED / "zoo"
IMAGES = SHARED / "data" / "images"
TOL = 1e-4  # max |diff| / max |ref|, as tests/py_zoo.py


def pytest_configure(config):
    if not (MODELS / "expected_top5.json").exists():
        raise pytest.UsageError(f"no shared folder at {SHARED} (set CLCNN_SHARED)")
    # The library's model search path: the default model and bare names resolve here.
    os.environ["CLCNN_MODEL_PATH"] = os.pathsep.join(
        p for p in (str(MODELS), os.environ.get("CLCNN_MODEL_PATH", "")) if p)


def rel_err(out, ref):
    ref = np.asarray(ref, np.float64)
    scale = float(np.max(np.abs(ref))) or 1.0
    return float(np.max(np.abs(np.asarray(out, np.float64) - ref))) / scale


def opencl_cpu_present():
    return any(d["type"] == "cpu" for d in clcnn.devices())


@pytest.fixture(params=["ref", "cpu"])
def device(request):
    """Each test runs on the reference backend (always there) and on the OpenCL
    CPU device, which is skipped — never passed — when absent."""
    if request.param == "cpu" and not opencl_cpu_present():
        pytest.skip("no OpenCL CPU device (clcnn.devices() lists none)")
    return request.param


@pytest.fixture
def cl_device():
    if not opencl_cpu_present():
        pytest.skip("no OpenCL CPU device (clcnn.devices() lists none)")
    return "cpu"


def ort_run(path, feed):
    ort = pytest.importorskip("onnxruntime")
    s = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    if isinstance(feed, np.ndarray):
        feed = {s.get_inputs()[0].name: feed}
    return s.run(None, feed)


def zoo(name):
    d = ZOO / name
    if not (d / "model.onnx").exists():
        pytest.skip(f"zoo model {name} is not in {ZOO}")
    return d


def dynamic_batch_copy(src, dst):
    """src with dim 0 of every graph input and output made symbolic ('N'): how
    exporters write a model meant for any batch."""
    onnx = pytest.importorskip("onnx")
    m = onnx.load(str(src))
    for v in list(m.graph.input) + list(m.graph.output):
        d0 = v.type.tensor_type.shape.dim[0]
        d0.ClearField("dim_value")
        d0.dim_param = "N"
    onnx.save(m, str(dst))
    return dst
