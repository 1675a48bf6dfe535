"""clcnn-ray: the command line of clcnn.ray (also `python -m clcnn.ray`).

    clcnn-ray classify SRC_DIR|GLOB|FILE... --out OUT.parquet [--workers N] [--batch B]
              [--device D] [--address ray://HOST:PORT] [--top K] [--model M]

Exit status as `clcnn classify`: 0 all photos classified, 1 some failed (rows
with an error, counted in the summary) or the job failed, 2 a usage error.
"""
import argparse
import sys

USAGE_EXIT = 2


class _Parser(argparse.ArgumentParser):
    # One line on stderr and status 2 for a bad flag, as the clcnn CLI does.
    def error(self, message):
        sys.stderr.write(f"{self.prog}: {message} (see --help)\n")
        sys.exit(USAGE_EXIT)


def _positive(what):
    def parse(s):
        try:
            v = int(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} needs a positive integer, got '{s}'") from None
        if v < 1:
            raise argparse.ArgumentTypeError(f"{what} needs a positive integer, got '{s}'")
        return v
    return parse


def parser():
    p = _Parser(prog="clcnn-ray", description="Classify photos on Ray with clcnn, one session per worker.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    c = sub.add_parser("classify", help="top-k classes of every photo, as Parquet rows",
                       description="Reads the photos with Ray Data, decodes and preprocesses them in "
                       "the workers exactly as `clcnn classify` does, runs batches through one clcnn "
                       "session per worker and writes Parquet rows (path, class_ids, labels, scores, "
                       "error, worker, prep_ms, infer_ms) into the directory OUT.")
    c.add_argument("sources", nargs="+", metavar="SRC",
                   help="a directory (its files, sorted), a glob, a file, or a URI Ray Data reads")
    c.add_argument("--out", required=True, help="output: a directory of Parquet files")
    c.add_argument("--workers", type=_positive("--workers"), default=1, help="actors (default 1)")
    c.add_argument("--batch", type=_positive("--batch"), default=8, help="images per inference (default 8)")
    c.add_argument("--device", default=None,
                   help="auto (default), cpu, gpu (one GPU per worker), ref, an index or a name substring")
    c.add_argument("--address", default=None,
                   help="an existing Ray cluster (ray://HOST:10001 or auto); default: a local Ray")
    c.add_argument("--top", type=_positive("--top"), default=5, help="classes per photo (default 5)")
    c.add_argument("--model", default=None, help="ONNX file or built-in name (default: the clcnn default "
                   "model, searched as `clcnn classify` does)")
    c.add_argument("--num-cpus", type=_positive("--num-cpus"), default=None,
                   help="CPUs of the local Ray (default: all); ignored with --address")
    c.add_argument("--num-gpus", type=int, default=None,
                   help="GPUs of the local Ray (default: those Ray detects); ignored with --address")
    c.add_argument("--object-store-mb", type=_positive("--object-store-mb"), default=256,
                   help="object store of the local Ray in MiB (default 256)")
    c.add_argument("--max-restarts", type=int, default=4,
                   help="restarts of a dead worker and retries of its batches (default 4)")
    c.add_argument("--threads-per-worker", type=_positive("--threads-per-worker"), default=None,
                   help="cap each worker's OpenCL CPU threads (POCL); default: one per core in each")
    c.add_argument("--overwrite", action="store_true", help="replace OUT if it exists")
    c.add_argument("--quiet", action="store_true", help="no progress bars or Ray logs")
    return p


def main(argv=None):
    p = parser()
    a = p.parse_args(argv)
    if a.command != "classify":
        p.error("a command is required: classify")
    try:
        import pyarrow  # noqa: F401
        import ray  # noqa: F401
    except ImportError as e:
        print(f"clcnn-ray: {e.name} is not installed (pip install 'clcnn[ray]')", file=sys.stderr)
        return 1
    from .job import JobError, classify_files
    import clcnn
    try:
        s = classify_files(a.sources, a.out, model=a.model, device=a.device, top=a.top,
                           batch=a.batch, workers=a.workers, address=a.address,
                           num_cpus=a.num_cpus, num_gpus=a.num_gpus, object_store_mb=a.object_store_mb,
                           overwrite=a.overwrite, max_restarts=a.max_restarts,
                           threads_per_worker=a.threads_per_worker, quiet=a.quiet)
    except (JobError, clcnn.Error) as e:
        print(f"clcnn-ray: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # Ray's own (a worker that kept dying, a lost cluster): its first line
        lines = str(e).strip().splitlines() or [""]
        # a worker that could not start (bad --device) carries the library's line
        lib = [ln for ln in lines if ln.startswith("clcnn.Error: ")]
        why = lib[-1][len("clcnn.Error: "):] if lib else f"{type(e).__name__}: {lines[0]}"
        print(f"clcnn-ray: the job failed: {why}", file=sys.stderr)
        return 1
    for line in s.lines():
        print(line, file=sys.stderr)
    return 1 if s.errors else 0


if __name__ == "__main__":
    sys.exit(main())
