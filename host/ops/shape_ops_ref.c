/* shape_ops_ref.c — references for the ops of shape_ops.c: row-major layout
 * is unchanged by Reshape/Flatten/Squeeze/Unsqueeze/Identity, so they are one
 * byte copy; Shape writes dims as int64. */
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
