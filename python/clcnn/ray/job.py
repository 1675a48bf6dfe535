"""The driver half of clcnn.ray: list the photos, build the Ray Data pipeline
(read_binary_files -> map_batches(ClcnnPredictor) on an actor pool ->
write_parquet), run it, and summarise the written rows.

Ray starts locally unless an address is given; on a cluster every worker must
see the model file and the photos under the same paths (a shared file system)
or the photos must be URIs Ray Data can read (s3://, gs://, ...).
"""
import dataclasses
import glob
import os
import shutil
import time
import warnings

from .predictor import ClcnnPredictor

_GLOB_CHARS = "*?["


class JobError(Exception):
    """A bad argument or input, said in one line (the CLI prints it, exit 1)."""


def _is_uri(s):
    return "://" in s


def expand_sources(sources):
    """Photo paths in `clcnn classify` order: a directory gives its files
    sorted by name (hidden files and subdirectories skipped), a glob its
    matches sorted, a file or URI itself; duplicates are kept once."""
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    out, seen = [], set()
    for src in sources:
        src = os.fspath(src)
        if _is_uri(src):
            found = [src]
        elif os.path.isdir(src):
            d = src.rstrip("/") or "/"
            found = sorted(os.path.join(d, f) for f in os.listdir(src)
                           if not f.startswith(".") and not os.path.isdir(os.path.join(d, f)))
        elif any(c in src for c in _GLOB_CHARS) and not os.path.exists(src):
            found = sorted(p for p in glob.glob(src, recursive=True) if not os.path.isdir(p))
            if not found:
                raise JobError(f"{src}: the pattern matches no file")
        elif os.path.exists(src):
            found = [src]
        else:
            raise JobError(f"{src}: no such file or directory")
        for p in found:
            if p not in seen:
                seen.add(p)
                out.append(p)
    if not out:
        raise JobError("no photo to classify (the directories are empty)")
    return out


def resolve_model(model):
    """The model as every actor must load it: an absolute file path found
    through clcnn's search path on the driver, or a built-in name."""
    import clcnn
    try:
        return os.path.abspath(clcnn.find_model(model))
    except clcnn.Error as e:
        name = model if model is not None else clcnn.DEFAULT_MODEL
        if model is not None and "/" not in str(name) and not str(name).endswith(".onnx"):
            return str(name)  # a built-in architecture, as `clcnn classify --model` allows
        raise JobError(f"model {name}: {e.message}") from None


def prepare_output(out, overwrite):
    """Ray writes a directory of Parquet files at `out`; an existing one is
    replaced only with overwrite, and only if it holds Parquet files alone."""
    if _is_uri(out) or not os.path.exists(out):
        return
    if not overwrite:
        raise JobError(f"--out {out}: already exists (pass --overwrite to replace it)")
    if not os.path.isdir(out) or any(not f.endswith(".parquet") for f in os.listdir(out)):
        raise JobError(f"--out {out}: exists and is not a directory of Parquet files; not removing it")
    shutil.rmtree(out)


def init_ray(address=None, num_cpus=None, object_store_mb=256, quiet=False, num_gpus=None):
    """ray.init once: a local Ray sized for this machine (no dashboard, a
    small object store: photos are small and stream through), or the cluster
    at `address`."""
    import ray
    if ray.is_initialized():
        return
    if address:
        ray.init(address=address, log_to_driver=not quiet)
        return
    ray.init(num_cpus=num_cpus or os.cpu_count(), num_gpus=num_gpus, include_dashboard=False,
             object_store_memory=int(object_store_mb) * 2**20, log_to_driver=not quiet,
             configure_logging=not quiet)


def check_resources(res, workers, gpu):
    """A pool Ray cannot place would wait forever: say so instead."""
    if gpu and res.get("GPU", 0) < workers:
        raise JobError(f"--device gpu takes one GPU per worker: --workers {workers} but the Ray "
                       f"cluster has {int(res.get('GPU', 0))} GPU(s)")
    if not gpu and res.get("CPU", 0) < workers:
        raise JobError(f"--workers {workers} but the Ray cluster has {int(res.get('CPU', 0))} CPU(s) "
                       f"(each worker takes one; see --num-cpus)")


@dataclasses.dataclass
class Summary:
    images: int
    errors: int
    seconds: float
    workers: dict  # worker -> {"images": n, "busy_s": s}
    error_rows: list  # (path, message), the first few
    out: str

    @property
    def images_per_s(self):
        return self.images / self.seconds if self.seconds > 0 else 0.0

    def lines(self):
        out = [f"clcnn-ray: {self.images} images, {self.errors} errors, {self.seconds:.1f} s, "
               f"{self.images_per_s:.1f} images/s -> {self.out}"]
        for w, s in sorted(self.workers.items()):
            rate = s["images"] / s["busy_s"] if s["busy_s"] > 0 else 0.0
            out.append(f"clcnn-ray:   worker {w}: {s['images']} images, {s['busy_s']:.1f} s busy, "
                       f"{rate:.1f} images/s")
        for p, msg in self.error_rows:
            out.append(f"clcnn-ray:   error: {msg}" if p in msg else f"clcnn-ray:   error: {p}: {msg}")
        if self.errors > len(self.error_rows):
            out.append(f"clcnn-ray:   ... and {self.errors - len(self.error_rows)} more errors "
                       f"(rows with an error in {self.out})")
        return out


