"""The per-actor half of clcnn.ray: a callable class for Ray Data's
map_batches that holds one clcnn Context + Session (owning its Model) for the
actor's whole life and turns batches of encoded photos into top-k rows.

It needs neither Ray nor a cluster (a batch is a plain dict of columns), so it
is tested on its own; pyarrow builds the output table. Numbers are those of
`clcnn classify`: the library's preprocessing for the model
(Model.preprocess_image_bytes, the same C call as the CLI on the same bytes),
its labels, a float64 softmax unless the model ends in Softmax, ties to the
lower index.
"""
import os
import socket
import time

import numpy as np

# Output columns, in order. A failed photo has error set and null lists.
COLUMNS = ("path", "class_ids", "labels", "scores", "error", "worker", "prep_ms", "infer_ms")


def output_schema():
    import pyarrow as pa
    return pa.schema([("path", pa.string()), ("class_ids", pa.list_(pa.int32())),
                      ("labels", pa.list_(pa.string())), ("scores", pa.list_(pa.float64())),
                      ("error", pa.string()), ("worker", pa.string()),
                      ("prep_ms", pa.float64()), ("infer_ms", pa.float64())])


def _text(v):
    return v.decode("utf-8", "surrogateescape") if isinstance(v, bytes) else str(v)


class ClcnnPredictor:
    """map_batches(ClcnnPredictor, fn_constructor_kwargs={...}, batch_size=B,
    compute=ActorPoolStrategy(size=N), batch_format="numpy").

    model: a path or built-in name (resolve it on the driver: every actor
    must see the same file); device as for clcnn.Context; top: classes per
    row; batch: images per inference (a fixed-batch model is planned at this
    batch once, and a short last batch is zero-padded, padding discarded).
    A batch is {"path": [...], "bytes": [...]} (read_binary_files with
    include_paths=True); the result is a pyarrow.Table with COLUMNS.
    precision: passed to clcnn.Session ('fp32', 'fp16', 'auto').
    """

    def __init__(self, model=None, device=None, top=5, batch=8, precision="fp32"):
        import clcnn
        if isinstance(top, bool) or not isinstance(top, int) or top < 1:
            raise ValueError(f"ClcnnPredictor: top must be an int >= 1, got {top!r}")
        if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
            raise ValueError(f"ClcnnPredictor: batch must be an int >= 1, got {batch!r}")
        self._softmax = clcnn._softmax  # the float64 softmax classify() uses
        self.context = clcnn.Context(device)
        # The Session loads the model itself and owns it, so an actor holds
        # the weights once (the plan takes them); self.model answers the
        # metadata, labels and preprocessing used below. Planned at `batch`:
        # a fixed-batch model is re-batched to it, a dynamic one planned first
        # at the batch it will mostly run.
        self.session = clcnn.Session(model, context=self.context, batch=batch,
                                     precision=precision)
        self.model = self.session.model
        if len(self.model.inputs) != 1 or len(self.model.outputs) < 1:
            n = len(self.model.inputs)
            self.session.close()
            raise ValueError(f"ClcnnPredictor: a classifier has one input, this model has {n}")
        info = self.model.inputs[0]
        self._dynamic = info.dynamic_batch
        self.batch = batch
        self._in_shape = tuple(info.shape[1:])
        self.top = top
        self._apply_softmax = self.model.output_op(0) != "Softmax"
        # host:pid names the actor for the per-worker summary; a restarted
        # actor is a new process, so it counts as a new worker.
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self.device = self.context.device_name

    def _prep(self, data, name):
        """(tensor, None) or (None, error message) for one encoded photo."""
        import clcnn
        try:
            x = self.model.preprocess_image_bytes(data, name)
        except clcnn.Error as e:
            return None, e.message  # the library's line, as `clcnn classify` prints it
        except (ValueError, TypeError) as e:
            return None, f"{name}: {e}"
        if x.shape[1:] != self._in_shape:
            return None, (f"{name}: preprocessing gives {x.shape} but the model's input is "
                          f"{self.model.inputs[0].shape}")
        return x, None

    def _infer(self, xs):
        """Output-0 rows for the stacked tensors xs, `batch` at a time."""
        out = []
        for i in range(0, len(xs), self.batch):
            chunk = np.concatenate(xs[i:i + self.batch])
            n = chunk.shape[0]
            if not self._dynamic and self.batch > 1 and n < self.batch:
                pad = np.zeros((self.batch - n,) + chunk.shape[1:], np.float32)
                chunk = np.concatenate([chunk, pad])
            y = self.session.run(chunk)[0]
            out.extend(y.reshape(y.shape[0], -1)[:n])
        return out

    def _top(self, scores):
        p = self._softmax(scores) if self._apply_softmax else scores.astype(np.float64)
        best = np.argsort(-p, kind="stable")[:min(self.top, p.size)]
        return ([int(i) for i in best], [self.model.label(int(i)) for i in best],
                [float(p[i]) for i in best])

    def __call__(self, batch):
        import pyarrow as pa
        paths = [_text(p) for p in batch["path"]]
        rows = {c: [None] * len(paths) for c in COLUMNS}
        rows["path"] = paths
        rows["worker"] = [self.worker] * len(paths)
        good, xs = [], []
        for i, (path, data) in enumerate(zip(paths, batch["bytes"])):
            t0 = time.perf_counter()
            x, err = self._prep(data, path)
            rows["prep_ms"][i] = (time.perf_counter() - t0) * 1e3
            if err is None:
                good.append(i)
                xs.append(x)
            else:
                rows["error"][i] = err
        t0 = time.perf_counter()
        ys = self._infer(xs) if xs else []
        share = (time.perf_counter() - t0) * 1e3 / max(1, len(xs))
        for i, y in zip(good, ys):
            rows["class_ids"][i], rows["labels"][i], rows["scores"][i] = self._top(y)
        for i in range(len(paths)):
            rows["infer_ms"][i] = share if rows["error"][i] is None else 0.0
        return pa.table(rows, schema=output_schema())
