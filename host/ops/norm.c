/* norm.c — LayerNormalization (opset 17), InstanceNormalization (6),
 * GroupNormalization (18: scale/bias per group; 21: per channel) and LRN:
 * shape rules and the row geometry (norm.h) the reference and the OpenCL
 * launch share. MACs: ~5 per element (sum, square, scale, shift), counted as
 * numel; LRN: size per element. References: norm_ref.c. */
#include "norm.h"
#include "ops_impl.h"

/* Scale/bias of LayerNormalization: one element, or the normalised shape
 * itself (leading 1s allowed). Other broadcasts are refused: no exporter makes them. */
static clcnn_status ln_factor(const ir_graph *g, const ir_node *n, int k, int axis, int64_t D,
                              norm_idx *s, clcnn_err *err)
{
    const ir_tensor *t = ir_in(g, n, k), *x = ir_in(g, n, 0);
    s->rm = 1, s->rs = 0, s->jd = 1, s->js = 0;
    if (ir_numel(t) == 1)
        return CLCNN_OK;
    int ok = ir_numel(t) == D && t->ndim <= x->ndim;
    for (int d = 0; ok && d < t->ndim; d++) {
        int xd = x->ndim - t->ndim + d;
        ok = xd >= axis ? t->dims[d] == x->dims[xd] : t->dims[d] == 1;
    }
    if (!ok) {
        char a[128], b[128];
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "input %d '%s' has shape %s; expected the "
                       "normalised shape of %s from axis %d or one element", k, t->name,
                       ir_shape_str(t, a, sizeof a), ir_shape_str(x, b, sizeof b), axis);
    }
    s->js = 1;
    return CLCNN_OK;
}

/* A per-channel (or per-group) factor vector of exactly `want` elements. */
static clcnn_status vec_factor(const ir_graph *g, const ir_node *n, int k, int64_t want,
                               const char *what, clcnn_err *err)
{
    const ir_tensor *t = ir_in(g, n, k);
    if (t->ndim != 1 || t->dims[0] != want)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "input %d '%s' must have %lld elements (one per "
                       "%s), has %lld in %d dims", k, t->name, (long long)want, what,
                       (long long)ir_numel(t), t->ndim);
    return CLCNN_OK;
}

static clcnn_status stash_type(const ir_node *n, clcnn_err *err)
{
    int64_t st = ir_attr_int(n, "stash_type", 1);
    if (st != 1)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "attribute stash_type=%lld (only 1, float32 "
                       "statistics, is implemented)", (long long)st);
    return CLCNN_OK;
}

clcnn_status norm_geometry(const ir_graph *g, const ir_node *n, norm_geom *ng, clcnn_err *err)
{
    const ir_tensor *x = ir_in(g, n, 0);
    clcnn_status st;
    ng->has_bias = 1, ng->stats = 0;
    if (n->op == IR_OP_LAYERNORM) {
        int ax;
        if ((st = stash_type(n, err)) ||
            (st = op_axis(n, ir_attr_int(n, "axis", -1), x->ndim, "axis", &ax, err)))
            return st;
        ng->rows = 1, ng->D = 1;
        for (int d = 0; d < x->ndim; d++)
            *(d < ax ? &ng->rows : &ng->D) *= x->dims[d];
        ng->eps = ir_attr_float(n, "epsilon", 1e-5f);
        ng->has_bias = ir_in(g, n, 2) != NULL;
        ng->stats = (n->n_out > 1 && n->out[1] >= 0) || (n->n_out > 2 && n->out[2] >= 0);
        if ((st = ln_factor(g, n, 1, ax, ng->D, &ng->scale, err)))
            return st;
        ng->bias = ng->scale;
        return ng->has_bias ? ln_factor(g, n, 2, ax, ng->D, &ng->bias, err) : CLCNN_OK;
    }
    if (x->ndim < 3)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "input '%s' has rank %d; expected N x C x D1 ...",
                       x->name, x->ndim);
    int64_t N = x->dims[0], C = x->dims[1], S = 1;
    for (int d = 2; d < x->ndim; d++)
        S *= x->dims[d];
    if (n->op == IR_OP_INSTANCENORM) {
        if ((st = vec_factor(g, n, 1, C, "channel", err)) ||
            (st = vec_factor(g, n, 2, C, "channel", err)))
            return st;
        ng->rows = N * C, ng->D = S;
        ng->eps = ir_attr_float(n, "epsilon", 1e-5f);
        ng->scale = (norm_idx){C, 1, 1, 0};
        ng->bias = ng->scale;
        return CLCNN_OK;
    }
    /* GroupNormalization */
    int64_t G = ir_attr_int(n, "num_groups", 0);
    if (!ir_attr_find(n, "num_groups") || G <= 0 || C % G != 0)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "attribute num_groups=%lld must be given and "
                       "divide the %lld channels", (long long)G, (long long)C);
    if ((st = stash_type(n, err)))
        return st;
    int per_channel = g->opset >= 21;
    if ((st = vec_factor(g, n, 1, per_channel ? C : G, per_channel ? "channel" : "group", err)) ||
        (st = vec_factor(g, n, 2, per_channel ? C : G, per_channel ? "channel" : "group", err)))
        return st;
    ng->rows = N * G, ng->D = C / G * S;
    ng->eps = ir_attr_float(n, "epsilon", 1e-5f);
    ng->scale = per_channel ? (norm_idx){G, C / G, S > 0 ? S : 1, 1} : (norm_idx){G, 1, 1, 0};
    ng->bias = ng->scale;
    return CLCNN_OK;
}

