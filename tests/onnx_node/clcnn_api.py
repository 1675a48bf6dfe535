"""clcnn_api.py — the library's status for what `clcnn run` did, via ctypes.

`clcnn run` prints the library's message but not its clcnn_status, and the
suite must tell a clean refusal (CLCNN_ERR_UNSUPPORTED) from any other
failure (CLCNN_ERR_SHAPE on a valid model, CLCNN_ERR_CL, CLCNN_ERR_INTERNAL).
So when the CLI fails, the runner repeats the same steps on the same
libclcnn (the one the CLI uses) through the public C API and reads the
status: context, model load, session create, run. This runs in a child
process, so a crash cannot take the runner down and a sanitized library can
be preloaded with its runtime (run_node_tests.py sets the environment):

    clcnn_api.py serve LIB
        one JSON request a line on stdin {"device", "model", "inputs": [npy]},
        one JSON reply a line on stdout {"stage", "status", "message"}
        (status "CLCNN_OK" when the run succeeded)
    clcnn_api.py run LIB MODEL DEVICE OUT.npy...
        runs a model that has no inputs (a Constant-only graph, which
        `clcnn run` cannot take: it needs one --input) and writes its
        outputs; exit 0, or 1 with one line "clcnn_api: <stage>: <STATUS>: <message>"
"""
import ctypes
import json
import sys

import numpy as np

MAX_DIMS = 8  # CLCNN_MAX_DIMS
# clcnn_dtype (ONNX TensorProto numbers) -> numpy
DTYPES = {1: np.float32, 2: np.uint8, 3: np.int8, 6: np.int32, 7: np.int64, 9: np.bool_, 11: np.float64}


class _Tensor(ctypes.Structure):
    _fields_ = [("dtype", ctypes.c_int), ("ndim", ctypes.c_int), ("dims", ctypes.c_int64 * MAX_DIMS),
                ("data", ctypes.c_void_p), ("bytes", ctypes.c_size_t)]


class _CtxOptions(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t), ("device", ctypes.c_char_p), ("no_cache", ctypes.c_int),
                ("cache_dir", ctypes.c_char_p), ("log", ctypes.c_void_p), ("log_user", ctypes.c_void_p)]


