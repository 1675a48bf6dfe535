/* generate_ref.c — references for generate.c: ConstantOfShape repeats one
 * element's bytes; Range adds delta to the previous value (the spec's loop),
 * in int64 for integer dtypes and in the output's float type otherwise. */
#include <string.h>

#include "elem.h"
#include "ops_impl.h"

clcnn_status constant_of_shape_ref(const ir_graph *g, const ir_node *n, void *const *bufs,
                                   clcnn_err *err)
{
    int vt;
    clcnn_status st = cos_value(g, n, &vt, err);
    if (st)
        return st;
    const ir_tensor *y = ir_out(g, n, 0);
    const size_t es = ir_dtype_size(y->dtype);
    const float zero = 0.0f;
    const void *v = vt >= 0 ? g->tensors[vt].data : &zero;
    unsigned char *p = bufs[n->out[0]];
    for (int64_t i = 0, cnt = ir_numel(y); i < cnt; i++)
        memcpy(p + (size_t)i * es, v, es);
    return CLCNN_OK;
}

clcnn_status range_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    int64_t cnt;
    clcnn_status st = range_count(g, n, &cnt, err);
    if (st)
        return st;
    const int dt = ir_out(g, n, 0)->dtype;
    const void *s = bufs[n->in[0]], *d = bufs[n->in[2]];
    void *y = bufs[n->out[0]];
    if (elem_is_int(dt)) {
        int64_t v = elem_get_i(s, dt, 0), step = elem_get_i(d, dt, 0);
        for (int64_t i = 0; i < cnt; i++, v = (int64_t)((uint64_t)v + (uint64_t)step))
            elem_set_i(y, dt, i, v);
        return CLCNN_OK;
    }
    /* the spec's loop adds delta to the previous value in the output type, so
     * float32 accumulates its rounding as onnxruntime's does */
    double v = elem_get_f(s, dt, 0), step = elem_get_f(d, dt, 0);
    for (int64_t i = 0; i < cnt; i++) {
        elem_set_f(y, dt, i, v);
        v = dt == IR_DT_FLOAT ? (double)((float)v + (float)step) : v + step;
    }
    return CLCNN_OK;
}
