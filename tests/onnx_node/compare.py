"""compare.py — clcnn's output against the node test's expected output.

Element-wise |got - want| <= ATOL + RTOL * |want| on floating outputs, with
NaN where onnx has NaN and the same infinities; exact equality for integer
and bool outputs; dtype and shape must match exactly (an int64 Shape output
written as float32 is wrong). A failure names the worst element."""
import numpy as np

RTOL = 1e-4
ATOL = 1e-6
# Per-op tolerances, only where float32 arithmetic justifies them (op: (rtol, atol, why)).
OP_TOL = {}
# Per-test tolerances, only where onnx's expected values are themselves inexact.
TEST_TOL = {
    # y is typed in as 4-decimal literals (0.1511 for 1.3595 / 9 = 0.151056):
    # half a unit of the 4th decimal
    "test_averagepool_2d_ceil_last_window_starts_on_pad": (RTOL, 5e-5, "expected values rounded to 1e-4"),
}


def tolerance(test, op):
    rtol, atol, _ = TEST_TOL.get(test) or OP_TOL.get(op) or (RTOL, ATOL, "")
    return rtol, atol


def compare(got, want, rtol, atol):
    """None when got matches want, else a one-line description of the difference."""
    want = np.asarray(want)
    if got.dtype != want.dtype:
        return f"dtype {got.dtype} != expected {want.dtype}"
    if got.shape != want.shape:
        return f"shape {got.shape} != expected {want.shape}"
    if got.size == 0:
        return None
    if not np.issubdtype(want.dtype, np.floating):
        bad = np.flatnonzero(got != want)
        if bad.size == 0:
            return None
        i = int(bad[0])
        return f"{bad.size} of {want.size} elements differ (flat index {i}: got {got.flat[i]} want {want.flat[i]})"
    g, w = got.astype(np.float64), want.astype(np.float64)
    nan_g, nan_w = np.isnan(g), np.isnan(w)
    if not np.array_equal(nan_g, nan_w):
        i = int(np.flatnonzero(nan_g != nan_w)[0])
        return f"NaN mismatch (flat index {i}: got {g.flat[i]} want {w.flat[i]})"
    inf = np.isinf(w) | np.isinf(g)
    if not np.array_equal(g[inf], w[inf]):
        i = int(np.flatnonzero(inf & (g != w))[0])
        return f"infinity mismatch (flat index {i}: got {g.flat[i]} want {w.flat[i]})"
    fin = ~(nan_w | inf)
    err = np.full(w.shape, -1.0)
    err[fin] = np.abs(g[fin] - w[fin]) - (atol + rtol * np.abs(w[fin]))
    if (err <= 0).all():
        return None
    i = int(np.argmax(err))
    n = int((err > 0).sum())
    return (f"{n} of {want.size} elements off (worst flat index {i}: got {g.flat[i]:.8g} want {w.flat[i]:.8g}, "
            f"|diff| {abs(g.flat[i] - w.flat[i]):.3g} > {atol:g} + {rtol:g}*|want|)")
