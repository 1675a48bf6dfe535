#!/usr/bin/env python3
"""Export torchvision's classifiers to ONNX as a user would, for tools/torchvision_check.py.

Every classifier in torchvision.models with <= --max-params parameters (75 in
torchvision 0.29 at 150 M) is built with seeded random weights and exported by
both PyTorch exporters: the TorchScript one (dynamo=False, opset 17) and the
torch.export one (dynamo=True, opset 18, its defaults otherwise, so weights go
to external data as users get them). Beside the two .onnx files go input.npy
(seeded N(0,1), 1x3xSxS at the model's native crop size from its DEFAULT
weights' transforms; nothing is downloaded) and ref.npy (torch's own output,
the oracle). What is already exported is skipped; an exporter that fails
leaves <exporter>.err with its last lines, so the check can say so.

Needs a venv with torch, torchvision, onnx, onnxruntime and onnxscript; it is
not the repo's .venv (CI has no torch). See docs/models_torchvision.md.

    python tools/torchvision_export.py [--out /work/tvx] [--only a,b] [--exporters legacy,dynamo]
"""
import argparse
import contextlib
import gc
import io
import os
import sys
import time
import traceback
import zlib

import numpy as np
import torch
import torchvision
from torchvision.models import get_model, get_model_weights, list_models

EXPORTERS = ("legacy", "dynamo")
OPSET = {"legacy": 17, "dynamo": 18}


def count_params(name):
    """Parameter count without allocating: meta device, else a real build (RegNet's
    width schedule computes on tensors and cannot run on meta)."""
    try:
        with torch.device("meta"):
            m = get_model(name)
    except Exception:
        m = get_model(name)
    return sum(p.numel() for p in m.parameters())


def native_size(name):
    """The crop size of the model's DEFAULT weights (224; 299 for inception_v3; 256
    for swin_v2; 240..600 for efficientnet) -- read from the transforms, not downloaded."""
    t = get_model_weights(name).DEFAULT.transforms()
    return int(t.crop_size[0])


def seed_of(name):
    """A per-model seed that does not depend on the order models are exported in."""
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


def randomize_zero_weights(model, gen):
    """Some heads are zero-initialised (ViT's classifier: every output would be exactly 0,
    which any engine 'matches'); give such weights a seeded N(0, 1/fan_in)."""
    for m in model.modules():
        w = getattr(m, "weight", None)
        if isinstance(w, torch.nn.Parameter) and w.dim() >= 2 and not torch.any(w):
            with torch.no_grad():
                w.copy_(torch.randn(w.shape, generator=gen) / w[0].numel() ** 0.5)


def set_norm_stats(model, gen, size, mode):
    """BatchNorm's fresh running stats (mean 0, var 1, gamma 1, beta 0) make every BN an
    identity and hide a wrong fold. 'calibrate': running stats measured on a seeded batch
    (as training would leave them; activations stay O(1)), then mild random gamma/beta.
    'random': mild random stats without measuring (activations can grow to 1e13 in
    inception_v3; what the first exports in /work/tvx used)."""
    bns = [m for m in model.modules()
           if isinstance(m, torch.nn.modules.batchnorm._BatchNorm) and m.track_running_stats]
    if not bns:
        return
    if mode == "calibrate":
        for m in bns:
            m.reset_running_stats()
            m.momentum = None  # cumulative average over the calibration pass
        model.train()
        with torch.no_grad():
            model(torch.randn((2, 3, size, size), generator=gen))
        model.eval()
    for m in bns:
        c = m.num_features
        with torch.no_grad():
            if mode == "random":
                m.running_mean.copy_((torch.rand(c, generator=gen) - 0.5) * 0.2)
                m.running_var.copy_(torch.rand(c, generator=gen) + 0.5)
            if m.affine:
                m.weight.copy_(torch.rand(c, generator=gen) * 0.4 + 0.8)
                m.bias.copy_((torch.rand(c, generator=gen) - 0.5) * 0.2)


def build(name, bn_mode):
    seed = seed_of(name)
    torch.manual_seed(seed)
    kw = {}
    if name in ("googlenet", "inception_v3"):
        kw = {"init_weights": True, "aux_logits": False}  # eval graph without aux heads
    with warnings_silenced():
        model = get_model(name, weights=None, **kw)
    gen = torch.Generator().manual_seed(seed + 1)
    randomize_zero_weights(model, gen)
    set_norm_stats(model, gen, native_size(name), bn_mode)
    return model.eval()


@contextlib.contextmanager
def warnings_silenced():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def export_one(model, x, path, exporter):
    """Writes path (and path + '.data' for dynamo's external weights), atomically: two
    exporter processes over the same --out (one per core) may meet on a model."""
    tmpdir = os.path.join(os.path.dirname(path), ".tmp%d" % os.getpid())
    os.makedirs(tmpdir, exist_ok=True)
    tmp = os.path.join(tmpdir, "raw.onnx")
    kw = dict(input_names=["input"], output_names=["output"])
    # Not under torch.no_grad(): there nn.MultiheadAttention takes its fused fast path
    # (aten::_native_multi_head_attention), which the TorchScript exporter cannot
    # export, so ViT would fail for a reason no user calling export plainly meets.
    buf = io.StringIO()
    try:
        with warnings_silenced(), contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
            torch.onnx.export(model, (x,), tmp, dynamo=(exporter == "dynamo"),
                              opset_version=OPSET[exporter], **kw)
        final = os.path.join(tmpdir, os.path.basename(path))
        if os.path.exists(tmp + ".data"):
            # the .data file's name is recorded inside the model: save again under the final name
            import onnx
            m = onnx.load(tmp)
            onnx.save(m, final, save_as_external_data=True, location=os.path.basename(path) + ".data")
            os.replace(final + ".data", path + ".data")
        else:
            os.replace(tmp, final)
        os.replace(final, path)
    finally:
        for f in os.listdir(tmpdir):
            os.remove(os.path.join(tmpdir, f))
        os.rmdir(tmpdir)


