"""clcnn — run ONNX CNNs with libclcnn (OpenCL, or its plain-C reference) from NumPy.

    import numpy as np, clcnn
    with clcnn.Session("model.onnx", device="cpu") as sess:
        (logits,) = sess.run(np.zeros((1, 3, 224, 224), np.float32))
    clcnn.classify(["dog.jpg"])       # [[(index, label, probability), ...5]]

Objects (all close() / context managers; each owns its libclcnn handle):
  Context(device=None, *, cache=True, cache_dir=None)   one device: 'auto' (None),
      'gpu', 'cpu', 'ref' (plain C, no OpenCL), an index from devices(), or a
      substring of a device name.
  Model(path=None, *, context=None, width=..., classes=..., seed=...)   an ONNX
      file, a built-in architecture (builtins()), or bytes holding a serialized
      ONNX model (as onnxruntime takes them); None is the default model.
      Immutable: share one between Sessions and threads.
  Session(model=None, device=None, *, context=None, batch=0)   a model planned on
      a device; .inputs / .outputs (TensorInfo: name, shape, dtype,
      dynamic_batch); .run(feed) -> list of numpy arrays.
  Session(..., precision='fp32'|'fp16'|'auto', auto_tolerance=None,
      calibration=None)   how an OpenCL device stores float tensors (math stays
      float32, inputs/outputs float32): 'fp16' stores half (needs cl_khr_fp16,
      else clcnn.Error CLCNN_ERR_UNSUPPORTED); 'auto' calibrates at creation
      (on calibration, arrays as run() takes them at the session's shapes;
      None: a seeded [-1, 1) input) and keeps fp32 for layers whose relative
      error exceeds auto_tolerance (None: 1e-3). .precision -> dict (requested,
      effective, half_layers, float_layers, conversions, calib_error, note);
      .layer_precision() -> one dict per node (name, op, half, fp16_error).

Inputs to run(): one array, a list in input order, or a dict {name: array}.
  * dtype must be float32: other dtypes raise TypeError (as onnxruntime does; a
    float64 array is never narrowed behind your back — use .astype(np.float32));
  * non-contiguous (sliced, transposed) float32 arrays are copied to C order;
  * the shape must be the input's; where the model's batch dimension is
    symbolic (TensorInfo.dynamic_batch), dim 0 may be any N >= 1 and the outputs
    have batch N; a fixed batch is changed with Session(..., batch=N).
  Wrong type, count, dtype or shape raises TypeError/ValueError before the
  library is called; using a closed object raises ValueError.

Errors from the library raise clcnn.Error (a RuntimeError): str() is
"STATUS: message", .status the status name ("CLCNN_ERR_IO"), .code its
number, .message the library's one-line message.

Library messages (the device 'auto' picked, preprocessing assumed for an
unknown model, error details such as a kernel build log) go to
logging.getLogger("clcnn"): INFO and DEBUG are silent unless you configure it.

Threads: model load, session creation and run() release the GIL. Different
Sessions run in parallel; threads sharing one Session take turns (a lock per
Session keeps libclcnn's one-thread-per-session rule).
"""
import atexit
import os

import numpy as np

from ._clcnn import (DEFAULT_MODEL, Context, Error, Model, Session, TensorInfo, builtins, devices,
                     find_model)
from ._clcnn import compare as _compare
from ._clcnn import version as _version
from . import _clcnn as _clcnn_ext

__version__ = _version()

# Contexts destroyed during interpreter teardown must not call into logging.
atexit.register(_clcnn_ext._log_shutdown)

__all__ = ["Context", "Model", "Session", "TensorInfo", "Error", "devices", "builtins",
           "find_model", "classify", "compare", "DEFAULT_MODEL", "__version__"]


def _paths(paths, what):
    if isinstance(paths, (str, bytes, os.PathLike)):
        return [paths]
    if paths is None:
        raise TypeError(f"{what}: paths must be a path or a list of paths, got None")
    try:
        out = list(paths)
    except TypeError:
        raise TypeError(f"{what}: paths must be a path or a list of paths, "
                        f"got {type(paths).__name__}") from None
    for p in out:
        if not isinstance(p, (str, bytes, os.PathLike)):
            raise TypeError(f"{what}: every path must be a str or os.PathLike, got {type(p).__name__}")
    return out


