"""The package's surface: version, devices, built-ins, model search, model
metadata, compare."""
import logging
import re
from importlib import metadata

import numpy as np
import pytest

import clcnn
from conftest import MODELS, zoo


def test_version():
    assert re.fullmatch(r"\d+\.\d+\.\d+", clcnn.__version__)
    try:  # pip-installed: the wheel's version is the library's (one project(VERSION))
        assert clcnn.__version__ == metadata.version("clcnn")
    except metadata.PackageNotFoundError:  # a CLCNN_BUILD_PYTHON tree on PYTHONPATH
        pass


def test_devices():
    devs = clcnn.devices()
    assert isinstance(devs, list)
    for d in devs:
        assert {"index", "name", "platform", "type", "global_mem_bytes"} <= set(d)
        assert d["type"] in ("gpu", "cpu", "accelerator", "other")


def test_builtins_and_builtin_model():
    names = [b["name"] for b in clcnn.builtins()]
    assert "mobilenet_v2" in names
    m = clcnn.Model("mobilenet_v2", classes=10, seed=3)
    assert m.path is None and m.outputs[0].shape == (1, 10)
    x = np.random.default_rng(0).uniform(-1, 1, m.inputs[0].shape).astype(np.float32)
    with clcnn.Session(m, device="ref") as s:
        (y,) = s.run(x)
    assert y.shape == (1, 10) and np.isfinite(y).all()


def test_find_model_and_default():
    p = clcnn.find_model()
    assert p.endswith(clcnn.DEFAULT_MODEL)
    assert clcnn.find_model("squeezenet1.1.onnx") == str(MODELS / "squeezenet1.1.onnx")
    with pytest.raises(clcnn.Error, match="CLCNN_ERR_IO"):
        clcnn.find_model("surely_not_here.onnx")


def test_model_metadata():
    with clcnn.Model("squeezenet1.0_tflite.onnx") as m:  # a bare name, through the search path
        assert m.path.endswith("squeezenet1.0_tflite.onnx")
        (i,), (o,) = m.inputs, m.outputs
        assert isinstance(i, clcnn.TensorInfo)
        assert (i.name, i.shape, i.dtype, i.dynamic_batch) == ("input", (1, 3, 224, 224), np.float32, False)
        assert o.shape == (1, 1001)
        assert m.output_op() == "Softmax"
        assert m.label(0) == "background"
        layers = m.layers()
        assert layers and {"name", "op", "shape", "params", "macs", "inputs"} <= set(layers[0])
    assert m.closed


def test_compare_rows(cl_device):
    path = zoo("mobilenet_v1_a025") / "model.onnx"
    rows = clcnn.compare(str(path), device=cl_device)
    assert rows and all({"name", "op", "shape", "max_abs", "max_rel", "ref_max"} <= set(r) for r in rows)
    worst = max(rows, key=lambda r: r["max_rel"])
    assert worst["max_rel"] <= 1e-3, f"layer {worst['name']} ({worst['op']}) differs by {worst['max_rel']:.2e}"
    x = np.load(zoo("mobilenet_v1_a025") / "input.npy").astype(np.float32)
    rows2 = clcnn.compare(clcnn.Model(str(path)), inputs=x, device=cl_device)
    assert [r["name"] for r in rows2] == [r["name"] for r in rows]


def test_compare_needs_opencl():
    with pytest.raises(ValueError, match="reference"):
        clcnn.compare(str(MODELS / "squeezenet1.1.onnx"), device="ref")
    with pytest.raises(TypeError, match="model must be"):
        clcnn.compare(3.5)


def test_library_messages_go_to_logging(caplog):
    """The library's log callback reaches logging.getLogger('clcnn'): here the
    warning that a model of unknown origin gets the 'tf' preprocessing."""
    m = clcnn.Model(str(zoo("mobilenet_v1_a025") / "model.onnx"))
    with caplog.at_level(logging.WARNING, logger="clcnn"):
        assert m.preprocessing()["mapping"] == "tf"
    assert any(r.name == "clcnn" and "assuming 'tf'" in r.getMessage() for r in caplog.records), caplog.text


def test_model_from_bytes(tmp_path):
    """bytes are a serialized model (as onnxruntime takes them), never a path."""
    path = zoo("mobilenet_v1_a025") / "model.onnx"
    x = np.load(path.parent / "input.npy").astype(np.float32)
    with clcnn.Session(path, device="ref") as a, clcnn.Session(path.read_bytes(), device="ref") as b:
        np.testing.assert_array_equal(a.run(x)[0], b.run(x)[0])
    m = clcnn.Model(bytearray(path.read_bytes()))
    assert m.inputs[0].shape == (1, 3, 224, 224)
    with pytest.raises(clcnn.Error, match="CLCNN_ERR_PARSE"):
        clcnn.Model(b"\x08\x07 not a model")
    # external data has no folder to be resolved in
    ext = zoo("mobilenet_v2_w035") / "model.onnx"
    with pytest.raises(clcnn.Error, match="CLCNN_ERR_UNSUPPORTED"):
        clcnn.Model(ext.read_bytes())
    with pytest.raises(ValueError, match="built-in architecture name"):
        clcnn.Model(path.read_bytes(), classes=10)