def save_npy(path, a):
    tmp = "%s.tmp%d.npy" % (path[:-4], os.getpid())
    np.save(tmp, a)
    os.replace(tmp, path)


def export_model(name, out, exporters, bn_mode):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    todo = [e for e in exporters
            if not os.path.exists(os.path.join(d, e + ".onnx"))
            and not os.path.exists(os.path.join(d, e + ".err"))]
    if not todo and os.path.exists(os.path.join(d, "ref.npy")):
        return "skip"
    model = build(name, bn_mode)
    s = native_size(name)
    x_np = np.random.default_rng(seed_of(name)).standard_normal((1, 3, s, s)).astype(np.float32)
    x = torch.from_numpy(x_np)
    if not os.path.exists(os.path.join(d, "ref.npy")):
        with torch.no_grad():
            y = model(x)
        save_npy(os.path.join(d, "input.npy"), x_np)
        save_npy(os.path.join(d, "ref.npy"), y.numpy().astype(np.float32))
        with open(os.path.join(d, "meta.txt"), "w") as f:
            f.write("torch %s torchvision %s seed %d bn %s size %d\n" % (
                torch.__version__, torchvision.__version__, seed_of(name), bn_mode, s))
    status = []
    for e in todo:
        t0 = time.time()
        try:
            export_one(model, x, os.path.join(d, e + ".onnx"), e)
            status.append("%s ok %.0fs" % (e, time.time() - t0))
        except Exception:
            tb = traceback.format_exc().strip().splitlines()
            with open(os.path.join(d, e + ".err"), "w") as f:
                f.write("\n".join(tb[-20:]) + "\n")
            status.append("%s FAILED (%s)" % (e, tb[-1][:120]))
    cond = conditioning(model, x, d)
    if cond is not None and cond > COND_WARN:
        status.append("ILL-CONDITIONED: torch fp32 vs fp64 %.1e (no float32 engine can match "
                      "ref.npy to 1e-4; re-export with --bn random)" % cond)
    del model
    gc.collect()
    return "; ".join(status)


COND_WARN = 1e-5  # torch's own fp32 vs fp64 beyond this: the check's 1e-4 means nothing


def conditioning(model, x, d):
    """max|fp32 - fp64| / max|fp64| of torch itself on the model's input, appended to
    meta.txt as 'fp32-vs-fp64 E' (once; read back when present). With random weights
    some deep nets amplify rounding: EfficientNet-B6/B7/V2-L under --bn calibrate reach
    logits of 1e4 and their fp32 and fp64 outputs differ by 30-80%, so ref.npy is no
    oracle there (torchvision_check.py reports those as ill-conditioned, not wrong)."""
    meta = os.path.join(d, "meta.txt")
    text = open(meta).read() if os.path.exists(meta) else ""
    for tok in text.split("\n"):
        if tok.startswith("fp32-vs-fp64 "):
            return float(tok.split()[1])
    with torch.no_grad():
        y32 = model(x).double()
        y64 = model.double()(x.double())
    cond = float((y32 - y64).abs().max() / y64.abs().max().clamp_min(1e-30))
    with open(meta, "a") as f:
        f.write("fp32-vs-fp64 %.3e\n" % cond)
    return cond


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="/work/tvx", help="output dir (default /work/tvx)")
    ap.add_argument("--only", default="", help="comma-separated model names, in this order")
    ap.add_argument("--exporters", default="legacy,dynamo")
    ap.add_argument("--max-params", type=float, default=150e6)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (shared machines: 1)")
    ap.add_argument("--bn", choices=("calibrate", "random"), default="calibrate",
                    help="BatchNorm running stats: measured on a seeded batch, or random")
    ap.add_argument("--list", action="store_true", help="print the selected models and exit")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    exporters = [e for e in a.exporters.split(",") if e]
    for e in exporters:
        if e not in EXPORTERS:
            sys.exit("torchvision_export: unknown exporter '%s' (legacy, dynamo)" % e)
    known = list_models(module=torchvision.models)
    if a.only:
        names = [n for n in a.only.split(",") if n]
        for n in names:
            if n not in known:
                sys.exit("torchvision_export: '%s' is not a torchvision classifier" % n)
    else:
        names = known
    with warnings_silenced():
        names = [n for n in names if count_params(n) <= a.max_params]
    if a.list:
        print("\n".join(names))
        return
    print("torch %s torchvision %s: %d models -> %s" % (
        torch.__version__, torchvision.__version__, len(names), a.out), flush=True)
    for n in names:
        t0 = time.time()
        try:
            st = export_model(n, a.out, exporters, a.bn)
        except Exception:
            st = "FAILED: " + traceback.format_exc().strip().splitlines()[-1][:160]
        print("%-22s %5.0fs  %s" % (n, time.time() - t0, st), flush=True)


if __name__ == "__main__":
    main()
