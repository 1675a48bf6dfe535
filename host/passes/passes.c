/* passes.c — the order passes run in. The training-mode checks and rewrites
 * first (a training BN must be spelled out before BN folding looks at it),
 * then the spatial ReduceMean as GlobalAveragePool (after them: a training BN
 * spells its statistics as ReduceMeans over axes {0, 2, 3}, which stay), then
 * Pad folding (it only renames a Conv input), then BN folding (it needs
 * Conv -> BN adjacency). */
#include "passes.h"

clcnn_status passes_run(ir_graph *g, passes_report *rep, clcnn_err *err)
{
    passes_report r = {0};
    clcnn_status st = pass_dropout_training(g, err);
    if (st == CLCNN_OK)
        st = pass_bn_training(g, &r.bn_training, err);
    if (st == CLCNN_OK)
        st = pass_mean_to_pool(g, &r.means_pooled, err);
    if (st == CLCNN_OK)
        st = pass_fold_pad(g, &r.pads_folded, err);
    if (st == CLCNN_OK)
        st = pass_fold_bn(g, &r.bn_folded, err);
    if (rep)
        *rep = r;
    return st;
}
