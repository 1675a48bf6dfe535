/* movement_ref.c — references for Transpose, Concat, Split, Slice, Gather,
 * Pad. Each walks the output (or input) one element at a time with an
 * explicit multi-index and copies esz bytes, so every dtype works the same. */
#include <string.h>

#include "elem.h"
#include "ops_impl.h"

/* Advances a row-major multi-index; returns 0 after the last one. */
static int next_index(int64_t *idx, const int64_t *dims, int nd)
{
    for (int d = nd - 1; d >= 0; d--) {
        if (++idx[d] < dims[d])
            return 1;
        idx[d] = 0;
    }
    return 0;
}

clcnn_status transpose_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    int perm[IR_MAX_DIMS];
    clcnn_status st = transpose_perm(g, n, perm, err);
    if (st)
        return st;
    const ir_tensor *xt = ir_in(g, n, 0), *yt = ir_out(g, n, 0);
    size_t esz = ir_dtype_size(xt->dtype);
    const char *x = bufs[n->in[0]];
    char *y = bufs[n->out[0]];
    int64_t xs[IR_MAX_DIMS], idx[IR_MAX_DIMS] = {0}, cnt = ir_numel(yt);
    op_strides(xt->ndim, xt->dims, xs);
    /* y[i0..ik] = x[j] with j's dim perm[d] equal to i_d */
    for (int64_t i = 0; i < cnt; i++) {
        int64_t src = 0;
        for (int d = 0; d < yt->ndim; d++)
            src += idx[d] * xs[perm[d]];
        memcpy(y + (size_t)i * esz, x + (size_t)src * esz, esz);
        next_index(idx, yt->dims, yt->ndim);
    }
    return CLCNN_OK;
}

/* Copies input slabs: outer x (dim_k * inner) blocks, one input after another. */
clcnn_status concat_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    const ir_tensor *yt = ir_out(g, n, 0);
    int ax;
    clcnn_status st = op_axis(n, ir_attr_int(n, "axis", 0), yt->ndim, "axis", &ax, err);
    if (st)
        return st;
    size_t esz = ir_dtype_size(yt->dtype);
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < ax; d++)
        outer *= yt->dims[d];
    for (int d = ax + 1; d < yt->ndim; d++)
        inner *= yt->dims[d];
    char *y = bufs[n->out[0]];
    int64_t off = 0; /* position along the axis where input k starts */
    for (int k = 0; k < n->n_in; k++) {
        const ir_tensor *t = ir_in(g, n, k);
        const char *x = bufs[n->in[k]];
        int64_t len = t->dims[ax];
        for (int64_t o = 0; o < outer; o++)
            memcpy(y + (size_t)((o * yt->dims[ax] + off) * inner) * esz,
                   x + (size_t)(o * len * inner) * esz, (size_t)(len * inner) * esz);
        off += len;
    }
    return CLCNN_OK;
}

clcnn_status split_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    const ir_tensor *xt = ir_in(g, n, 0);
    int64_t sizes[IR_MAX_DIMS * 64];
    int ax;
    if (n->n_out > (int)(sizeof sizes / sizeof sizes[0]))
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "too many outputs (%d)", n->n_out);
    clcnn_status st = split_sizes(g, n, &ax, sizes, err);
    if (st)
        return st;
    size_t esz = ir_dtype_size(xt->dtype);
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < ax; d++)
        outer *= xt->dims[d];
    for (int d = ax + 1; d < xt->ndim; d++)
        inner *= xt->dims[d];
    const char *x = bufs[n->in[0]];
    int64_t off = 0;
    for (int k = 0; k < n->n_out; k++) {
        if (n->out[k] >= 0) {
            char *y = bufs[n->out[k]];
            for (int64_t o = 0; o < outer; o++)
                memcpy(y + (size_t)(o * sizes[k] * inner) * esz,
                       x + (size_t)((o * xt->dims[ax] + off) * inner) * esz,
                       (size_t)(sizes[k] * inner) * esz);
        }
        off += sizes[k];
    }
    return CLCNN_OK;
}

clcnn_status slice_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    int64_t start[IR_MAX_DIMS], step[IR_MAX_DIMS], count[IR_MAX_DIMS];
    clcnn_status st = slice_params(g, n, start, step, count, err);
    if (st)
        return st;
    const ir_tensor *xt = ir_in(g, n, 0), *yt = ir_out(g, n, 0);
    size_t esz = ir_dtype_size(xt->dtype);
    const char *x = bufs[n->in[0]];
    char *y = bufs[n->out[0]];
    int64_t xs[IR_MAX_DIMS], idx[IR_MAX_DIMS] = {0}, cnt = ir_numel(yt);
    op_strides(xt->ndim, xt->dims, xs);
    for (int64_t i = 0; i < cnt; i++) {
        int64_t src = 0; /* output index i_d reads input start_d + i_d * step_d */
        for (int d = 0; d < xt->ndim; d++)
            src += (start[d] + idx[d] * step[d]) * xs[d];
        memcpy(y + (size_t)i * esz, x + (size_t)src * esz, esz);
        next_index(idx, count, xt->ndim);
    }
    return CLCNN_OK;
}

