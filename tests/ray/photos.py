"""A photo set for the Ray job tests and bench/ray_bench.py: the shared photos
repeated as crops, flips and rotations (each a distinct JPEG, so the
collection is not 7 photos over and over for the decoder), plus the three
broken files every run must report: a truncated JPEG, a text file named .jpg
and an empty file."""
import pathlib

BROKEN = ("broken_empty.jpg", "broken_text.jpg", "broken_truncated.jpg")


def _variants(im):
    from PIL import Image
    w, h = im.size
    yield "orig", im
    yield "flip", im.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    yield "vflip", im.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    yield "rot90", im.transpose(Image.Transpose.ROTATE_90)
    for k, (a, b) in enumerate([(0.0, 0.0), (0.2, 0.1), (0.1, 0.25), (0.3, 0.3), (0.05, 0.15)]):
        yield f"crop{k}", im.crop((int(a * w), int(b * h), int(w * (0.7 + a)), int(h * (0.7 + b))))
    for k, s in enumerate((0.5, 0.75, 0.6)):
        yield f"small{k}", im.resize((max(1, int(w * s)), max(1, int(h * s))))


def make_photos(src_dir, dst, count, broken=True):
    """Writes `count` good JPEGs (+ the broken three) into dst; returns the
    sorted file names."""
    from PIL import Image
    dst = pathlib.Path(dst)
    dst.mkdir(parents=True, exist_ok=True)
    srcs = sorted(pathlib.Path(src_dir).glob("*.jpg"))
    if not srcs:
        raise FileNotFoundError(f"no .jpg in {src_dir}")
    made, rnd = 0, 0
    while made < count:
        for s in srcs:
            im = Image.open(s).convert("RGB")
            for name, v in _variants(im):
                if made == count:
                    break
                q = 90 - 5 * (rnd % 4)  # later rounds: other JPEG qualities, other bytes
                v.save(dst / f"{s.stem}_{name}_q{q}.jpg", quality=q)
                made += 1
            if made == count:
                break
        rnd += 1
    if broken:
        good = (dst / sorted(p.name for p in dst.glob("*.jpg"))[0]).read_bytes()
        (dst / "broken_empty.jpg").write_bytes(b"")
        (dst / "broken_text.jpg").write_text("this is a text file, not a JPEG\n")
        (dst / "broken_truncated.jpg").write_bytes(good[:len(good) * 2 // 5])
    return sorted(p.name for p in dst.iterdir())
