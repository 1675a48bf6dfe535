"""Bad input never crashes: each raises the documented exception with a message
that says what was wrong (TypeError/ValueError before the library is called,
clcnn.Error for what the library refuses)."""
import numpy as np
import pytest

import clcnn
from conftest import IMAGES, MODELS, zoo


@pytest.fixture(scope="module")
def sess():
    d = zoo("mobilenet_v1_a025")
    s = clcnn.Session(str(d / "model.onnx"), device="ref")
    yield s
    s.close()


@pytest.fixture(scope="module")
def x():
    return np.load(zoo("mobilenet_v1_a025") / "input.npy").astype(np.float32)


def test_none_and_wrong_types(sess):
    with pytest.raises(TypeError, match="got None"):
        sess.run(None)
    with pytest.raises(TypeError, match="numpy.ndarray"):
        sess.run([[1.0, 2.0]])
    with pytest.raises(TypeError, match="list of arrays or a dict"):
        sess.run(3.0)
    with pytest.raises(TypeError, match="is None"):
        sess.run([None])
    with pytest.raises(TypeError, match="must be str"):
        sess.run({0: np.zeros(3, np.float32)})


@pytest.mark.parametrize("dtype", [np.float64, np.float16, np.int32, np.uint8])
def test_wrong_dtype_is_refused(sess, x, dtype):
    with pytest.raises(TypeError, match=r"dtype .*expected float32.*astype"):
        sess.run(x.astype(dtype))


def test_wrong_shape(sess, x):
    with pytest.raises(ValueError, match=r"expected 4 dimensions \(1, 3, 224, 224\), got shape \(3, 224, 224\)"):
        sess.run(x[0])
    with pytest.raises(ValueError, match=r"expected shape \(1, 3, 224, 224\), got \(1, 3, 200, 224\)"):
        sess.run(np.ascontiguousarray(x[:, :, :200]))
    with pytest.raises(ValueError, match="batch=4"):
        sess.run(np.zeros((4, 3, 224, 224), np.float32))
    with pytest.raises(ValueError, match="batch .dim 0. is 0"):
        sess.run(np.zeros((0, 3, 224, 224), np.float32))
    with pytest.raises(ValueError, match="expected 4 dimensions"):
        sess.run(np.array(1.0, np.float32))


def test_wrong_count_and_names(sess, x):
    name = sess.inputs[0].name
    with pytest.raises(ValueError, match=r"expected 1 input array\(s\).*got 2"):
        sess.run([x, x])
    with pytest.raises(ValueError, match=r"expected 1 input array\(s\).*got 0"):
        sess.run([])
    with pytest.raises(ValueError, match=f"missing input '{name}'"):
        sess.run({})
    with pytest.raises(ValueError, match="unknown input 'nope'"):
        sess.run({name: x, "nope": x})


def test_non_contiguous_is_copied(sess, x):
    """Documented: non-contiguous and byte-swapped float32 arrays are copied,
    never misread."""
    (want,) = sess.run(x)
    fortran = np.asfortranarray(x)
    strided = np.repeat(x, 2, axis=3)[..., ::2]
    swapped = x.astype(">f4")
    for arr in (fortran, strided, swapped):
        assert not (arr.flags.c_contiguous and arr.dtype.isnative)
        np.testing.assert_array_equal(sess.run(arr)[0], want)


def test_missing_and_corrupt_model(tmp_path):
    missing = tmp_path / "no_such_model.onnx"
    with pytest.raises(clcnn.Error) as e:
        clcnn.Model(str(missing))
    assert isinstance(e.value, RuntimeError)
    assert e.value.status == "CLCNN_ERR_IO" and "no_such_model" in str(e.value)
    assert str(e.value).startswith("CLCNN_ERR_IO: ") and e.value.message in str(e.value)
    bad = tmp_path / "corrupt.onnx"
    bad.write_bytes(b"\x08\x07\x12\x04this is not a protobuf model" * 10)
    with pytest.raises(clcnn.Error) as e:
        clcnn.Session(str(bad), device="ref")
    assert e.value.status in ("CLCNN_ERR_PARSE", "CLCNN_ERR_GRAPH", "CLCNN_ERR_UNSUPPORTED"), str(e.value)
    assert "\n" not in str(e.value)
    truncated = tmp_path / "truncated.onnx"
    truncated.write_bytes((MODELS / "squeezenet1.1.onnx").read_bytes()[:5000])
    with pytest.raises(clcnn.Error, match="CLCNN_ERR_PARSE"):
        clcnn.Model(truncated)


def test_bad_constructor_arguments():
    with pytest.raises(TypeError, match="path must be a str"):
        clcnn.Model(123)
    with pytest.raises(TypeError, match="device must be"):
        clcnn.Session(None, device=2.5)
    with pytest.raises(ValueError, match="batch must be >= 0"):
        clcnn.Session(None, device="ref", batch=-1)
    with pytest.raises(TypeError, match="context must be"):
        clcnn.Model(None, context="ref")
    with pytest.raises(ValueError, match="not both"):
        clcnn.Session(None, device="ref", context=clcnn.Context("ref"))
    with pytest.raises(clcnn.Error) as e:
        clcnn.Context("no-such-device-anywhere")
    assert e.value.status in ("CLCNN_ERR_NO_DEVICE", "CLCNN_ERR_INVALID_ARG")
    with pytest.raises(clcnn.Error, match="CLCNN_ERR_INVALID_ARG"):
        clcnn.Model("not_an_arch_or_file", classes=10)
    with pytest.raises(ValueError, match=">= 0"):
        clcnn.Model("mobilenet_v2", classes=-1)


def test_closed_objects(x):
    s = clcnn.Session(str(zoo("mobilenet_v1_a025") / "model.onnx"), device="ref")
    s.close()
    s.close()  # twice is fine
    with pytest.raises(ValueError, match="Session is closed"):
        s.run(x)
    m = clcnn.Model(str(MODELS / "squeezenet1.1.onnx"))
    m.close()
    with pytest.raises(ValueError, match="Model is closed"):
        m.preprocessing()
    with pytest.raises(ValueError, match="Model is closed"):
        clcnn.Session(m, device="ref")
    c = clcnn.Context("ref")
    c.close()
    with pytest.raises(ValueError, match="Context is closed"):
        clcnn.Model(None, context=c)


def test_classify_bad_arguments(tmp_path):
    model = str(MODELS / "squeezenet1.1.onnx")
    with pytest.raises(clcnn.Error) as e:
        clcnn.classify([tmp_path / "missing.jpg"], model=model, device="ref")
    assert "missing.jpg" in str(e.value)
    notimg = tmp_path / "notimage.jpg"
    notimg.write_bytes(b"GIF89a not a jpeg")
    with pytest.raises(clcnn.Error, match="notimage.jpg"):
        clcnn.classify([notimg], model=model, device="ref")
    with pytest.raises(ValueError, match="top must be >= 1"):
        clcnn.classify([IMAGES / "dog.jpg"], top=0, model=model)
    with pytest.raises(TypeError, match="paths must be"):
        clcnn.classify(None)
    with pytest.raises(TypeError, match="every path"):
        clcnn.classify([1, 2])
    with pytest.raises(TypeError, match="model must be"):
        clcnn.classify([IMAGES / "dog.jpg"], model=42)
