/* plan_inplace.h — Concat without copies: a Concat on a channel-like axis whose
 * inputs' slices are contiguous in its output (every dim before the axis 1)
 * gets one buffer, and each input that can move lives in its slice of it (an
 * OpenCL sub-buffer at its byte offset), so its producer writes there directly
 * and the Concat launches nothing for it. Nested Concats compose: every tenant
 * is placed at (outermost host, absolute offset), since OpenCL has no
 * sub-buffers of sub-buffers. The kernels are unchanged: a producer writes a
 * cl_mem as always. */
#ifndef CLCNN_PLAN_PLAN_INPLACE_H
#define CLCNN_PLAN_PLAN_INPLACE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/ir.h"

/* Where tensors live, per tensor index (plan_place_init allocates, -1 / 0 filled). */
typedef struct plan_place {
    int *host;          /* placed: the tensor whose buffer holds it (its producer writes
                           there, a sub-buffer), -1: its own buffer */
    int64_t *off;       /* bytes into host's buffer */
    int *fill_host;     /* not placed: the host an outer Concat copies it into, -1: none */
    int64_t *fill_off;
    int *done_host;     /* planning in run order: where a Concat's copy already put it */
    int64_t *done_off;
    unsigned char *view_node; /* per node: a Split/Slice whose outputs are all read in
                           place (sub-buffers of its input's memory): it launches nothing */
} plan_place;

/* 0 on success, -1 out of memory (then plan_place_free still applies). */
int plan_place_init(plan_place *pl, int n_tensors, int n_nodes);
void plan_place_free(plan_place *pl);

/* Decides placement. Per tensor t: root[t] its alias root (Reshape & co.),
 * need[t] 1 when it gets an activation buffer, pinned[t] 1 for graph inputs and
 * outputs' roots, writer[t] the one node that runs and writes t (-1: none, a
 * constant, a graph input, or written by a fused chain); skip_node[i] 1 for
 * Concat nodes the plan runs otherwise (fused, a shuffle chain's host). align:
 * the device's CL_DEVICE_MEM_BASE_ADDR_ALIGN in bytes (0: place nothing).
 * Concats are walked last to first, so an outer Concat's output is placed
 * before the inner Concats that write into it. An input moves when it is not a
 * constant, graph input or output, nor an alias view, has a writer, occupies
 * no other place, appears once in the Concat, has the output's element size,
 * and its offset is a multiple of align; one that cannot is copied by the
 * Concat, and that slice is its fill place. A Concat output whose inputs all
 * sit back to back in one host, placed or at their fill places (a torchvision
 * DenseNet's running concatenation of the same features), becomes a view of
 * that range when the range starts aligned: it then copies only its inputs not
 * yet there. Returns the number of placed tensors (pl->host >= 0). */
int plan_inplace_place(const ir_graph *g, const int *root, const int *need, const int *pinned,
                       const int *writer, const unsigned char *skip_node, size_t align,
                       plan_place *pl);

/* Split / Slice read in place, after plan_inplace_place: when every output is
 * a contiguous range of the input (dims before the axis 1; Slice: step 1 on
 * its one partial axis), starts aligned, is no graph output and has no place
 * yet, each output becomes a sub-buffer of the input's memory (the input's
 * host when the input itself is placed) and the node is marked view_node. The
 * input is read-only after its writer, so the ranges stay valid as long as the
 * host lives (plan_inplace_fold). Returns the number of outputs placed. */
int plan_inplace_views(const ir_graph *g, const int *root, const int *need, const int *pinned,
                       const unsigned char *skip_node, size_t align, plan_place *pl);

/* Lifetimes: a host's buffer must outlive every tenant (from the first
 * tenant's write to the last read of any of them); tenants get no slot of
 * their own (need 0). */
void plan_inplace_fold(const ir_graph *g, const plan_place *pl, int *need, int *def, int *last);

/* Concat node n, asked in run order: in_place[k] = 1 when input k already lies
 * where the copy would put it (placed there, or copied there by an earlier
 * Concat: the slice of a host only ever holds that one tensor's data), or is
 * empty; the others are recorded as copied there. Returns how many inputs
 * still need a copy. in_place holds n->n_in entries. */
int plan_inplace_concat(const ir_graph *g, const ir_node *n, plan_place *pl,
                        unsigned char *in_place);

#endif