def _session(model, device, what):
    """A Session for `model` (Session, Model, path/name or None) and whether we own it."""
    if isinstance(model, Session):
        if device is not None:
            raise ValueError(f"{what}: device= cannot be used with a Session (it has its device)")
        return model, False
    if model is not None and not isinstance(model, (Model, str, os.PathLike, bytes, bytearray, memoryview)):
        raise TypeError(f"{what}: model must be a Session, a Model, a path, a built-in name or bytes of "
                        f"an ONNX model, got {type(model).__name__}")
    return Session(model, device), True


def _softmax(x):
    # float64, max-subtracted: the same numbers `clcnn classify` prints
    z = np.exp(x.astype(np.float64) - np.max(x))
    return z / z.sum()


def classify(paths, top=5, model=None, device=None):
    """Top-`top` classes of each photo: a list (one per path) of lists of
    (index, label, probability), best first (ties: lower index first).

    Same numbers as `clcnn classify`: the library's preprocessing for the model
    (Model.preprocess_image), its labels (Model.label), and a softmax unless the
    model already ends in Softmax. model: a Session, a Model, a path or built-in
    name, or None for the default model; device as for Session (ignored when a
    Session is given). A photo that cannot be read raises clcnn.Error.
    """
    files = _paths(paths, "classify()")
    if isinstance(top, bool) or not isinstance(top, int):
        raise TypeError(f"classify(): top must be an int, got {type(top).__name__}")
    if top < 1:
        raise ValueError(f"classify(): top must be >= 1, got {top}")
    sess, owned = _session(model, device, "classify()")
    try:
        m = sess.model
        if len(sess.inputs) != 1 or len(sess.outputs) < 1:
            raise ValueError(f"classify() needs a model with one input, this one has {len(sess.inputs)}")
        want = sess.inputs[0]
        apply_softmax = m.output_op(0) != "Softmax"
        results = []
        for f in files:
            x = m.preprocess_image(f)
            if x.shape[1:] != tuple(want.shape[1:]) or (not want.dynamic_batch and want.shape[0] != 1):
                raise ValueError(f"classify(): the model's input is {want.shape} but its preprocessing "
                                 f"gives {x.shape}")
            scores = sess.run(x)[0].reshape(-1)
            p = _softmax(scores) if apply_softmax else scores.astype(np.float64)
            best = np.argsort(-p, kind="stable")[:min(top, p.size)]
            results.append([(int(i), m.label(int(i)), float(p[i])) for i in best])
        return results
    finally:
        if owned:
            sess.close()


def compare(model=None, inputs=None, device=None, seed=1):
    """Runs `model` on an OpenCL device keeping every intermediate, and on the
    reference backend, on the same inputs; returns one dict per node in
    execution order: name, op, shape, max_abs (max |cl - ref| over the node's
    first output), max_rel (max_abs / max |ref|), ref_max.

    model: a Model, a path or built-in name, or None (the default model).
    inputs: as Session.run takes them, at the model's own input shapes; None
    draws each input uniformly from [-1, 1) with numpy's default_rng(seed).
    device: an OpenCL device ('auto', 'gpu', 'cpu', index, name); the reference
    backend has nothing to compare with (ValueError).
    """
    if model is not None and not isinstance(model, (Model, str, os.PathLike, bytes, bytearray, memoryview)):
        raise TypeError(f"compare(): model must be a Model, a path, a built-in name or bytes of an ONNX "
                        f"model, got {type(model).__name__}")
    if device == "ref":
        raise ValueError("compare(): device 'ref' is the reference itself; pick an OpenCL device")
    ctx = Context(device)
    try:
        if ctx.is_reference:
            raise ValueError(f"compare(): no OpenCL device for device={device!r} (it fell back to the "
                             "reference backend); compare needs one")
        m = model if isinstance(model, Model) else Model(model, context=ctx)
        try:
            if inputs is None:
                rng = np.random.default_rng(seed)
                inputs = [rng.uniform(-1.0, 1.0, size=tuple(1 if d is None else d for d in t.shape))
                          .astype(np.float32) for t in m.inputs]
            return _compare(ctx, m, inputs)
        finally:
            if m is not model:
                m.close()
    finally:
        ctx.close()