class Lib:
    """libclcnn through ctypes; one instance per process."""

    def __init__(self, path):
        L = self.L = ctypes.CDLL(path)
        vp, cp = ctypes.c_void_p, ctypes.c_char_p
        for name, res, args in [
            ("clcnn_status_str", cp, [ctypes.c_int]),
            ("clcnn_context_create", ctypes.c_int, [ctypes.POINTER(_CtxOptions), ctypes.POINTER(vp), cp,
                                                    ctypes.c_size_t]),
            ("clcnn_context_destroy", None, [vp]),
            ("clcnn_context_last_error", cp, [vp]),
            ("clcnn_model_load", ctypes.c_int, [vp, cp, ctypes.POINTER(vp)]),
            ("clcnn_model_destroy", None, [vp]),
            ("clcnn_model_num_inputs", ctypes.c_int, [vp]),
            ("clcnn_model_num_outputs", ctypes.c_int, [vp]),
            ("clcnn_session_create", ctypes.c_int, [vp, vp, vp, ctypes.POINTER(vp)]),
            ("clcnn_session_destroy", None, [vp]),
            ("clcnn_session_last_error", cp, [vp]),
            ("clcnn_session_run_tensors", ctypes.c_int, [vp, ctypes.POINTER(_Tensor), ctypes.c_int,
                                                         ctypes.POINTER(_Tensor), ctypes.c_int]),
            ("clcnn_free", None, [vp]),
        ]:
            f = getattr(L, name)
            f.restype, f.argtypes = res, args

    def status(self, st):
        return self.L.clcnn_status_str(st).decode()

    def context(self, device):
        """(context handle or None, error line)."""
        opt = _CtxOptions(ctypes.sizeof(_CtxOptions), device.encode(), 0, None, None, None)
        ctx, err = ctypes.c_void_p(), ctypes.create_string_buffer(2048)
        st = self.L.clcnn_context_create(ctypes.byref(opt), ctypes.byref(ctx), err, len(err))
        return (ctx, "") if st == 0 else (None, f"context: {self.status(st)}: {err.value.decode(errors='replace')}")

    def run(self, ctx, model_path, inputs):
        """Loads, plans and runs like `clcnn run` on an existing context;
        inputs() gives the input arrays, called only once the session exists
        (a refused model's inputs may be of types numpy cannot load).
        Returns (outputs, None) or (None, (stage, STATUS, message))."""
        L, m, s = self.L, ctypes.c_void_p(), ctypes.c_void_p()
        try:
            st = L.clcnn_model_load(ctx, model_path.encode(), ctypes.byref(m))
            if st:
                return None, ("load", self.status(st), L.clcnn_context_last_error(ctx).decode(errors="replace"))
            st = L.clcnn_session_create(ctx, m, None, ctypes.byref(s))
            if st:
                return None, ("session", self.status(st), L.clcnn_context_last_error(ctx).decode(errors="replace"))
            # float32 as the CLI reads them; reshape keeps a scalar 0-d (ascontiguousarray makes it [1])
            arrs = [np.ascontiguousarray(a, dtype=np.float32).reshape(np.shape(a)) for a in inputs()]
            ins = (_Tensor * max(1, len(arrs)))()
            for t, a in zip(ins, arrs):
                t.dtype, t.ndim, t.data, t.bytes = 1, a.ndim, a.ctypes.data, a.nbytes
                for d, n in enumerate(a.shape):
                    t.dims[d] = n
            n_out = L.clcnn_model_num_outputs(m)
            outs = (_Tensor * max(1, n_out))()
            st = L.clcnn_session_run_tensors(s, ins, len(arrs), outs, n_out)
            if st:
                return None, ("run", self.status(st), L.clcnn_session_last_error(s).decode(errors="replace"))
            res = []
            for t in outs[:n_out]:
                shape = tuple(t.dims[d] for d in range(t.ndim))
                raw = ctypes.string_at(t.data, t.bytes) if t.bytes else b""
                if t.dtype in DTYPES:
                    res.append(np.frombuffer(raw, dtype=DTYPES[t.dtype]).reshape(shape).copy())
                else:  # a dtype the public enum does not name: the raw bytes
                    res.append(np.frombuffer(raw, dtype=np.uint8).copy())
                L.clcnn_free(t.data)
            return res, None
        finally:
            L.clcnn_session_destroy(s)
            L.clcnn_model_destroy(m)


def serve(lib_path):
    lib, ctxs = Lib(lib_path), {}
    for line in sys.stdin:
        req = json.loads(line)
        dev = req["device"]
        if dev not in ctxs:
            ctx, err = lib.context(dev)
            if ctx is None:
                print(json.dumps({"stage": "context", "status": "?", "message": err}), flush=True)
                continue
            ctxs[dev] = ctx
        try:
            _, fail = lib.run(ctxs[dev], req["model"], lambda: [np.load(p) for p in req["inputs"]])
            stage, status, msg = fail or ("run", "CLCNN_OK", "")
        except Exception as e:  # the reply says so; the next request still gets served
            stage, status, msg = "probe", "harness error", f"{type(e).__name__}: {e}"
        print(json.dumps({"stage": stage, "status": status, "message": msg}), flush=True)
    for ctx in ctxs.values():
        lib.L.clcnn_context_destroy(ctx)
    return 0


def run(lib_path, model, device, out_paths):
    lib = Lib(lib_path)
    ctx, err = lib.context(device)
    if ctx is None:
        print(f"clcnn_api: {err}", file=sys.stderr)
        return 1
    try:
        outs, fail = lib.run(ctx, model, list)
    finally:
        lib.L.clcnn_context_destroy(ctx)
    if fail:
        print("clcnn_api: " + ": ".join(fail), file=sys.stderr)
        return 1
    if len(outs) != len(out_paths):
        print(f"clcnn_api: run: the model has {len(outs)} outputs, {len(out_paths)} files given", file=sys.stderr)
        return 1
    for path, a in zip(out_paths, outs):
        np.save(path, a)
    return 0


def main(argv):
    if len(argv) == 3 and argv[1] == "serve":
        return serve(argv[2])
    if len(argv) >= 6 and argv[1] == "run":
        return run(argv[2], argv[3], argv[4], argv[5:])
    sys.exit("usage: clcnn_api.py serve LIB | clcnn_api.py run LIB MODEL DEVICE OUT.npy...")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
