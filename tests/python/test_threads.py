"""The GIL is released during run (another Python thread keeps running), two
Sessions run in parallel threads with the same results as serial runs, and
threads sharing one Session take turns instead of breaking it."""
import threading
import time

import numpy as np
import pytest

import clcnn
from conftest import zoo


def model_and_input(name="mobilenet_v1_a025"):
    d = zoo(name)
    return str(d / "model.onnx"), np.load(d / "input.npy").astype(np.float32)


def test_gil_released_during_run():
    """A Python thread keeps ticking in the middle of a long run. The reference
    backend computes in the caller's thread: were the GIL held, no Python code
    could run between the call's start and its end."""
    path, x = model_and_input("densenet_small")  # ~0.8 s on the reference backend
    with clcnn.Session(path, device="ref") as s:
        stamps, stop = [], threading.Event()

        def ticker():
            while not stop.is_set():
                stamps.append(time.monotonic())
                time.sleep(0.001)

        t = threading.Thread(target=ticker)
        t.start()
        time.sleep(0.02)
        t0 = time.monotonic()
        s.run(x)
        t1 = time.monotonic()
        stop.set()
        t.join()
    lo, hi = t0 + 0.25 * (t1 - t0), t0 + 0.75 * (t1 - t0)
    inside = sum(lo <= v <= hi for v in stamps)
    assert inside >= 3, (f"a ticking thread ran {inside} times in the middle half of a {t1 - t0:.2f} s run: "
                         "the GIL is held during run()")


@pytest.mark.parametrize("shared_context", [False, True], ids=["two-contexts", "one-context"])
def test_two_sessions_in_parallel(device, shared_context):
    """Two Sessions of one Model in two threads, each on its own Context or
    both on one (then their kernels share its queue)."""
    path, x = model_and_input()
    x2 = np.ascontiguousarray(x[:, ::-1])
    m = clcnn.Model(path)
    ctx = clcnn.Context(device) if shared_context else None
    where = {"context": ctx} if shared_context else {"device": device}
    with clcnn.Session(m, **where) as a, clcnn.Session(m, **where) as b:
        want_a, want_b = a.run(x)[0], b.run(x2)[0]
        got, errors = {}, []

        def work(key, s, inp):
            try:
                got[key] = [s.run(inp)[0] for _ in range(3)]
            except Exception as e:  # reported below, not lost in the thread
                errors.append(e)

        ts = [threading.Thread(target=work, args=("a", a, x)), threading.Thread(target=work, args=("b", b, x2))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    assert not errors, errors
    for r in got["a"]:
        np.testing.assert_array_equal(r, want_a)
    for r in got["b"]:
        np.testing.assert_array_equal(r, want_b)


def test_threads_sharing_one_session():
    path, x = model_and_input()
    inputs = [x, -x, x * 0.5, np.ascontiguousarray(x[..., ::-1])]
    with clcnn.Session(path, device="ref") as s:
        want = [s.run(i)[0] for i in inputs]
        errors, got = [], {}

        def work(k):
            try:
                got[k] = [s.run(inputs[k])[0] for _ in range(2)]
            except Exception as e:
                errors.append(e)

        ts = [threading.Thread(target=work, args=(k,)) for k in range(len(inputs))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    assert not errors, errors
    for k in range(len(inputs)):
        for r in got[k]:
            np.testing.assert_array_equal(r, want[k])


def test_close_waits_for_a_running_thread():
    path, x = model_and_input("densenet_small")
    s = clcnn.Session(path, device="ref")
    result = {}

    def work():
        try:
            result["out"] = s.run(x)[0]
        except ValueError as e:  # close() won the race: refused cleanly
            result["closed"] = str(e)

    t = threading.Thread(target=work)
    t.start()
    time.sleep(0.01)
    s.close()
    t.join()
    assert s.closed
    if "out" in result:  # the run started first: close() waited for it
        assert result["out"].shape == (1, 100) and np.isfinite(result["out"]).all()
    else:
        assert "closed" in result["closed"]
