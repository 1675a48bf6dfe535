#!/usr/bin/env python3
"""py_zoo.py — end-to-end accuracy on the shared models through `clcnn run`.

Every ../shared/zoo model must match PyTorch's ref.npy, and every trained model in
../shared/models must match onnxruntime on each stored 224x224 crop, within 1e-4
relative (max |diff| / max |ref|). Devices: --devices (default $CLCNN_ZOO_DEVICES or
"all": the reference and every OpenCL device `clcnn devices` lists, by index); an
OpenCL device that is absent is reported as skipped, never as passed.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

TOL = 1e-4


def rel_err(out, ref):
    scale = float(np.max(np.abs(ref))) or 1.0
    return float(np.max(np.abs(out.astype(np.float64) - ref.astype(np.float64)))) / scale


def run_clcnn(clcnn, model, inp, device, tmp):
    in_path = os.path.join(tmp, "in.npy")
    out_path = os.path.join(tmp, "out.npy")
    np.save(in_path, inp.astype(np.float32))
    if os.path.exists(out_path):
        os.unlink(out_path)
    t0 = time.time()
    p = subprocess.run([clcnn, "run", model, "--input", in_path, "--output", out_path,
                        "--device", device], capture_output=True, text=True)
    dt = time.time() - t0
    if p.returncode != 0:
        return None, p.stderr.strip(), dt
    return np.load(out_path), "", dt


def crop_input(png, mapping):
    from PIL import Image
    x = np.asarray(Image.open(png).convert("RGB"), dtype=np.float32)
    if mapping == "tf":
        x = x / 127.5 - 1.0
    elif mapping == "torch":
        x = (x / 255.0 - np.array([0.485, 0.456, 0.406], np.float32)) / np.array([0.229, 0.224, 0.225], np.float32)
    elif mapping == "unit":
        x = x / 255.0
    else:
        raise ValueError(mapping)
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None].astype(np.float32))


def device_available(clcnn, device):
    if device == "ref":
        return True
    p = subprocess.run([clcnn, "devices", "--json"], capture_output=True, text=True)
    if p.returncode != 0:
        return False
    try:
        devs = json.loads(p.stdout)
    except ValueError:
        return False
    if device in ("cpu", "gpu"):
        return any(d.get("type") == device for d in devs)
    return len(devs) > 0


def expand_devices(clcnn, spec):
    """'all' -> ref plus each listed OpenCL device's index (no device: ref only,
    and a SKIP line says so); other specs pass through."""
    out = []
    for dev in spec.split(","):
        if dev != "all":
            out.append(dev)
            continue
        out.append("ref")
        p = subprocess.run([clcnn, "devices", "--json"], capture_output=True, text=True)
        try:
            devs = json.loads(p.stdout) if p.returncode == 0 else []
        except ValueError:
            devs = []
        if not devs:
            print("SKIP OpenCL: 'clcnn devices' lists no device; the reference only")
        for d in devs:
            print(f"device {d['index']}: {d['name']} ({d['platform']})")
            out.append(str(d["index"]))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clcnn", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--devices", default=os.environ.get("CLCNN_ZOO_DEVICES", "all"))
    args = ap.parse_args()
    import onnxruntime as ort

    passed = failed = skipped = 0
    zoo = os.path.join(args.shared, "zoo")
    models_dir = os.path.join(args.shared, "models")
    if not os.path.isdir(zoo):
        print(f"SKIP: {zoo} not found")
        print("0 passed, 0 failed, 1 skipped")
        return 77  # SKIP_RETURN_CODE: CTest shows Skipped, not Passed
    expected = json.load(open(os.path.join(models_dir, "expected_top5.json")))
    crops = sorted(f for f in os.listdir(os.path.join(models_dir, "inputs")) if f.endswith(".png"))

    with tempfile.TemporaryDirectory() as tmp:
        for device in expand_devices(args.clcnn, args.devices):
            if not device_available(args.clcnn, device):
                print(f"SKIP device {device}: no such OpenCL device here")
                skipped += 1
                continue
            for name in sorted(os.listdir(zoo)):
                d = os.path.join(zoo, name)
                if not os.path.isfile(os.path.join(d, "model.onnx")):
                    continue
                inp = np.load(os.path.join(d, "input.npy"))
                ref = np.load(os.path.join(d, "ref.npy"))
                out, err, dt = run_clcnn(args.clcnn, os.path.join(d, "model.onnx"), inp, device, tmp)
                if out is None:
                    print(f"FAIL zoo/{name} [{device}]: {err}")
                    failed += 1
                    continue
                e = rel_err(out.reshape(ref.shape), ref) if out.size == ref.size else float("inf")
                ok = e <= TOL
                print(f"{'ok  ' if ok else 'FAIL'} zoo/{name} [{device}] rel_err={e:.2e} ({dt:.2f}s)")
                passed += ok
                failed += not ok
            for mname in sorted(expected["models"]):
                mpath = os.path.join(models_dir, mname)
                mapping = expected["models"][mname]["normalization"]
                sess = ort.InferenceSession(mpath, providers=["CPUExecutionProvider"])
                in_name = sess.get_inputs()[0].name
                for crop in crops:
                    x = crop_input(os.path.join(models_dir, "inputs", crop), mapping)
                    ref = sess.run(None, {in_name: x})[0]
                    out, err, dt = run_clcnn(args.clcnn, mpath, x, device, tmp)
                    if out is None:
                        print(f"FAIL models/{mname} {crop} [{device}]: {err}")
                        failed += 1
                        continue
                    e = rel_err(out.reshape(ref.shape), ref) if out.size == ref.size else float("inf")
                    ok = e <= TOL
                    print(f"{'ok  ' if ok else 'FAIL'} models/{mname} {crop} [{device}] rel_err={e:.2e} ({dt:.2f}s)")
                    passed += ok
                    failed += not ok
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else (77 if skipped and not passed else 0)  # 77: SKIP_RETURN_CODE


if __name__ == "__main__":
    sys.exit(main())
