"""Session.run against onnxruntime: zoo models on each device within 1e-4, the
three input forms, output dtypes, and dynamic batch (batch 3 == three batch-1
runs)."""
import numpy as np
import pytest

import clcnn
from conftest import TOL, dynamic_batch_copy, ort_run, rel_err, zoo


@pytest.mark.parametrize("name", ["mobilenet_v2_w035", "mobilenet_v1_a025"])
def test_zoo_matches_onnxruntime(name, device):
    d = zoo(name)
    x = np.load(d / "input.npy").astype(np.float32)
    with clcnn.Session(str(d / "model.onnx"), device=device) as s:
        assert s.inputs[0].shape == x.shape and s.inputs[0].dtype == np.float32
        (out,) = s.run(x)
    (want,) = ort_run(d / "model.onnx", x)
    assert out.dtype == np.float32 and out.shape == want.shape
    err = rel_err(out, want)
    assert err <= TOL, f"{name} on {device}: max |diff| / max |ref| = {err:.2e} > {TOL}"
    assert rel_err(out, np.load(d / "ref.npy")) <= TOL  # and PyTorch's own output


def test_feed_forms_agree():
    d = zoo("mobilenet_v1_a025")
    x = np.load(d / "input.npy").astype(np.float32)
    with clcnn.Session(d / "model.onnx", device="ref") as s:  # os.PathLike works too
        name = s.inputs[0].name
        a = s.run(x)[0]
        b = s.run([x])[0]
        c = s.run((x,))[0]
        e = s.run({name: x})[0]
        f = s.run(inputs=x)[0]
    for other in (b, c, e, f):
        np.testing.assert_array_equal(a, other)


def test_typed_outputs(tmp_path):
    """A model with a float32 and an int64 output returns each in its own dtype."""
    onnx = pytest.importorskip("onnx")
    h, T = onnx.helper, onnx.TensorProto
    g = h.make_graph(
        [h.make_node("Relu", ["x"], ["r"]), h.make_node("Cast", ["r"], ["i"], to=T.INT64)], "typed",
        [h.make_tensor_value_info("x", T.FLOAT, [2, 5])],
        [h.make_tensor_value_info("r", T.FLOAT, [2, 5]), h.make_tensor_value_info("i", T.INT64, [2, 5])])
    path = tmp_path / "typed.onnx"
    onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 13)]), str(path))
    x = (np.arange(10, dtype=np.float32).reshape(2, 5) - 4.5) * 1.5
    with clcnn.Session(str(path), device="ref") as s:
        assert [o.dtype for o in s.outputs] == [np.dtype(np.float32), np.dtype(np.int64)]
        r, i = s.run(x)
    want_r, want_i = ort_run(path, x)
    assert r.dtype == np.float32 and i.dtype == np.int64
    np.testing.assert_array_equal(r, want_r)
    np.testing.assert_array_equal(i, want_i)


def test_dynamic_batch_equals_single_runs(tmp_path, device):
    src = zoo("mobilenet_v1_a025")
    path = dynamic_batch_copy(src / "model.onnx", tmp_path / "dyn.onnx")
    x1 = np.load(src / "input.npy").astype(np.float32)
    rng = np.random.default_rng(7)
    x3 = np.concatenate([x1, rng.uniform(-1, 1, x1.shape).astype(np.float32), x1[:, :, ::-1, :]])
    with clcnn.Session(str(path), device=device) as s:
        info = s.inputs[0]
        assert info.dynamic_batch and info.shape[0] is None and info.shape[1:] == x1.shape[1:]
        (out3,) = s.run(x3)
        singles = [s.run(np.ascontiguousarray(x3[i:i + 1]))[0] for i in range(3)]
        (again,) = s.run(x3)  # the batch-3 plan is kept and reused
    assert out3.shape == (3,) + singles[0].shape[1:]
    for i in range(3):
        assert rel_err(out3[i], singles[i][0]) <= 1e-5, f"image {i} of the batch differs from its own run"
    np.testing.assert_array_equal(out3, again)
    (want,) = ort_run(path, x3)
    assert rel_err(out3, want) <= TOL


