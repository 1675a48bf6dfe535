/* select_ref.c — references for select.c: each output element's source is
 * found from its multi-index (odometer) through per-input strides (0 on
 * broadcast dims; Tile: the index modulo the input dim), then its bytes are
 * copied, so one loop serves every dtype. */
#include <string.h>

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
