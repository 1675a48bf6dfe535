"""Fixtures of the Ray job tests (ci/ray.sh runs them in a venv with
clcnn[ray] installed). The photo set is made once per session; $CLCNN_CLI
names the `clcnn` binary whose `classify --json` is the reference output."""
import os
import pathlib

import pytest

SHARED = pathlib.Path(os.environ.get("CLCNN_SHARED",
                                     pathlib.Path(__file__).resolve().parents[3] / "shared"))
MODELS = SHARED / "models"
IMAGES = SHARED / "data" / "images"
DEVICE = os.environ.get("CLCNN_RAY_DEVICE", "cpu")


def pytest_configure(config):
    if not (MODELS / "expected_top5.json").exists():
        raise pytest.UsageError(f"no shared folder at {SHARED} (set CLCNN_SHARED)")
    os.environ["CLCNN_MODEL_PATH"] = os.pathsep.join(
        p for p in (str(MODELS), os.environ.get("CLCNN_MODEL_PATH", "")) if p)


@pytest.fixture(scope="session")
def photo_dir(tmp_path_factory):
    from photos import make_photos
    d = tmp_path_factory.mktemp("photos") / "photos"
    make_photos(IMAGES, d, 49)  # + 3 broken = 52 files
    return d