def summarise(out, seconds, max_errors=10):
    """Counts from the rows written (so a retried batch would show twice)."""
    import pyarrow.parquet as pq
    t = pq.read_table(out, columns=["path", "error", "worker", "prep_ms", "infer_ms"]).to_pydict()
    workers = {}
    errors = []
    for p, e, w, a, b in zip(t["path"], t["error"], t["worker"], t["prep_ms"], t["infer_ms"]):
        s = workers.setdefault(w, {"images": 0, "busy_s": 0.0})
        s["images"] += 1
        s["busy_s"] += (a + b) / 1e3
        if e is not None:
            errors.append((p, e))
    return Summary(images=len(t["path"]), errors=len(errors), seconds=seconds, workers=workers,
                   error_rows=errors[:max_errors], out=out)


def worker_env(threads_per_worker):
    """Environment of each actor for a thread budget: POCL's CPU device
    otherwise starts a thread per core in every actor, so N actors on N cores
    run N*N threads. (POCL_MAX_PTHREAD_COUNT in POCL 3.1 as on Debian 12,
    POCL_CPU_MAX_CU_NUM in later ones; OMP_NUM_THREADS for other runtimes.)"""
    if not threads_per_worker:
        return {}
    n = str(int(threads_per_worker))
    return {"POCL_MAX_PTHREAD_COUNT": n, "POCL_CPU_MAX_CU_NUM": n, "OMP_NUM_THREADS": n}


def build_dataset(paths, *, model, device=None, top=5, batch=8, workers=1, gpu=False,
                  cpus_per_worker=1.0, max_restarts=4, env_vars=None, predictor=ClcnnPredictor):
    """The lazy pipeline: read_binary_files -> map_batches on `workers`
    actors. A killed actor is restarted (max_restarts) and the batches it held
    are retried on it (max_task_retries); Ray Data keeps only the outputs of
    tasks that finished, so every photo is written once."""
    import ray
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True  # rows in input order
    # Reading and writing are I/O: they take no CPU slot, or the actors
    # (one slot each) would leave none and the job would wait forever on a
    # machine with as many CPUs as workers. Without a CPU slot nothing bounds
    # them, and Ray started a Python worker process per read task (26 for 52
    # photos, seconds of CPU each): one reader and one writer at a time keep
    # pace with the actors. Blocks of about 4 batches keep every actor fed,
    # and make what a killed actor's retry redoes small.
    n_blocks = max(1, min(len(paths), max(4 * workers, -(-len(paths) // (4 * batch)))))
    ds = ray.data.read_binary_files(paths, include_paths=True, override_num_blocks=n_blocks,
                                    num_cpus=0, concurrency=1)
    res = {"num_gpus": 1} if gpu else {}
    with warnings.catch_warnings():
        # Ray 2.60 warns that remote args passed as keywords will be removed
        # (2.64); Ray Data's own default is unbounded restarts and retries,
        # which would retry a photo that crashes the library forever. When
        # Ray drops the keywords, map_batches raises and the tests fail.
        warnings.filterwarnings("ignore", message=".*ray_remote_args.* is deprecated")
        return ds.map_batches(
            predictor, batch_size=batch, batch_format="numpy",
            fn_constructor_kwargs={"model": model, "device": device, "top": top, "batch": batch},
            compute=ray.data.ActorPoolStrategy(size=workers),
            runtime_env={"env_vars": dict(env_vars)} if env_vars else None,
            num_cpus=cpus_per_worker, max_restarts=max_restarts, max_task_retries=max_restarts, **res)


def classify_files(sources, out, *, model=None, device=None, top=5, batch=8, workers=1,
                   address=None, num_cpus=None, num_gpus=None, object_store_mb=256, overwrite=False,
                   max_restarts=4, threads_per_worker=None, quiet=False, predictor=ClcnnPredictor):
    """Classifies every photo of `sources` (dirs, globs, files, URIs) on Ray
    and writes Parquet rows (predictor.COLUMNS) to the directory `out`.
    Returns a Summary. device 'gpu' asks one GPU per actor; threads_per_worker
    caps each actor's OpenCL CPU threads (worker_env)."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise JobError(f"--workers must be >= 1, got {workers!r}")
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise JobError(f"--batch must be >= 1, got {batch!r}")
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise JobError(f"--top must be >= 1, got {top!r}")
    paths = expand_sources(sources)
    model = resolve_model(model)
    prepare_output(out, overwrite)
    import ray
    init_ray(address, num_cpus, object_store_mb, quiet, num_gpus)
    ray.data.DataContext.get_current().enable_progress_bars = not quiet
    if not address:  # a cluster may autoscale up to the pool; a local Ray never will
        check_resources(ray.cluster_resources(), workers, device == "gpu")
    t0 = time.perf_counter()
    ds = build_dataset(paths, model=model, device=device, top=top, batch=batch, workers=workers,
                       gpu=device == "gpu", max_restarts=max_restarts,
                       env_vars=worker_env(threads_per_worker), predictor=predictor)
    ds.write_parquet(out, ray_remote_args={"num_cpus": 0}, concurrency=1)  # see build_dataset
    return summarise(out, time.perf_counter() - t0)
