/* fuse_internal.h — what the fusion passes (fuse_*.c) share: graph queries in
 * terms of a fuse_groups table being filled. Not for other rooms. */
#ifndef CLCNN_PASSES_FUSE_INTERNAL_H
#define CLCNN_PASSES_FUSE_INTERNAL_H

#include "fuse.h"

static inline int fuse_is_const(const ir_graph *g, int t) { return g->tensors[t].data != NULL; }
/* The one node reading tensor t, or -1 (none, or several). */
int fuse_sole_reader(const ir_graph *g, int t);
int fuse_is_output(const ir_graph *g, int t);
/* Same rank, dims and dtype. */
int fuse_same_dims(const ir_tensor *a, const ir_tensor *b);
/* 1 when t is written before node `before` runs (graph input, constant, or a
 * materialised tensor whose writer comes earlier). */
int fuse_ready_before(const ir_graph *g, const fuse_groups *fg, int t, int before);
/* Appends a refusal to node i's note ("; " between several); OOM loses it. */
void fuse_note(fuse_groups *fg, int i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
