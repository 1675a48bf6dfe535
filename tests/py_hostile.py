#!/usr/bin/env python3
"""py_hostile.py — one regression check per finding of issue 13, through the CLI.

Every crafted file comes from tests/hostile/make_corpus.py (or is made here):
  * refused models (deep nesting, node writing a graph input, wrong attribute
    types, unknown attributes, opset/IR ranges, declared output type, Dropout
    training, sizes larger than the bytes present, control characters in
    names): exit 1, exactly one stderr line holding the expected words, no
    output file, within 10 s;
  * FIFOs where a model, an NPY input, external data or a cache entry belong:
    a clean error (or, for the cache, a rebuild) instead of blocking forever;
  * allocation before validation: an NPY header / tensor dims claiming GiBs
    fail under a 1 GiB address-space limit with the size message, not "out of
    memory"; a 1 GiB sparse junk cache entry is not read into memory;
  * semantics vs onnxruntime on ref and the OpenCL CPU device: Relu(NaN),
    Clip(NaN), Clip with min > max, a Cast-to-int64 output, a Shape output,
    200 outputs;
  * files: forged (valid checksum, another program) and directory cache
    entries are rebuilt, outputs follow the umask, a dead run's temp file is
    removed by the next write.
Without an OpenCL CPU device the device cases are SKIPPED (pyreport exit 77
when nothing at all ran).
"""
import argparse
import glob
import os
import resource
import shutil
import stat
import struct
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "hostile"))
import make_corpus as mc  # noqa: E402
from pyreport import Report, has_cpu_device  # noqa: E402

R = Report()


def save(m, path):
    with open(path, "wb") as f:
        f.write(m if isinstance(m, bytes) else m.SerializeToString())
    return path


def is_asan(clcnn):
    """ASan reserves terabytes of shadow address space: RLIMIT_AS would kill
    it at start. Its own allocation ceiling does the same job there."""
    p = subprocess.run(["ldd", clcnn], capture_output=True, text=True)
    return "libasan" in p.stdout


ASAN = False


def run(clcnn, argv, env=None, limit_as=None, timeout=10):
    if limit_as and ASAN:
        env = dict(env or os.environ)
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":allocator_may_return_null=1:max_allocation_size_mb=%d" % (limit_as >> 20)
        limit_as = None

    def pre():
        if limit_as:
            resource.setrlimit(resource.RLIMIT_AS, (limit_as, limit_as))
    try:
        return subprocess.run([clcnn] + argv, capture_output=True, text=True, timeout=timeout,
                              env=env, preexec_fn=pre if limit_as else None)
    except subprocess.TimeoutExpired:
        return None


def expect_clean_fail(label, p, needles, out=None):
    if p is None:
        return R(False, "%s: hung (10 s timeout)" % label)
    lines = p.stderr.strip().splitlines()
    problems = []
    if p.returncode == 0:
        problems.append("exit 0")
    if p.returncode < 0 or p.returncode > 2:
        problems.append("exit %d" % p.returncode)
    if len(lines) != 1:
        problems.append("%d stderr lines" % len(lines))
    problems += ["stderr lacks %r" % s for s in needles if s not in p.stderr]
    if out and os.path.exists(out):
        problems.append("output file created")
    R(not problems, "%s%s%s" % (label, ": " + "; ".join(problems) if problems else "",
                                "\n     stderr: " + p.stderr.strip() if problems else ""))


def refused_models(clcnn, tmp, x13):
    for label, (m, needles) in mc.finding_models().items():
        path = save(m, os.path.join(tmp, "f_%s.onnx" % "".join(c if c.isalnum() else "_" for c in label)))
        out = os.path.join(tmp, "o.npy")
        # 1 GiB of address space: a loader that allocates what the dims claim
        # before checking the bytes present fails with "out of memory" instead.
        p = run(clcnn, ["run", path, "--input", x13, "--output", out, "--device", "ref"],
                limit_as=1 << 30)
        expect_clean_fail("refused: " + label, p, needles, out)
        if "control" in label and p is not None:
            R("\x1b" not in p.stderr, "control characters: no raw ESC on stderr")
            s = run(clcnn, ["summary", path])
            R(s is not None and "\x1b" not in s.stdout + s.stderr, "control characters: none raw in summary")


