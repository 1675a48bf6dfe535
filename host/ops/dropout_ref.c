/* dropout_ref.c — reference Dropout: y = x, mask (when asked for) all true.
 * A training node whose ratio is fed at run time (dropout.c let it load)
 * is checked here each run: any ratio but 0 fails the run, naming the node. */
#include <string.h>

#include "ops_impl.h"

clcnn_status dropout_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    if (dropout_runtime_ratio(g, n)) {
        float r = *(const float *)bufs[n->in[1]]; /* a float32 scalar: dropout.c checked */
        if (r != 0.0f)
            return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "ratio '%s' is %g at run time with "
                           "training_mode true: training drops elements at random; clcnn runs "
                           "training-mode Dropout only with ratio 0", ir_in(g, n, 1)->name, (double)r);
    }
    if (n->n_out > 1 && n->out[1] >= 0) /* nothing dropped: mask all true */
        memset(bufs[n->out[1]], 1, ir_nbytes(ir_out(g, n, 1)));
    return copy_ref(g, n, bufs, err);
}
