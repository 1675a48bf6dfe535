"""clcnn.ray — classify a photo collection on a Ray cluster, one clcnn
session per worker (Ray Data's map_batches with a stateful actor class).

    pip install clcnn[ray]
    clcnn-ray classify photos/ --out labels.parquet --workers 2 --batch 8 --device cpu

    from clcnn.ray import classify_files
    summary = classify_files(["photos/"], "labels.parquet", workers=2, device="cpu")

Pieces: ClcnnPredictor (the map_batches class: one Context+Model+Session per
actor, created once), build_dataset (the lazy pipeline, to compose with other
Ray Data steps), classify_files (list, run, write Parquet, summarise) and the
`clcnn-ray` command (cli.main). Output rows: path, class_ids, labels, scores
(top-k, best first), error (null unless the photo could not be read; then the
lists are null), worker (host:pid), prep_ms, infer_ms.

`import clcnn` never imports Ray; this module needs ray[data] and pyarrow.
"""
from .job import JobError, Summary, build_dataset, classify_files, expand_sources
from .predictor import COLUMNS, ClcnnPredictor, output_schema

__all__ = ["ClcnnPredictor", "COLUMNS", "output_schema", "build_dataset", "classify_files",
           "expand_sources", "JobError", "Summary"]
