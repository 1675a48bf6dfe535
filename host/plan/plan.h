/* plan.h — the OpenCL execution plan of one graph on one device: which kernel
 * runs each node (and which activations fold into their producer), device
 * buffers allocated once and reused by liveness, weights uploaded once, kernel
 * arguments set once. exec_cl.c replays plan->launches each run. */
#ifndef CLCNN_PLAN_PLAN_H
#define CLCNN_PLAN_PLAN_H

#include "../core/ir.h"
#include "../ops_cl/op_cl.h"
#include "../runtime/rt.h"

typedef struct plan_options {
    int keep_all;             /* 1: no buffer reuse and no fusion: every tensor readable */
    const char *force;        /* tests: variant name to prefer (see opcl_forced_away) */
    const char *fault_node;   /* test hook: node whose kernels get -DCLCNN_FAULT_FLIP_SIGN */
    /* NULL, or called as soon as constant t is on the device in a packed copy
     * (conv_pw's layout), whose graph bytes the plan never reads again: an
     * owner may drop them then rather than after plan_build */
    void (*packed)(void *user, int t);
    void *packed_user;
    size_t arena_cap;         /* test hook: bytes per activation buffer when less than the
                                 device's CL_DEVICE_MAX_MEM_ALLOC_SIZE (0: the device's) */
} plan_options;

typedef struct plan {
    const ir_graph *g;
    cl_mem *buffers;          /* owned: activation slots, then one per constant */
    int n_buffers;
    size_t act_bytes;         /* bytes of activation slots (after reuse) */
    size_t naive_act_bytes;   /* sum of every materialised activation tensor (no reuse) */
    size_t const_bytes;       /* bytes of uploaded weights/constants */
    void **host_consts;       /* owned: packed/converted weights a host-unified device's
                                 buffers use in place (CL_MEM_USE_HOST_PTR); freed after
                                 the buffers */
    int n_host_consts;
    cl_mem *mem;              /* per tensor (borrowed from buffers), NULL: not materialised */
    unsigned char *readable;  /* per tensor: 1 when mem[t] still holds t after a run */
    unsigned char *dev_copy;  /* per tensor: 1 when mem[t] holds a copy of constant t's
                                 bytes (packed, as halves, or copied at creation), not
                                 the graph's own: the plan never reads t->data again */
    opcl_launch *launches;
    int n_launches;
    const char **variant;     /* per node: kernel variant, "alias", "fused", "in_place" (a Concat,
                                 Split or Slice whose data already lies in place), or NULL */
    char **fallback;          /* per node: why a fusion or faster kernel was refused (owned,
                                 "a; b" when several), NULL: none */
    int *fused_into;          /* per node: the node that runs it (activation folded), else -1 */
} plan;

/* g must outlive the plan: the plan reads its names, and on a host-unified
 * device (a CPU) its constant buffers use g's weight bytes in place. */
clcnn_status plan_build(rt_ctx *rt, const ir_graph *g, const plan_options *opt, plan **out,
                        clcnn_err *err);
void plan_free(plan *p);

/* Bytes of t's device buffer: numel x opcl_esize (2 for a half-stored float
 * tensor), at least 4 (OpenCL refuses zero-size buffers). */
size_t plan_dev_bytes(const ir_tensor *t);

/* Activation memory by liveness (plan_mem.c): per tensor t (already resolved
 * to alias roots by the caller) bytes[t], need[t] 1 when t gets activation
 * memory, def[t] the step that writes it (-1: before the first step), last[t]
 * the last step that reads it, pinned[t] 1 when it must last from def[t] to the
 * end (graph inputs and outputs). Fills
 * off[t], t's offset in one arena of *arena_bytes (a multiple of `align`, as
 * every offset is; -1 when !need), so that no two tensors live at the same
 * step overlap. With keep_all none share. cap > 0: no tensor crosses a
 * multiple of cap (rounded down to align), so the arena can be cut into
 * buffers of cap bytes (a device's CL_DEVICE_MAX_MEM_ALLOC_SIZE);
 * CLCNN_ERR_UNSUPPORTED when one tensor is larger. */
clcnn_status plan_arena_place(int n_tensors, const size_t *bytes, const int *need,
                              const int *def, const int *last, const int *pinned, int keep_all,
                              size_t align, size_t cap, int64_t *off, size_t *arena_bytes,
                              clcnn_err *err);

#endif