def fifo_cases(clcnn, tmp, x13):
    d = os.path.join(tmp, "fifo")
    os.makedirs(d)
    os.mkfifo(os.path.join(d, "w.bin"))
    os.symlink("w.bin", os.path.join(d, "link.bin"))
    out = os.path.join(tmp, "o.npy")
    for loc in ("w.bin", "link.bin"):
        path = save(mc.ext_model(loc), os.path.join(d, "ext_%s.onnx" % loc.split(".")[0]))
        p = run(clcnn, ["run", path, "--input", x13, "--output", out, "--device", "ref"])
        expect_clean_fail("external data is a FIFO (%s)" % loc, p, ["'w'", "not a regular file"], out)
    os.mkfifo(os.path.join(d, "model.onnx"))
    p = run(clcnn, ["run", os.path.join(d, "model.onnx"), "--input", x13, "--output", out, "--device", "ref"])
    expect_clean_fail("model file is a FIFO", p, ["model.onnx", "not a regular file"], out)
    good = save(mc.relu_model(), os.path.join(d, "good.onnx"))
    os.mkfifo(os.path.join(d, "in.npy"))
    p = run(clcnn, ["run", good, "--input", os.path.join(d, "in.npy"), "--output", out, "--device", "ref"])
    expect_clean_fail("NPY input is a FIFO", p, ["in.npy", "not a regular file"], out)


def npy_size_cases(clcnn, tmp):
    good = save(mc.relu_model(), os.path.join(tmp, "relu.onnx"))
    bad = os.path.join(tmp, "claims_1gib.npy")
    with open(bad, "wb") as f:  # 2^28 floats claimed, 12 bytes present
        f.write(mc.npy_header("<f4", "(268435456,)") + b"\0" * 12)
    out = os.path.join(tmp, "o.npy")
    p = run(clcnn, ["run", good, "--input", bad, "--output", out, "--device", "ref"], limit_as=512 << 20)
    expect_clean_fail("NPY header larger than the file", p, ["claims_1gib.npy", "data bytes"], out)


def ort(model_path, feeds):
    import onnxruntime as rt
    s = rt.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    return s.run(None, feeds)


def semantics(clcnn, tmp, devices):
    x = np.array([[np.nan, -np.inf, -2.0, -0.5, 0.0, 0.5, 3.0, 7.0, np.inf]], np.float32)
    xin = os.path.join(tmp, "nan.npy")
    np.save(xin, x)
    xv = mc.vi("x", [1, 9])
    cases = {
        "Relu": mc.model([helper.make_node("Relu", ["x"], ["y"])], [xv], [mc.vi("y", [1, 9])]),
        "Clip 0..6": mc.model([helper.make_node("Clip", ["x", "lo", "hi"], ["y"])], [xv], [mc.vi("y", [1, 9])],
                              [mc.f32("lo", np.array(0.0)), mc.f32("hi", np.array(6.0))]),
        "Clip min > max": mc.model([helper.make_node("Clip", ["x", "lo", "hi"], ["y"])], [xv],
                                   [mc.vi("y", [1, 9])],
                                   [mc.f32("lo", np.array(2.0)), mc.f32("hi", np.array(-1.0))]),
        # a Relu after a conv is fused into the conv's epilogue on OpenCL: the
        # vector act_* path, not act_apply
        "Conv+Relu (fused)": mc.model(
            [helper.make_node("Conv", ["x4", "cw"], ["c"]), helper.make_node("Relu", ["c"], ["y"])],
            [mc.vi("x4", [1, 1, 1, 9])], [mc.vi("y", [1, 1, 1, 9])], [mc.f32("cw", np.ones((1, 1, 1, 1)))]),
    }
    for label, m in cases.items():
        path = save(m, os.path.join(tmp, "sem_%s.onnx" % label.split()[0]))
        feed_name = m.graph.input[0].name
        xi = x.reshape([d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim])
        fin = os.path.join(tmp, "sem_in.npy")
        np.save(fin, xi)
        want = ort(path, {feed_name: xi})[0]
        for dev in devices:
            out = os.path.join(tmp, "sem_out.npy")
            p = run(clcnn, ["run", path, "--input", fin, "--output", out, "--device", dev], timeout=120)
            if p is None or p.returncode:
                R(False, "%s on %s: %s" % (label, dev, p.stderr.strip() if p else "hung"))
                continue
            got = np.load(out)
            same = np.array_equal(np.isnan(got), np.isnan(want)) and np.allclose(
                np.nan_to_num(got, nan=0, posinf=1e30, neginf=-1e30),
                np.nan_to_num(want, nan=0, posinf=1e30, neginf=-1e30))
            R(same, "%s on %s == onnxruntime%s" % (label, dev, "" if same else ": got %s want %s" % (got, want)))


