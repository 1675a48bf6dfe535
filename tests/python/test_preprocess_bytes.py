"""Model.preprocess_image_bytes (an encoded photo in memory, as Ray Data
hands it to a worker) gives bit-for-bit the tensor preprocess_image gives for
the same file, which test_classify.py checks against Pillow; bad bytes raise
clcnn.Error naming the given name."""
import io

import numpy as np
import pytest

import clcnn
from conftest import IMAGES


@pytest.fixture(scope="module")
def model():
    with clcnn.Model() as m:  # the default model: tf mapping, 224 crop
        yield m


@pytest.mark.parametrize("name", ["dog", "eagle", "person", "scream"])
def test_bytes_equal_file(model, name):
    path = IMAGES / f"{name}.jpg"
    data = path.read_bytes()
    want = model.preprocess_image(path)
    for buf in (data, bytearray(data), memoryview(data)):
        got = model.preprocess_image_bytes(buf, str(path))
        assert got.dtype == np.float32 and got.shape == want.shape
        assert np.array_equal(got, want), f"{name}: {type(buf).__name__} differs from the file"


def test_bytes_png_and_overrides(model, tmp_path):
    Image = pytest.importorskip("PIL.Image")
    png = tmp_path / "giraffe.png"
    Image.open(IMAGES / "giraffe.jpg").convert("RGBA").save(png)  # alpha: composited on white
    kw = dict(mapping="torch", crop=160, layout="nhwc")
    want = model.preprocess_image(png, **kw)
    got = model.preprocess_image_bytes(png.read_bytes(), "giraffe.png", **kw)
    assert got.shape == (1, 160, 160, 3)
    assert np.array_equal(got, want)


def test_bytes_bad(model):
    data = (IMAGES / "dog.jpg").read_bytes()
    cases = {"empty.jpg": b"", "text.jpg": b"hello, not a photo\n", "half.jpg": data[:len(data) // 2]}
    for name, buf in cases.items():
        with pytest.raises(clcnn.Error) as e:
            model.preprocess_image_bytes(buf, name)
        assert e.value.message.startswith(f"{name}: "), e.value.message
        assert e.value.status == "CLCNN_ERR_PARSE"
    with pytest.raises(clcnn.Error, match="<bytes>"):
        model.preprocess_image_bytes(b"xx")  # the default name
    with pytest.raises(TypeError, match="bytes or a buffer"):
        model.preprocess_image_bytes(str(IMAGES / "dog.jpg"))
    with pytest.raises(TypeError):
        model.preprocess_image_bytes(io.BytesIO(data))
    with pytest.raises(ValueError, match="crop"):
        model.preprocess_image_bytes(data, "dog.jpg", crop=0)


def test_bytes_closed_model():
    m = clcnn.Model()
    m.close()
    with pytest.raises(ValueError):
        m.preprocess_image_bytes((IMAGES / "dog.jpg").read_bytes(), "dog.jpg")
