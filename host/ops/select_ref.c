/* select_ref.c — references for select.c: each output element's source is
 * found from its multi-index (odometer) through per-input strides (0 on
 * broadcast dims; Tile: the index modulo the input dim), then its bytes are
 * copied, so one loop serves every dtype. ScatterND and Trilu (reference only)
 * likewise copy bytes; ScatterND's reductions combine in int64 or double. */
#include <string.h>

#include "elem.h"
#include "ops_impl.h"

clcnn_status where_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    const ir_tensor *yt = ir_out(g, n, 0);
    const int nd = yt->ndim;
    const size_t es = ir_dtype_size(yt->dtype);
    int64_t s[3][IR_MAX_DIMS], off[3] = {0}, idx[IR_MAX_DIMS] = {0};
    for (int k = 0; k < 3; k++)
        op_bcast_strides(ir_in(g, n, k), nd, yt->dims, s[k]);
    const uint8_t *c = bufs[n->in[0]];
    const unsigned char *x = bufs[n->in[1]], *y = bufs[n->in[2]];
    unsigned char *out = bufs[n->out[0]];
    for (int64_t i = 0, cnt = ir_numel(yt); i < cnt; i++) {
        const unsigned char *src = c[off[0]] ? x + (size_t)off[1] * es : y + (size_t)off[2] * es;
        memcpy(out + (size_t)i * es, src, es);
        for (int d = nd - 1; d >= 0; d--) {
            for (int k = 0; k < 3; k++)
                off[k] += s[k][d];
            if (++idx[d] < yt->dims[d])
                break;
            for (int k = 0; k < 3; k++)
                off[k] -= s[k][d] * idx[d];
            idx[d] = 0;
        }
    }
    return CLCNN_OK;
}

clcnn_status expand_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    const ir_tensor *xt = ir_in(g, n, 0), *yt = ir_out(g, n, 0);
    const int nd = yt->ndim;
    const size_t es = ir_dtype_size(yt->dtype);
    int64_t s[IR_MAX_DIMS], off = 0, idx[IR_MAX_DIMS] = {0};
    op_bcast_strides(xt, nd, yt->dims, s);
    const unsigned char *x = bufs[n->in[0]];
    unsigned char *y = bufs[n->out[0]];
    for (int64_t i = 0, cnt = ir_numel(yt); i < cnt; i++) {
        memcpy(y + (size_t)i * es, x + (size_t)off * es, es);
        for (int d = nd - 1; d >= 0; d--) {
            off += s[d];
            if (++idx[d] < yt->dims[d])
                break;
            off -= s[d] * idx[d];
            idx[d] = 0;
        }
    }
    return CLCNN_OK;
}

clcnn_status tile_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    const ir_tensor *xt = ir_in(g, n, 0), *yt = ir_out(g, n, 0);
    const int nd = yt->ndim;
    const size_t es = ir_dtype_size(yt->dtype);
    int64_t s[IR_MAX_DIMS], idx[IR_MAX_DIMS] = {0};
    op_strides(nd, xt->dims, s);
    const unsigned char *x = bufs[n->in[0]];
    unsigned char *y = bufs[n->out[0]];
    for (int64_t i = 0, cnt = ir_numel(yt); i < cnt; i++) {
        int64_t off = 0;
        for (int d = 0; d < nd; d++)
            off += (idx[d] % xt->dims[d]) * s[d];
        memcpy(y + (size_t)i * es, x + (size_t)off * es, es);
        for (int d = nd - 1; d >= 0; d--) {
            if (++idx[d] < yt->dims[d])
                break;
            idx[d] = 0;
        }
    }
    return CLCNN_OK;
}

/* One element of y combined with one of u (both dtype dt) by reduction red
 * (1 add, 2 mul, 3 max, 4 min), in int64 for integers and double for floats. */
static void combine(void *y, const void *u, int dt, int64_t iy, int64_t iu, int red)
{
    if (elem_is_float(dt)) {
        double a = elem_get_f(y, dt, iy), b = elem_get_f(u, dt, iu);
        elem_set_f(y, dt, iy, red == 1 ? a + b : red == 2 ? a * b : red == 3 ? (a > b ? a : b)
                                                                              : (a < b ? a : b));
    } else {
        int64_t a = elem_get_i(y, dt, iy), b = elem_get_i(u, dt, iu);
        elem_set_i(y, dt, iy, red == 1   ? (int64_t)((uint64_t)a + (uint64_t)b)
                              : red == 2 ? (int64_t)((uint64_t)a * (uint64_t)b)
                              : red == 3 ? (a > b ? a : b)
                                         : (a < b ? a : b));
    }
}

clcnn_status scatternd_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    int k, red;
    int64_t slice;
    clcnn_status st = scatternd_geometry(g, n, &k, &slice, &red, err);
    if (st)
        return st;
    const ir_tensor *xt = ir_in(g, n, 0), *it = ir_in(g, n, 1);
    const size_t es = ir_dtype_size(xt->dtype);
    const int64_t *idx = bufs[n->in[1]];
    const unsigned char *u = bufs[n->in[2]];
    unsigned char *y = bufs[n->out[0]];
    int64_t xs[IR_MAX_DIMS];
    op_strides(xt->ndim, xt->dims, xs);
    memcpy(y, bufs[n->in[0]], ir_nbytes(xt));
    for (int64_t j = 0, nt = ir_numel(it) / k; j < nt; j++) {
        int64_t off = 0;
        for (int d = 0; d < k; d++) {
            int64_t v = idx[j * k + d];
            v = v < 0 ? v + xt->dims[d] : v; /* negative indices count from the end */
            if (v < 0 || v >= xt->dims[d])
                return op_fail(err, CLCNN_ERR_INVALID_ARG, n, "index %lld out of range for dim %d "
                               "of size %lld", (long long)idx[j * k + d], d, (long long)xt->dims[d]);
            off += v * xs[d];
        }
        if (red == 0)
            memcpy(y + (size_t)off * es, u + (size_t)(j * slice) * es, (size_t)slice * es);
        else
            for (int64_t e = 0; e < slice; e++)
                combine(y, u, xt->dtype, off + e, j * slice + e, red);
    }
    return CLCNN_OK;
}

clcnn_status trilu_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    int64_t k;
    clcnn_status st = trilu_k(g, n, &k, err);
    if (st)
        return st;
    const ir_tensor *xt = ir_in(g, n, 0);
    const int upper = ir_attr_int(n, "upper", 1) != 0;
    const int64_t rows = xt->dims[xt->ndim - 2], cols = xt->dims[xt->ndim - 1];
    const size_t es = ir_dtype_size(xt->dtype);
    const unsigned char *x = bufs[n->in[0]];
    unsigned char *y = bufs[n->out[0]];
    for (int64_t i = 0, cnt = ir_numel(xt); i < cnt; i++) {
        const int64_t c = i % cols, r = (i / cols) % rows;
        /* upper keeps j - i >= k, lower keeps j - i <= k */
        const int keep = upper ? c - r >= k : c - r <= k;
        if (keep)
            memcpy(y + (size_t)i * es, x + (size_t)i * es, es);
        else
            memset(y + (size_t)i * es, 0, es);
    }
    return CLCNN_OK;
}
