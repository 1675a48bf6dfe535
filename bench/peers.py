#!/usr/bin/env python3
"""peers.py — clcnn against onnxruntime on the same models and inputs (issues 7, 17).

For each model, per round, runs `clcnn bench --json` and then onnxruntime (CPU
provider, intra_op_num_threads=2, ORT_ENABLE_ALL) on the same ONNX file and the same
seeded input, alternating so that machine noise hits both alike. Each side runs in a
process of its own (onnxruntime in a child of this script: `peers.py --ort-child`), so
that each side's peak memory is that process's peak resident set (VmHWM of its own
address space, polled; never this driver's). Reports per model the median over rounds of each side's median
latency, their ratio (clcnn / ort; < 1 means clcnn is faster), the max output
difference relative to max |ort output| (clcnn's output from `clcnn run`), clcnn's cold
start (empty kernel caches), warm start and kernels per inference; then memory in MiB:
clcnn's device bytes (weights + activations, bench's "memory"), the peak RSS of a warm
`clcnn bench --no-cold` process (kernel caches filled: no compiler in memory) and of the
cold rounds' bench processes (POCL's compiler included), onnxruntime's peak RSS, and
the ratio clcnn / ort of the warm peaks. On a CPU OpenCL device (POCL) device buffers
are host memory, already inside the RSS; on other devices they are added to clcnn's
peak. The processes' floors (an OpenCL runtime loaded; Python + onnxruntime imported)
are printed once, and first of all the machine's fp32 FMA peak when bench/fma_peak is
built beside clcnn (`cmake --build build --target fma_peak`). Built-in names are exported with `clcnn export` (full width,
deterministic random weights) into a temp dir first.

Usage (from the repo root, after building):
    .venv/bin/python bench/peers.py --clcnn build/clcnn
    .venv/bin/python bench/peers.py --clcnn build/clcnn --models ../shared/zoo/googlenet/model.onnx \\
        mobilenet_v2 --rounds 5 --runs 50
Default set (5 built-ins x 3 rounds x 30 runs) takes about 4-6 minutes on 2 cores;
most of it is the cold starts (POCL compiles every kernel with its cache empty).
"""
import argparse
import importlib.metadata
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

