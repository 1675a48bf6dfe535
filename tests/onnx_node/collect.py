"""collect.py — which ONNX backend node tests the suite runs, and their data.

The `onnx` wheel does not ship the node-test directories any more
(onnx/backend/test/data/node is absent from the installed package), so the
tests are generated at run time by the package's own collector,
onnx.backend.test.case.node.collect_testcases(): each TestCase carries the
model and the expected outputs that onnx's numpy code computed. clcnn never
produces an expected value here.

A test belongs to the op of its single node. A function-expanded variant
("..._expanded", the op written as its ONNX function body) belongs to the op
it expands, and is selected only when clcnn claims every op of that body;
the ones left out are counted and printed with the unclaimed ops, never
dropped silently.

The node tests feed every operand at run time, the shape of Reshape and the
indices of Gather included. Integer and bool operands after the first input
(shapes, axes, pads, indices, repeats, training_mode) become initializers,
as exporters write them and as clcnn's load-time shape planning needs them
(an output shape decided by a graph input is refused: shape-operand). The
first (data) input and every floating operand stay graph inputs, so integer
data and run-time float operands (Clip's min/max) meet clcnn as shipped."""
import copy
import dataclasses
import os
import re
import warnings

import numpy as np
from onnx import TensorProto, numpy_helper

# X(ENUM, "OnnxName") lines of host/core/op_list.h: the ops clcnn claims
OP_LINE = re.compile(r'^\s*X\(\s*\w+\s*,\s*"(\w+)"\s*\)', re.M)


@dataclasses.dataclass
class NodeTest:
    name: str
    op: str             # the op the test belongs to
    expanded: bool      # a function-body variant of `op`
    model: object       # onnx.ModelProto
    inputs: list        # numpy arrays, in graph-input order
    outputs: list       # expected numpy arrays (onnx's), in graph-output order
    float32: bool       # counts towards the float32 pass rate (see is_float32)


def claimed_ops(source_dir):
    """Op names from host/core/op_list.h, in list order; ops that others add
    there are picked up without touching this suite."""
    path = os.path.join(source_dir, "host", "core", "op_list.h")
    with open(path, encoding="utf-8") as f:
        ops = OP_LINE.findall(f.read())
    if not ops:
        raise RuntimeError(f"{path}: no X(ENUM, \"Name\") lines found")
    return ops


def to_array(v):
    """A test's input/output as a numpy array; None for what clcnn cannot be
    fed (sequences, optionals)."""
    if isinstance(v, TensorProto):
        return numpy_helper.to_array(v)
    if isinstance(v, np.ndarray):
        return v
    if isinstance(v, np.generic):
        return np.asarray(v)
    return None


def is_float32(inputs, outputs):
    """A float32 test: every output is float32 and so is the first input (the
    data operand). Index and shape operands (Gather's indices, Pad's pads,
    Reshape's shape) may be integers; a test with an integer, bool, fp16 or
    double data path or output (integer Add, MaxPool's Indices, Cast to
    double, Shape) is not one."""
    if any(o is None or o.dtype != np.float32 for o in outputs):
        return False
    return not inputs or (inputs[0] is not None and inputs[0].dtype == np.float32)


def bake_operands(model, inputs):
    """(model, inputs) with the integer/bool operands after input 0 turned
    into initializers of the same name, value and dtype."""
    keep = [k for k, a in enumerate(inputs)
            if k == 0 or a is None or not (np.issubdtype(a.dtype, np.integer) or a.dtype == np.bool_)]
    if len(keep) == len(inputs):
        return model, inputs
    m = copy.deepcopy(model)
    graph_inputs = [copy.deepcopy(vi) for vi in m.graph.input]
    del m.graph.input[:]
    for k, vi in enumerate(graph_inputs):
        if k in keep:
            m.graph.input.append(vi)
        else:
            m.graph.initializer.append(numpy_helper.from_array(inputs[k], vi.name))
    return m, [inputs[k] for k in keep]


def _all_testcases():
    # The generators print numpy warnings (divide by zero on purpose for
    # their -inf cases); they are not ours to report.
    from onnx.backend.test.case import node as onnx_node
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return onnx_node.collect_testcases()


def collect(claimed):
    """(selected NodeTests, [(name, unclaimed ops)] of the expanded tests left out)."""
    claimed = set(claimed)
    cases = _all_testcases()
    main_op = {tc.name: tc.model.graph.node[0].op_type
               for tc in cases if "_expanded" not in tc.name and len(tc.model.graph.node) == 1}
    selected, left_out = [], []
    for tc in cases:
        expanded = "_expanded" in tc.name
        op = main_op.get(tc.name.split("_expanded")[0] if expanded else tc.name)
        if op not in claimed:
            continue
        body_ops = {n.op_type for n in tc.model.graph.node}
        if expanded and not body_ops <= claimed:
            left_out.append((tc.name, sorted(body_ops - claimed)))
            continue
        (ins, outs), = tc.data_sets
        ins = [to_array(v) for v in ins]
        outs = [to_array(v) for v in outs]
        f32 = is_float32(ins, outs)
        model, ins = bake_operands(tc.model, ins)
        selected.append(NodeTest(tc.name, op, expanded, model, ins, outs, f32))
    return selected, left_out