/* y[outer, j, inner] = x[outer, indices[j], inner]; negative indices wrap once. */
clcnn_status gather_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    const ir_tensor *xt = ir_in(g, n, 0), *it = ir_in(g, n, 1);
    int ax;
    clcnn_status st = op_axis(n, ir_attr_int(n, "axis", 0), xt->ndim, "axis", &ax, err);
    if (st)
        return st;
    size_t esz = ir_dtype_size(xt->dtype);
    int64_t outer = 1, inner = 1, dim = xt->dims[ax], ni = ir_numel(it);
    for (int d = 0; d < ax; d++)
        outer *= xt->dims[d];
    for (int d = ax + 1; d < xt->ndim; d++)
        inner *= xt->dims[d];
    const char *x = bufs[n->in[0]];
    char *y = bufs[n->out[0]];
    for (int64_t j = 0; j < ni; j++) {
        int64_t k = it->dtype == IR_DT_INT64 ? ((const int64_t *)bufs[n->in[1]])[j]
                                             : ((const int32_t *)bufs[n->in[1]])[j];
        if (k < -dim || k >= dim)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "index %lld is out of range for axis size %lld",
                           (long long)k, (long long)dim);
        k = k < 0 ? k + dim : k;
        for (int64_t o = 0; o < outer; o++)
            memcpy(y + (size_t)((o * ni + j) * inner) * esz, x + (size_t)((o * dim + k) * inner) * esz,
                   (size_t)inner * esz);
    }
    return CLCNN_OK;
}

/* GatherND: each index tuple names one slice of its batch's data; bytes are copied. */
clcnn_status gathernd_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    const ir_tensor *xt = ir_in(g, n, 0);
    gathernd_geom geo;
    clcnn_status st = gathernd_geometry(g, n, &geo, err);
    if (st)
        return st;
    size_t esz = ir_dtype_size(xt->dtype);
    int64_t per_batch = geo.slice; /* data elements per batch */
    for (int d = geo.b; d < geo.b + geo.k; d++)
        per_batch *= xt->dims[d];
    const char *x = bufs[n->in[0]];
    const int64_t *ix = bufs[n->in[1]];
    char *y = bufs[n->out[0]];
    for (int64_t bi = 0; bi < geo.batch; bi++)
        for (int64_t j = 0; j < geo.ntup; j++) {
            const int64_t *t = ix + (bi * geo.ntup + j) * geo.k;
            int64_t off = 0;
            for (int m = 0; m < geo.k; m++) {
                int64_t len = xt->dims[geo.b + m], v = t[m];
                if (v < -len || v >= len)
                    return op_fail(err, CLCNN_ERR_SHAPE, n, "index %lld is out of range for dim "
                                   "size %lld", (long long)v, (long long)len);
                off = off * len + (v < 0 ? v + len : v);
            }
            memcpy(y + (size_t)((bi * geo.ntup + j) * geo.slice) * esz,
                   x + (size_t)(bi * per_batch + off * geo.slice) * esz, (size_t)geo.slice * esz);
        }
    return CLCNN_OK;
}

/* Maps a padded coordinate back into [0, len) for reflect/edge, or -1 for constant. */
static int64_t pad_source(int64_t i, int64_t len, pad_mode mode)
{
    if (i >= 0 && i < len)
        return i;
    if (mode == PAD_CONSTANT)
        return -1;
    if (mode == PAD_EDGE || len == 1)
        return i < 0 ? 0 : len - 1;
    while (i < 0 || i >= len) /* reflect about the first/last element (no repeat) */
        i = i < 0 ? -i : 2 * (len - 1) - i;
    return i;
}

clcnn_status pad_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    int64_t pads[2 * IR_MAX_DIMS];
    pad_mode mode;
    double value;
    int value_rt;
    clcnn_status st = pad_params(g, n, pads, &mode, &value, &value_rt, err);
    if (st)
        return st;
    const ir_tensor *xt = ir_in(g, n, 0), *yt = ir_out(g, n, 0);
    size_t esz = ir_dtype_size(xt->dtype);
    uint64_t word = 0; /* the constant in the tensor's own dtype (elem.h: any), aligned */
    unsigned char fill[8];
    elem_set_f(&word, xt->dtype, 0, value);
    memcpy(fill, &word, sizeof fill);
    if (value_rt) /* fed at run time: one element of x's dtype (pad_params checked) */
        memcpy(fill, bufs[n->in[2]], esz);
    const char *x = bufs[n->in[0]];
    char *y = bufs[n->out[0]];
    int r = xt->ndim;
    int64_t xs[IR_MAX_DIMS], idx[IR_MAX_DIMS] = {0}, cnt = ir_numel(yt);
    op_strides(r, xt->dims, xs);
    for (int64_t i = 0; i < cnt; i++) {
        int64_t src = 0;
        for (int d = 0; d < r && src >= 0; d++) {
            int64_t s = pad_source(idx[d] - pads[d], xt->dims[d], mode);
            src = s < 0 ? -1 : src + s * xs[d];
        }
        memcpy(y + (size_t)i * esz, src < 0 ? (const char *)fill : x + (size_t)src * esz, esz);
        next_index(idx, yt->dims, r);
    }
    return CLCNN_OK;
}