DEFAULT_MODELS = ["mobilenet_v2", "mobilenet_v3_large", "mnasnet", "efficientnet_b0", "shufflenet_v2"]
MIB = 1024.0 * 1024.0


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def run_peak(cmd):
    """Runs cmd; returns (stdout, peak RSS of that process in bytes): the largest
    VmHWM read from /proc/PID/status while it runs, polled every 5 ms. (wait4's
    ru_maxrss would not do: Linux carries a process's maxrss across exec, so a
    child forked from this driver reports at least the driver's own RSS — once
    the driver holds a few models' arrays, every small child read 245.9 MiB.)
    VmHWM belongs to the process's own address space, so it starts from zero at
    exec; a peak within the last poll before exit is missed (teardown frees)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, stdout=out, stderr=err)
        peak = 0
        while p.poll() is None:
            try:
                with open(f"/proc/{p.pid}/status") as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            peak = max(peak, int(line.split()[1]) * 1024)
                            break
            except (OSError, ValueError):
                pass
            time.sleep(0.005)
        out.seek(0)
        err.seek(0)
        text, etext = out.read().decode(), err.read().decode()
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}: {etext.strip()}")
    return text, peak


def model_file(clcnn, name, tmp):
    if os.path.isfile(name):
        return name, os.path.splitext(os.path.basename(name))[0] if not name.endswith("model.onnx") \
            else os.path.basename(os.path.dirname(os.path.abspath(name)))
    path = os.path.join(tmp, name + ".onnx")
    run([clcnn, "export", name, path])
    return path, name


def input_shape(path):
    """The first graph input that is not an initializer; symbolic dims as 1."""
    import onnx
    m = onnx.load(path, load_external_data=False)
    inits = {i.name for i in m.graph.initializer}
    inp = next(i for i in m.graph.input if i.name not in inits)
    return [d.dim_value if d.dim_value > 0 else 1 for d in inp.type.tensor_type.shape.dim]


def ort_child(argv):
    """`peers.py --ort-child MODEL IN.npy OUT.npy RUNS WARMUP`: one onnxruntime
    process: session, warm-up, timed runs; prints {"ms": median}, saves the output."""
    import onnxruntime as ort
    path, x_path, out_path, runs, warmup = argv[0], argv[1], argv[2], int(argv[3]), int(argv[4])
    so = ort.SessionOptions()
    so.intra_op_num_threads = 2
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    feed = {sess.get_inputs()[0].name: np.load(x_path)}
    for _ in range(warmup):
        sess.run(None, feed)
    t = []
    for _ in range(runs):
        t0 = time.perf_counter()
        y = sess.run(None, feed)
        t.append((time.perf_counter() - t0) * 1e3)
    np.save(out_path, y[0])
    print(json.dumps({"ms": statistics.median(t)}))
    return 0


def ort_floor():
    """Peak RSS of a Python that imports numpy and onnxruntime and does nothing else."""
    return run_peak([sys.executable, "-c", "import numpy, onnxruntime"])[1]


def device_type(clcnn, name):
    """'cpu', 'gpu', ... of the device bench named; None when `clcnn devices` does not list it."""
    try:
        devs = json.loads(run([clcnn, "devices", "--json"]))
    except (RuntimeError, json.JSONDecodeError):
        return None
    return next((d.get("type") for d in devs if d.get("name") == name), None)


def one_model(args, name, tmp):
    path, label = model_file(args.clcnn, name, tmp)
    x = np.random.default_rng(0).standard_normal(input_shape(path)).astype(np.float32)
    x_path = os.path.join(tmp, label + ".in.npy")
    ort_out = os.path.join(tmp, label + ".ort.npy")
    np.save(x_path, x)
    bench = [args.clcnn, "bench", path, "--json", "--quiet", "--device", args.device, "--runs", str(args.runs),
             "--warmup", str(args.warmup), "--no-profile", "--input", x_path]
    cl_ms, ort_ms, cold, warm, cold_rss, ort_rss, doc = [], [], [], [], [], [], None
    for r in range(args.rounds):
        text, rss = run_peak(bench)
        doc = json.loads(text)
        cl_ms.append(doc["latency_ms"]["median"])
        cold.append(doc["cold_start_ms"])
        warm.append(doc["warm_start_ms"])
        cold_rss.append(rss)
        text, rss = run_peak([sys.executable, os.path.abspath(__file__), "--ort-child", path, x_path, ort_out,
                              str(args.runs), str(args.warmup)])
        ort_ms.append(json.loads(text)["ms"])
        ort_rss.append(rss)
        print(f"  {label} round {r + 1}: clcnn {cl_ms[-1]:.2f} ms, onnxruntime {ort_ms[-1]:.2f} ms", flush=True)
    # warm peak: the first --no-cold process fills the usual kernel caches, the second is measured
    warm_rss = [run_peak(bench + ["--no-cold"])[1] for _ in range(2)][1]
    out_path = os.path.join(tmp, label + ".out.npy")
    run([args.clcnn, "run", path, "--input", x_path, "--output", out_path, "--device", args.device])
    y_cl = np.load(out_path).astype(np.float64)
    y_ort = np.load(ort_out).astype(np.float64)
    diff = float(np.max(np.abs(y_cl - y_ort))) / (float(np.max(np.abs(y_ort))) or 1.0)
    mem = doc["memory"]
    dev_bytes = mem["peak_bytes"] if mem else 0
    in_rss = device_type(args.clcnn, doc["device"]) == "cpu" or doc["backend"] == "reference"
    res = {"model": label, "clcnn_ms": statistics.median(cl_ms), "ort_ms": statistics.median(ort_ms),
           "rel_diff": diff, "cold_ms": statistics.median(cold), "warm_ms": statistics.median(warm),
           "kernels": doc["kernels_per_inference"], "clcnn_device_bytes": dev_bytes,
           "device_bytes_in_rss": in_rss, "clcnn_rss_warm_bytes": warm_rss,
           "clcnn_rss_cold_bytes": max(cold_rss), "ort_rss_bytes": max(ort_rss)}
    res["clcnn_peak_bytes"] = warm_rss + (0 if in_rss else dev_bytes)
    res["ratio"] = res["clcnn_ms"] / res["ort_ms"]
    res["mem_ratio"] = res["clcnn_peak_bytes"] / res["ort_rss_bytes"]
    print(f"{label}: clcnn {res['clcnn_ms']:.2f} ms, onnxruntime {res['ort_ms']:.2f} ms, ratio {res['ratio']:.2f}, "
          f"max rel diff {diff:.1e}, cold {res['cold_ms'] / 1e3:.2f} s, warm {res['warm_ms']:.0f} ms, "
          f"{res['kernels']} kernels; peak memory clcnn {res['clcnn_peak_bytes'] / MIB:.1f} MiB, "
          f"onnxruntime {res['ort_rss_bytes'] / MIB:.1f} MiB", flush=True)
    return res


def print_tables(results, floors):
    print(f"\n{'model':<22} {'clcnn ms':>9} {'ort ms':>8} {'ratio':>6} {'rel diff':>9} {'cold s':>7} "
          f"{'warm ms':>8} {'kernels':>7}")
    for r in results:
        print(f"{r['model']:<22} {r['clcnn_ms']:>9.2f} {r['ort_ms']:>8.2f} {r['ratio']:>6.2f} {r['rel_diff']:>9.1e} "
              f"{r['cold_ms'] / 1e3:>7.2f} {r['warm_ms']:>8.0f} {r['kernels'] if r['kernels'] is not None else '-':>7}")
    if len(results) > 1:
        gm = float(np.exp(np.mean(np.log([r["ratio"] for r in results]))))
        print(f"{'geomean ratio':<22} {'':>9} {'':>8} {gm:>6.2f}")
    print(f"\npeak memory, MiB (each side's own process; floors: an OpenCL runtime loaded {floors[0] / MIB:.1f}, "
          f"Python + onnxruntime imported {floors[1] / MIB:.1f})")
    print(f"{'model':<22} {'cl device':>9} {'cl RSS':>8} {'cl cold':>8} {'cl peak':>8} {'ort RSS':>8} {'ratio':>6} "
          f"{'over floors':>11}")
    for r in results:
        over = (r["clcnn_peak_bytes"] - floors[0]) / max(r["ort_rss_bytes"] - floors[1], 1)
        dev = f"{r['clcnn_device_bytes'] / MIB:.1f}" + ("*" if r["device_bytes_in_rss"] else " ")
        print(f"{r['model']:<22} {dev:>9} {r['clcnn_rss_warm_bytes'] / MIB:>8.1f} "
              f"{r['clcnn_rss_cold_bytes'] / MIB:>8.1f} {r['clcnn_peak_bytes'] / MIB:>8.1f} "
              f"{r['ort_rss_bytes'] / MIB:>8.1f} {r['mem_ratio']:>6.2f} {over:>11.2f}")
    print("cl device: weights + activations (* already inside cl RSS: a CPU device's buffers are host memory); "
          "cl RSS: a warm\n`clcnn bench --no-cold` process; cl cold: the cold rounds' (compiler in memory); "
          "cl peak = cl RSS (+ cl device\nwhen not inside it); ratio = cl peak / ort RSS; over floors = (cl peak - OpenCL runtime floor) / "
          "(ort RSS - Python\n+ onnxruntime floor): what each side adds to the process its runtime needs (POCL's floor is mostly\n"
          "LLVM's shared library pages)")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--ort-child":
        return ort_child(sys.argv[2:])
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clcnn", default="build/clcnn", help="clcnn binary (default build/clcnn)")
    ap.add_argument("--models", nargs="+", default=DEFAULT_MODELS, help="built-in names or .onnx paths")
    ap.add_argument("--device", default="cpu", help="clcnn --device (default cpu)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--json", help="also write the results to this JSON file")
    ap.add_argument("--fma-peak", help="bench/fma_peak binary (default: fma_peak beside --clcnn, "
                    "if built): its fp32 FMA peak is printed first, the ceiling for GFLOP/s")
    args = ap.parse_args()
    if args.rounds < 1 or args.runs < 1 or args.warmup < 0:
        ap.error("--rounds and --runs must be >= 1, --warmup >= 0")
    print(f"onnxruntime {importlib.metadata.version('onnxruntime')} (CPU, 2 intra-op threads, ORT_ENABLE_ALL); "
          f"clcnn --device {args.device}; {args.rounds} rounds x {args.runs} runs (+{args.warmup} warm-up), "
          "alternating, each side in its own process", flush=True)
    peak = args.fma_peak or os.path.join(os.path.dirname(args.clcnn) or ".", "fma_peak")
    if os.path.exists(peak):  # the machine's ceiling, measured before the models
        out = subprocess.run([peak], capture_output=True, text=True, check=True).stdout
        print("machine: " + out.strip().splitlines()[-1], flush=True)
    # each the largest of 3 samples: a short process's peak can fall between two polls
    floors = (max(run_peak([args.clcnn, "devices"])[1] for _ in range(3)),
              max(ort_floor() for _ in range(3)))
    results, failed = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models:
            try:
                results.append(one_model(args, name, tmp))
            except Exception as e:  # noqa: BLE001 — one failing model must not hide the others
                print(f"{name}: FAILED: {e}", flush=True)
                failed += 1
    print_tables(results, floors)
    if args.json:
        for r in results:
            r["floor_opencl_runtime_bytes"], r["floor_python_onnxruntime_bytes"] = floors
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
