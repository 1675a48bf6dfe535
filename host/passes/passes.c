/* passes.c — the order passes run in. Pad folding first (it only renames a
 * Conv input), then BN folding (it needs Conv -> BN adjacency). */
#include "passes.h"

clcnn_status passes_run(ir_graph *g, passes_report *rep, clcnn_err *err)
{
    passes_report r = {0};
    clcnn_status st = pass_fold_pad(g, &r.pads_folded, err);
    if (st == CLCNN_OK)
        st = pass_fold_bn(g, &r.bn_folded, err);
    if (rep)
        *rep = r;
    return st;
}
