/* shape_ops_ref.c — references for the ops of shape_ops.c: row-major layout
 * is unchanged by Reshape/Flatten/Squeeze/Unsqueeze/Identity, so they are one
 * byte copy; Shape writes dims as int64; Cast converts through double. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "ops_impl.h"

clcnn_status copy_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    size_t nb = ir_nbytes(ir_out(g, n, 0));
    if (nb && bufs[n->out[0]] != bufs[n->in[0]])
        memcpy(bufs[n->out[0]], bufs[n->in[0]], nb);
    return CLCNN_OK;
}

clcnn_status dropout_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    if (n->n_out > 1 && n->out[1] >= 0) /* inference keeps everything: mask all true */
        memset(bufs[n->out[1]], 1, ir_nbytes(ir_out(g, n, 1)));
    return copy_ref(g, n, bufs, err);
}

clcnn_status constant_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    const ir_attr *a = ir_attr_find(n, "value");
    void *y = bufs[n->out[0]];
    size_t nb = ir_nbytes(ir_out(g, n, 0));
    if (a && a->type == IR_ATTR_TENSOR && a->t >= 0) {
        if (!g->tensors[a->t].data)
            return op_fail(err, CLCNN_ERR_GRAPH, n, "value tensor has no data");
        memcpy(y, g->tensors[a->t].data, nb);
    } else if ((a = ir_attr_find(n, "value_float")) && a->type == IR_ATTR_FLOAT) {
        *(float *)y = a->f;
    } else if ((a = ir_attr_find(n, "value_int")) && a->type == IR_ATTR_INT) {
        *(int64_t *)y = a->i;
    } else if ((a = ir_attr_find(n, "value_floats")) && a->type == IR_ATTR_FLOATS) {
        memcpy(y, a->floats, nb);
    } else if ((a = ir_attr_find(n, "value_ints")) && a->type == IR_ATTR_INTS) {
        memcpy(y, a->ints, nb);
    } else {
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "has no value clcnn can read");
    }
    return CLCNN_OK;
}

clcnn_status shape_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    int s, e;
    shape_range(g, n, &s, &e);
    int64_t *y = bufs[n->out[0]];
    for (int d = s; d < e; d++)
        y[d - s] = ir_in(g, n, 0)->dims[d];
    return CLCNN_OK;
}

static double load(const void *p, int dt, int64_t i)
{
    switch (dt) {
    case IR_DT_FLOAT: return ((const float *)p)[i];
    case IR_DT_DOUBLE: return ((const double *)p)[i];
    case IR_DT_INT64: return (double)((const int64_t *)p)[i];
    case IR_DT_INT32: return ((const int32_t *)p)[i];
    case IR_DT_INT8: return ((const int8_t *)p)[i];
    default: return ((const uint8_t *)p)[i]; /* UINT8, BOOL */
    }
}

/* Float -> integer is truncation; out-of-range values saturate (C leaves that
 * undefined, so clamp first) and NaN becomes 0. */
static double clamp(double v, double lo, double hi)
{
    return isnan(v) ? 0 : (v < lo ? lo : (v > hi ? hi : trunc(v)));
}

clcnn_status cast_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    const ir_tensor *xt = ir_in(g, n, 0), *yt = ir_out(g, n, 0);
    const void *x = bufs[n->in[0]];
    void *y = bufs[n->out[0]];
    int64_t cnt = ir_numel(xt);
    for (int64_t i = 0; i < cnt; i++) {
        double v = load(x, xt->dtype, i);
        switch (yt->dtype) {
        case IR_DT_FLOAT: ((float *)y)[i] = (float)v; break;
        case IR_DT_DOUBLE: ((double *)y)[i] = v; break;
        case IR_DT_INT64:
            if (xt->dtype == IR_DT_INT64) /* exact: doubles lose bits past 2^53 */
                ((int64_t *)y)[i] = ((const int64_t *)x)[i];
            else
                ((int64_t *)y)[i] = (int64_t)clamp(v, -9223372036854775808.0, 9223372036854774784.0);
            break;
        case IR_DT_INT32: ((int32_t *)y)[i] = (int32_t)clamp(v, INT32_MIN, INT32_MAX); break;
        case IR_DT_INT8: ((int8_t *)y)[i] = (int8_t)clamp(v, INT8_MIN, INT8_MAX); break;
        case IR_DT_UINT8: ((uint8_t *)y)[i] = (uint8_t)clamp(v, 0, UINT8_MAX); break;
        case IR_DT_BOOL: ((uint8_t *)y)[i] = v != 0; break;
        default: return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "cast to dtype %d", yt->dtype);
        }
    }
    return CLCNN_OK;
}
