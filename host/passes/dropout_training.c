/* dropout_training.c — pass_dropout_training: the OpenCL path's refusal of a
 * training-mode Dropout whose ratio is fed at run time. The loader lets such
 * a node in because ratio 0 is deterministic (y = x) and the reference
 * checks the value each run (ops/dropout_ref.c). The OpenCL plan runs
 * Dropout as a view of its input, with no host step that could read the
 * ratio before the run's one sync, so it would ignore a nonzero ratio:
 * refused here, at load, naming the node and the way that runs it. A
 * constant ratio was settled by the loader (0 runs, anything else refused). */
#include "passes.h"

/* 1 when input k of n is a constant bool true. */
static int const_true(const ir_graph *g, const ir_node *n, int k)
{
    if (k >= n->n_in || n->in[k] < 0)
        return 0;
    const ir_tensor *t = &g->tensors[n->in[k]];
    return t->data && t->dtype == IR_DT_BOOL && ir_numel(t) == 1 && *(const unsigned char *)t->data;
}

clcnn_status pass_dropout_training(ir_graph *g, clcnn_err *err)
{
    for (int i = 0; i < g->n_nodes; i++) {
        const ir_node *n = &g->nodes[i];
        if (n->op != IR_OP_DROPOUT || !const_true(g, n, 2) || n->n_in < 2 || n->in[1] < 0 ||
            g->tensors[n->in[1]].data)
            continue;
        return err_set(err, CLCNN_ERR_UNSUPPORTED,
                       "node '%s' (Dropout): training_mode is true and ratio '%s' is fed at run time: "
                       "only ratio 0 is deterministic and the OpenCL path cannot check the value; "
                       "this runs on the reference backend only (--device ref), which checks it each run",
                       n->name, g->tensors[n->in[1]].name);
    }
    return CLCNN_OK;
}