def typed_outputs(clcnn, tmp, devices):
    """Cast-to-int64 and Shape outputs (no device buffer), and 200 outputs."""
    x = mc.vi("x", [1, 2, 5, 5])
    m = mc.good_models()["shape_cast"]
    path = save(m, os.path.join(tmp, "shape_cast.onnx"))
    xi = (np.arange(50, dtype=np.float32).reshape(1, 2, 5, 5) - 20) * 1.5
    fin = os.path.join(tmp, "sc_in.npy")
    np.save(fin, xi)
    want = ort(path, {"x": xi})
    nodes = [helper.make_node("Relu", ["x"], ["r"])] + [
        helper.make_node("Identity", ["r"], ["y%d" % i]) for i in range(200)]
    many = save(mc.model(nodes, [x], [mc.vi("y%d" % i, [1, 2, 5, 5]) for i in range(200)]),
                os.path.join(tmp, "many.onnx"))
    drop = save(mc.model([helper.make_node("Dropout", ["x"], ["y", "mask"], name="drop")], [x],
                         [mc.vi("y", [1, 2, 5, 5]), mc.vi("mask", [1, 2, 5, 5], TensorProto.BOOL)]),
                os.path.join(tmp, "dropout_mask.onnx"))
    want_drop = ort(drop, {"x": xi})
    for dev in devices:
        outs = [os.path.join(tmp, "dm%d.npy" % i) for i in range(2)]
        p = run(clcnn, ["run", drop, "--input", fin, "--device", dev, "--output", outs[0], "--output", outs[1]],
                timeout=120)
        ok = p is not None and p.returncode == 0 and all(
            np.array_equal(np.load(o), w) and np.load(o).dtype == w.dtype for o, w in zip(outs, want_drop))
        R(ok, "Dropout mask output on %s == onnxruntime%s" % (dev, "" if ok else ": %s" % (p.stderr.strip() if p else "hung")))
    for dev in devices:
        outs = [os.path.join(tmp, "sc%d.npy" % i) for i in range(3)]
        argv = ["run", path, "--input", fin, "--device", dev]
        for o in outs:
            argv += ["--output", o]
        p = run(clcnn, argv, timeout=120)
        ok = p is not None and p.returncode == 0 and all(
            np.array_equal(np.load(o), w) and np.load(o).dtype == w.dtype for o, w in zip(outs, want))
        R(ok, "Shape + Cast(int64) outputs on %s == onnxruntime%s" % (dev, "" if ok else ": %s" % (p.stderr if p else "hung")))
        argv = ["run", many, "--input", fin, "--device", dev]
        for i in range(200):
            argv += ["--output", os.path.join(tmp, "m%d.npy" % i)]
        p = run(clcnn, argv, timeout=120)
        ok = p is not None and p.returncode == 0 and np.array_equal(
            np.load(os.path.join(tmp, "m199.npy")), np.maximum(xi, 0))
        R(ok, "200 outputs on %s%s" % (dev, "" if ok else ": %s" % (p.returncode if p else "hung")))


def clear(e):
    """Removes whatever sits at an entry's path (a file, FIFO or directory)."""
    if os.path.isdir(e) and not os.path.islink(e):
        os.rmdir(e)
    else:
        os.unlink(e)


def entries(cache):
    return sorted(glob.glob(os.path.join(cache, "*.clbin")))


def read_entry(path):
    b = open(path, "rb").read()
    klen = struct.unpack("<I", b[12:16])[0]
    key = b[16:16 + klen]
    return b[:16], key, b[16 + klen + 16:]