static clcnn_status norm_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    int ln = n->op == IR_OP_LAYERNORM;
    if ((st = op_check_arity(n, ln ? 2 : 3, 3, 1, ln ? 3 : 1, err)))
        return st;
    for (int k = 0; k < n->n_in; k++)
        if ((st = op_need_float(g, n, k, err)))
            return st;
    norm_geom ng;
    if ((st = norm_geometry(g, n, &ng, err)))
        return st;
    const ir_tensor *x = ir_in(g, n, 0);
    op_set_out(g, n, 0, IR_DT_FLOAT, x->ndim, x->dims);
    if (ln) { /* Mean, InvStdDev: X's shape with the normalised dims 1 */
        int64_t dims[IR_MAX_DIMS];
        int ax;
        op_axis(n, ir_attr_int(n, "axis", -1), x->ndim, "axis", &ax, NULL);
        for (int d = 0; d < x->ndim; d++)
            dims[d] = d < ax ? x->dims[d] : 1;
        for (int k = 1; k < n->n_out; k++)
            if (n->out[k] >= 0)
                op_set_out(g, n, k, IR_DT_FLOAT, x->ndim, dims);
    }
    return CLCNN_OK;
}

static int64_t norm_macs(const ir_graph *g, const ir_node *n)
{
    return ir_numel(ir_in(g, n, 0));
}

static clcnn_status lrn_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    if ((st = op_check_arity(n, 1, 1, 1, 1, err)) || (st = op_need_float(g, n, 0, err)))
        return st;
    const ir_tensor *x = ir_in(g, n, 0);
    if (x->ndim < 3)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "input '%s' has rank %d; expected N x C x D1 ...",
                       x->name, x->ndim);
    if (ir_attr_int(n, "size", 0) <= 0)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "attribute size must be given and positive (is %lld)",
                       (long long)ir_attr_int(n, "size", 0));
    op_set_out(g, n, 0, IR_DT_FLOAT, x->ndim, x->dims);
    return CLCNN_OK;
}

static int64_t lrn_macs(const ir_graph *g, const ir_node *n)
{
    return ir_numel(ir_in(g, n, 0)) * ir_attr_int(n, "size", 1);
}

const op_def op_def_LAYERNORM = {
    .opset_min = 17, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"axis", OP_A_INT}, {"epsilon", OP_A_FLOAT}, {"stash_type", OP_A_INT}),
    .infer = norm_infer, .ref = norm_ref, .macs = norm_macs, .cl = OP_CL_KERNEL,
};
const op_def op_def_INSTANCENORM = {
    .opset_min = 6, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"epsilon", OP_A_FLOAT}),
    .infer = norm_infer, .ref = norm_ref, .macs = norm_macs, .cl = OP_CL_KERNEL,
};
const op_def op_def_GROUPNORM = {
    .opset_min = 18, .opset_max = OP_OPSET_LATEST, /* 18: factors per group; 21 on: per channel */
    .attrs = OP_ATTRS({"epsilon", OP_A_FLOAT}, {"num_groups", OP_A_INT}, {"stash_type", OP_A_INT}),
    .infer = norm_infer, .ref = norm_ref, .macs = norm_macs, .cl = OP_CL_KERNEL,
};
const op_def op_def_LRN = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"alpha", OP_A_FLOAT}, {"beta", OP_A_FLOAT}, {"bias", OP_A_FLOAT},
                      {"size", OP_A_INT}),
    .infer = lrn_infer, .ref = lrn_ref, .macs = lrn_macs, .cl = OP_CL_KERNEL,
};
