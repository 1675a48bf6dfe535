/* reduce_ref.c — reference Reduce* and ArgMax/ArgMin. Reduce: each input
 * element is mapped to the output slot its index lands in (reduced dims
 * dropped) and folded into it in double: sums, sums of |x| or x^2, products,
 * max/min; LogSumExp takes each slot's max first and sums exp(x - max).
 * Arg*: a walk along the axis keeping the first (or last) extreme. */
#include <math.h>
#include <stdlib.h>

#include "ops_impl.h"

/* slot[i]: the output element input element i folds into. */
static void reduce_slots(const ir_tensor *xt, const int *mask, int64_t *slot)
{
    int64_t idx[IR_MAX_DIMS] = {0}, nx = ir_numel(xt);
    for (int64_t i = 0; i < nx; i++) {
        int64_t o = 0; /* flat index over the kept dims, row-major */
        for (int d = 0; d < xt->ndim; d++)
            if (!mask[d])
                o = o * xt->dims[d] + idx[d];
        slot[i] = o;
        for (int d = xt->ndim - 1; d >= 0; d--) {
            if (++idx[d] < xt->dims[d])
                break;
            idx[d] = 0;
        }
    }
}

clcnn_status reduce_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    int mask[IR_MAX_DIMS], none;
    clcnn_status st = reduce_axes(g, n, mask, &none, err);
    if (st)
        return st;
    const ir_tensor *xt = ir_in(g, n, 0), *yt = ir_out(g, n, 0);
    const float *x = bufs[n->in[0]];
    float *y = bufs[n->out[0]];
    const int64_t ny = ir_numel(yt), nx = ir_numel(xt);
    double *acc = malloc((size_t)(ny ? ny : 1) * sizeof *acc);
    double *mx = malloc((size_t)(ny ? ny : 1) * sizeof *mx);
    int64_t *slot = malloc((size_t)(nx ? nx : 1) * sizeof *slot);
    if (!acc || !mx || !slot) {
        free(acc), free(mx), free(slot);
        return op_fail(err, CLCNN_ERR_OUT_OF_MEMORY, n, "out of memory");
    }
    reduce_slots(xt, mask, slot);
    const ir_op op = n->op;
    const double init = op == IR_OP_REDUCEPROD ? 1.0 : op == IR_OP_REDUCEMAX ? -INFINITY
                        : op == IR_OP_REDUCEMIN ? INFINITY : 0.0;
    for (int64_t o = 0; o < ny; o++)
        acc[o] = init, mx[o] = -INFINITY;
    if (op == IR_OP_REDUCELOGSUMEXP)
        for (int64_t i = 0; i < nx; i++)
            mx[slot[i]] = fmax(mx[slot[i]], x[i]);
    for (int64_t i = 0; i < nx; i++) {
        const double v = x[i];
        double *a = &acc[slot[i]];
        switch (op) {
        case IR_OP_REDUCEPROD: *a *= v; break;
        case IR_OP_REDUCEMAX: *a = v > *a ? v : *a; break;
        case IR_OP_REDUCEMIN: *a = v < *a ? v : *a; break;
        case IR_OP_REDUCEL1: *a += fabs(v); break;
        case IR_OP_REDUCEL2:
        case IR_OP_REDUCESUMSQUARE: *a += v * v; break;
        case IR_OP_REDUCELOGSUMEXP: *a += exp(v - mx[slot[i]]); break;
        default: *a += v; break; /* Sum, Mean */
        }
    }
    const int64_t per = ny ? nx / ny : 0;
    for (int64_t o = 0; o < ny; o++) {
        double r = acc[o];
        if (op == IR_OP_REDUCEMEAN && per)
            r /= (double)per;
        else if (op == IR_OP_REDUCEL2)
            r = sqrt(r);
        else if (op == IR_OP_REDUCELOGSUMEXP)
            r = isinf(mx[o]) ? mx[o] : mx[o] + log(r);
        y[o] = (float)r;
    }
    free(acc), free(mx), free(slot);
    return CLCNN_OK;
}

clcnn_status arg_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    int ax;
    clcnn_status st = arg_axis(g, n, &ax, err);
    if (st)
        return st;
    const ir_tensor *xt = ir_in(g, n, 0);
    const float *x = bufs[n->in[0]];
    int64_t *y = bufs[n->out[0]];
    int64_t outer = 1, R = xt->dims[ax], inner = 1;
    for (int d = 0; d < xt->ndim; d++)
        *(d < ax ? &outer : &inner) *= d == ax ? 1 : xt->dims[d];
    const int last = ir_attr_int(n, "select_last_index", 0) != 0, is_max = n->op == IR_OP_ARGMAX;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t j = 0; j < inner; j++) {
            const float *p = x + o * R * inner + j;
            int64_t best = 0;
            for (int64_t r = 1; r < R; r++) {
                const float v = p[r * inner], b = p[best * inner];
                if (is_max ? v > b || (last && v == b) : v < b || (last && v == b))
                    best = r;
            }
            y[o * inner + j] = best;
        }
    return CLCNN_OK;
}