def fnv1a(data):
    h = 0xcbf29ce484222325
    for c in data:
        h = ((h ^ c) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def cache_cases(clcnn, tmp):
    """The program cache on the OpenCL CPU device: each damage must end in a
    correct run (rebuilt from source), never a failure or a hang."""
    cache = os.path.join(tmp, "cache")
    # the command writes its entries itself (no background fill, cache_fill.h,
    # racing the damage each step does)
    env = dict(os.environ, CLCNN_CACHE_DIR=cache, CLCNN_CACHE_FILL="0")
    # conv, pooling and gemm: several programs, so entries can trade binaries
    m = mc.model([helper.make_node("Conv", ["x", "cw"], ["c"], pads=[1, 1, 1, 1]),
                  helper.make_node("Relu", ["c"], ["r"]),
                  helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2]),
                  helper.make_node("GlobalAveragePool", ["p"], ["g"]),
                  helper.make_node("Flatten", ["g"], ["f"]),
                  helper.make_node("Gemm", ["f", "gw"], ["y"], transB=1)],
                 [mc.vi("x", [1, 2, 5, 5])], [mc.vi("y", [1, 3])],
                 [mc.f32("cw", np.linspace(-1, 1, 36).reshape(2, 2, 3, 3)),
                  mc.f32("gw", np.linspace(-1, 1, 6).reshape(3, 2))])
    path = save(m, os.path.join(tmp, "conv.onnx"))
    xi = np.linspace(-3, 3, 50, dtype=np.float32).reshape(1, 2, 5, 5)
    fin = os.path.join(tmp, "conv_in.npy")
    np.save(fin, xi)
    want = ort(path, {"x": xi})[0]
    out = os.path.join(tmp, "conv_out.npy")

    def again(label, check_heal=None):
        if os.path.exists(out):
            os.unlink(out)
        p = run(clcnn, ["run", path, "--input", fin, "--output", out, "--device", "cpu"], env=env, timeout=120)
        ok = p is not None and p.returncode == 0 and np.allclose(np.load(out), want, atol=1e-5)
        R(ok, "cache: %s -> correct run%s" % (label, "" if ok else ": %s" % (p.stderr.strip() if p else "hung")))
        if check_heal:
            R(check_heal(), "cache: %s -> entries are regular files again" % label)
        return p

    again("cold")
    ents = entries(cache)
    if len(ents) < 2:
        return R(False, "cache: expected >= 2 entries after a conv/pool/gemm run, found %d" % len(ents))
    # forged: each entry gets another program's binary (different source hash
    # in the key), with its own key and a valid checksum
    parsed = [read_entry(e) for e in ents]
    src = [k.split(b"|src=")[1].split(b"|")[0] for _, k, _ in parsed]
    for i, e in enumerate(ents):
        j = next((j for j in range(len(ents)) if src[j] != src[i]), None)
        if j is None:
            continue
        head, key, _ = parsed[i]
        pay = parsed[j][2]
        with open(e, "wb") as f:
            f.write(head + key + struct.pack("<QQ", len(pay), fnv1a(pay)) + pay)
    again("forged entries (valid checksum, another program)")
    for e in entries(cache):
        clear(e)
        os.mkdir(e)
    again("directories in place of entries",
          lambda: all(stat.S_ISREG(os.lstat(e).st_mode) for e in entries(cache)))
    for e in entries(cache):
        clear(e)
        os.mkfifo(e)
    again("FIFOs in place of entries",
          lambda: all(stat.S_ISREG(os.lstat(e).st_mode) for e in entries(cache)))
    for e in entries(cache):
        clear(e)
    for e in ents:  # sparse 1 GiB of zeros: no disk, but a whole read costs 1 GiB RSS
        with open(e, "wb") as f:
            f.truncate(1 << 30)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    again("1 GiB junk entries")
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    R(rss < 700 * 1024 or rss == before, "cache: junk entries not read whole (child max RSS %d MiB)" % (rss // 1024))


def file_cases(clcnn, tmp, x13):
    good = save(mc.relu_model(), os.path.join(tmp, "relu.onnx"))
    for mask, want in ((0o022, 0o644), (0o077, 0o600), (0o002, 0o664)):
        out = os.path.join(tmp, "umask%o.npy" % mask)
        old = os.umask(mask)
        try:
            p = run(clcnn, ["run", good, "--input", x13, "--output", out, "--device", "ref"])
        finally:
            os.umask(old)
        mode = stat.S_IMODE(os.stat(out).st_mode) if os.path.exists(out) else None
        R(p is not None and p.returncode == 0 and mode == want,
          "output mode under umask %03o is %s (want %03o)" % (mask, oct(mode) if mode is not None else None, want))
    for mask, want in ((0o022, 0o644), (0o077, 0o600)):  # clcnn export (the library's writer)
        out = os.path.join(tmp, "export%o.onnx" % mask)
        old = os.umask(mask)
        try:
            p = run(clcnn, ["export", good, out])
        finally:
            os.umask(old)
        mode = stat.S_IMODE(os.stat(out).st_mode) if os.path.exists(out) else None
        R(p is not None and p.returncode == 0 and mode == want,
          "exported model mode under umask %03o is %s (want %03o)" % (mask, oct(mode) if mode is not None else None, want))
    # a temp file of a writer that died (kill -9) is removed by the next write
    dead = subprocess.Popen(["true"])
    dead.wait()
    out = os.path.join(tmp, "o.npy")
    stale = out + ".tmp%d-0" % dead.pid
    open(stale, "wb").write(b"\0" * 4096)
    alive = out + ".tmp%d-0" % os.getpid()  # a live writer's temp must stay
    open(alive, "wb").write(b"x")
    p = run(clcnn, ["run", good, "--input", x13, "--output", out, "--device", "ref"])
    R(p is not None and p.returncode == 0 and not os.path.exists(stale) and os.path.exists(alive),
      "dead writer's temp removed, live writer's kept")
    os.unlink(alive)


def sigterm_cases(clcnn, tmp):
    """SIGTERM at staggered moments of a run writing 200 outputs: whenever it
    lands, no temp file may remain (the handler unlinks the one in progress).
    The timing only decides how many kills land mid-write; the check holds
    for every timing, so the test cannot flake."""
    import signal
    import time
    d = os.path.join(tmp, "sigterm")
    os.makedirs(d)
    x = mc.vi("x", [1, 16, 64, 64])
    nodes = [helper.make_node("Relu", ["x"], ["r"])] + [
        helper.make_node("Identity", ["r"], ["y%d" % i]) for i in range(200)]
    path = save(mc.model(nodes, [x], [mc.vi("y%d" % i, [1, 16, 64, 64]) for i in range(200)]),
                os.path.join(d, "many.onnx"))
    fin = os.path.join(d, "in.npy")
    np.save(fin, np.ones((1, 16, 64, 64), np.float32))
    mid, bad = 0, []
    for trial in range(12):
        outdir = os.path.join(d, "t%d" % trial)
        os.makedirs(outdir)
        argv = [clcnn, "run", path, "--input", fin, "--device", "ref"]
        for i in range(200):
            argv += ["--output", os.path.join(outdir, "o%d.npy" % i)]
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.01 + 0.012 * trial)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        left = [f for f in os.listdir(outdir) if ".tmp" in f]
        written = len([f for f in os.listdir(outdir) if f.endswith(".npy")])
        mid += 0 < written < 200
        if left:
            bad.append("trial %d: %s left" % (trial, left))
        shutil.rmtree(outdir)
    R(not bad, "SIGTERM during output writes leaves no temp file (%d of 12 kills landed mid-write)%s"
      % (mid, "" if not bad else ": " + "; ".join(bad)))


def label_cases(clcnn, tmp, shared):
    """Labels come from a file beside the model: classify prints them escaped."""
    d = os.path.join(tmp, "labels")
    os.makedirs(d)
    model = os.path.join(d, "m.onnx")
    shutil.copy(os.path.join(shared, "models", "mobilenet_v1_0.75_224.onnx"), model)
    with open(os.path.join(d, "m.labels.txt"), "w") as f:
        f.writelines("n%08d \x1b[31mred\rclass %d\n" % (i, i) for i in range(1001))
    p = run(clcnn, ["classify", "--model", model, "--device", "ref", "--top", "3",
                    os.path.join(shared, "data", "images", "dog.jpg")], timeout=60)
    R(p is not None and p.returncode == 0 and "\x1b" not in p.stdout and "\r" not in p.stdout
      and "\\x1b[31mred\\x0dclass" in p.stdout,
      "classify: control characters in labels printed escaped" +
      ("" if p is None else "\n     stdout: " + p.stdout.strip()[:300]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clcnn", required=True)
    ap.add_argument("--shared", required=True)
    args = ap.parse_args()
    global ASAN
    ASAN = is_asan(args.clcnn)
    devices = ["ref"]
    cpu = has_cpu_device(args.clcnn)
    if cpu:
        devices.append("cpu")
    with tempfile.TemporaryDirectory(prefix="clcnn_hostile_") as tmp:
        x13 = os.path.join(tmp, "x13.npy")
        np.save(x13, np.ones((1, 3), np.float32))
        refused_models(args.clcnn, tmp, x13)
        fifo_cases(args.clcnn, tmp, x13)
        npy_size_cases(args.clcnn, tmp)
        semantics(args.clcnn, tmp, devices)
        typed_outputs(args.clcnn, tmp, devices)
        file_cases(args.clcnn, tmp, x13)
        sigterm_cases(args.clcnn, tmp)
        label_cases(args.clcnn, tmp, args.shared)
        if cpu:
            cache_cases(args.clcnn, tmp)
        else:
            R.skip("program cache cases: no OpenCL CPU device")
        if not cpu:
            R.skip("OpenCL halves of the semantics and typed-output cases: no OpenCL CPU device")
    R.finish()


if __name__ == "__main__":
    main()