def test_fixed_batch_needs_session_batch():
    d = zoo("mobilenet_v1_a025")
    x1 = np.load(d / "input.npy").astype(np.float32)
    x2 = np.concatenate([x1, -x1])
    with clcnn.Session(str(d / "model.onnx"), device="ref") as s:
        with pytest.raises(ValueError, match=r"batch=2"):
            s.run(x2)
        (one,) = s.run(x1)
    with clcnn.Session(str(d / "model.onnx"), device="ref", batch=2) as s2:
        assert s2.inputs[0].shape[0] == 2 and not s2.inputs[0].dynamic_batch
        (two,) = s2.run(x2)
    assert two.shape[0] == 2
    assert rel_err(two[0], one[0]) <= 1e-5
    (want,) = ort_run(d / "model.onnx", -x1)
    assert rel_err(two[1:], want) <= TOL


def test_shared_model_and_context(device):
    """One Model in several Sessions, on one Context; the Model outlives its
    closed Python name because Sessions hold it."""
    d = zoo("mobilenet_v1_a025")
    x = np.load(d / "input.npy").astype(np.float32)
    with clcnn.Context(device) as ctx:
        m = clcnn.Model(str(d / "model.onnx"), context=ctx)
        a = clcnn.Session(m, context=ctx)
        b = clcnn.Session(m, context=ctx)
        m.close()  # deferred: a and b still use it
        assert m.closed
        with pytest.raises(ValueError, match="closed"):
            clcnn.Session(m, context=ctx)
        np.testing.assert_array_equal(a.run(x)[0], b.run(x)[0])
        a.close()
        b.close()
        assert a.closed and b.closed


def test_session_owns_the_model_it_loads(cl_device, tmp_path):
    """A Session given a path loads the model for itself and owns it: its plan
    takes the weights (held once), so the Model it shows answers metadata,
    refuses what needs the weights with the library's reason, and closes with
    the Session. A Model passed in stays whole and usable after."""
    d = zoo("mobilenet_v1_a025")
    x = np.load(d / "input.npy").astype(np.float32)
    s = clcnn.Session(str(d / "model.onnx"), device=cl_device)
    m = s.model
    assert m.inputs[0].shape == x.shape and m.output_op(0)  # metadata still answers
    with pytest.raises(clcnn.Error, match="clcnn_session_create_owning"):
        m.export_onnx(str(tmp_path / "again.onnx"))
    with pytest.raises(clcnn.Error, match="clcnn_session_create_owning"):
        clcnn.Session(m, device=cl_device)
    out = s.run(x)[0]
    assert rel_err(out, np.load(d / "ref.npy")) <= TOL
    s.close()
    assert m.closed
    with pytest.raises(ValueError, match="closed"):
        m.output_op(0)
    with clcnn.Context(cl_device) as ctx:  # a Model of one's own: borrowed, not taken
        mine = clcnn.Model(str(d / "model.onnx"), context=ctx)
        with clcnn.Session(mine, context=ctx) as s2:
            np.testing.assert_array_equal(s2.run(x)[0], out)
        assert not mine.closed
        mine.export_onnx(str(tmp_path / "mine.onnx"))
        mine.close()


def test_two_inputs(tmp_path, device):
    """A two-input model with a symbolic batch: list and dict forms, and the
    checks that need more than one input."""
    onnx = pytest.importorskip("onnx")
    h, T = onnx.helper, onnx.TensorProto
    g = h.make_graph([h.make_node("Mul", ["a", "b"], ["m"]), h.make_node("Relu", ["m"], ["y"])], "two",
                     [h.make_tensor_value_info("a", T.FLOAT, ["N", 4, 3]),
                      h.make_tensor_value_info("b", T.FLOAT, ["N", 4, 3])],
                     [h.make_tensor_value_info("y", T.FLOAT, ["N", 4, 3])])
    path = tmp_path / "two.onnx"
    onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 13)]), str(path))
    rng = np.random.default_rng(1)
    a, b = (rng.standard_normal((2, 4, 3)).astype(np.float32) for _ in range(2))
    with clcnn.Session(str(path), device=device) as s:
        assert [i.name for i in s.inputs] == ["a", "b"] and all(i.dynamic_batch for i in s.inputs)
        (y1,) = s.run([a, b])
        (y2,) = s.run({"b": b, "a": a})
        with pytest.raises(ValueError, match="model has 2 inputs"):
            s.run(a)
        with pytest.raises(ValueError, match="every input needs the same batch"):
            s.run([a, b[:1]])
        with pytest.raises(ValueError, match="missing input 'b'"):
            s.run({"a": a})
    np.testing.assert_array_equal(y1, y2)
    np.testing.assert_allclose(y1, np.maximum(a * b, 0), rtol=1e-6)
