/* fuse.h — the fusion passes: which nodes the OpenCL plan runs inside another
 * node's launch. Each fusion is one pass in its own file (fuse_<name>.c) that
 * reads the graph and never changes it: it marks fused groups in a fuse_groups
 * table (one row per node), which plan/ turns into kernels. A pass asks the
 * backend, through fuse_target, whether its kernels can run a group, and notes
 * why when they cannot (bench and summary show the notes). Passes use core/ and
 * the op definitions' shape helpers (ops/), never OpenCL.
 *
 * A group is a host node plus the nodes marked `into` it: the host reads its
 * own inputs (or, with a prologue, the inputs of what it absorbed) and writes
 * `out`, the last fused node's output; the tensors in between are never
 * materialised. fuse_run runs the passes in the order their preconditions
 * need (see fuse.c). */
#ifndef CLCNN_PASSES_FUSE_H
#define CLCNN_PASSES_FUSE_H

#include "../core/ir.h"

/* What the backend's kernels can run; plan/ fills it from ops_cl/. */
typedef struct fuse_target {
    const void *user; /* passed back to the refusal hooks */
    /* 1 for a zero-copy view op (Reshape & co.): its output is its input */
    int (*is_alias)(ir_op op);
    /* 1 when a Conv/BN/ConvTranspose kernel's epilogue can apply activation node a */
    int (*epilogue_act)(const ir_graph *g, const ir_node *a);
    /* NULL when Conv `conv` can scale or normalise its input channels as it reads
     * them (an SE gate, a BatchNormalization prologue), else why not */
    const char *(*input_scale_refusal)(const void *user, const ir_graph *g, const ir_node *conv);
    /* NULL when depthwise Conv dw and the pointwise Conv pw reading it can run as
     * one launch, else why not */
    const char *(*separable_refusal)(const void *user, const ir_graph *g, const ir_node *dw,
                                     const ir_node *pw);
    /* NULL when depthwise Conv dw's launch can also write the per-channel means
     * of its output (an SE block's squeeze), else why not */
    const char *(*squeeze_refusal)(const void *user, const ir_graph *g, const ir_node *dw);
    /* NULL when Conv fc1 (1x1 on a 1x1 plane) and Conv fc2 reading its output
     * alone can run as one launch (an SE block's FCs), else why not */
    const char *(*se_fc_refusal)(const void *user, const ir_graph *g, const ir_node *fc1,
                                 const ir_node *fc2);
    int notes; /* 1: record refused fusions in fuse_groups.note */
    /* 1 when the backend could run depthwise Conv dw and the pointwise Conv pw
     * after it as one launch but runs them faster as two on this device
     * (measured, not a fallback: no note); NULL: never */
    int (*separable_declined)(const void *user, const ir_graph *g, const ir_node *dw,
                              const ir_node *pw);
    /* 1 when the backend could run an SE block's FCs fc1 and fc2 as one launch
     * but runs them faster as two on this device (measured, no note); NULL: never */
    int (*se_fc_declined)(const void *user, const ir_graph *g, const ir_node *fc1,
                          const ir_node *fc2);
} fuse_target;

/* A ShuffleNet channel shuffle chain run as one launch by its Concat (host):
 * out[k] gets channels [off[k], off[k] + cnt[k]) of the shuffled tensor. */
typedef struct fuse_shuffle {
    int host;
    int n_out; /* 1 (the shuffled tensor whole) or 2 (the split's halves) */
    int out[2];
    int64_t off[2], cnt[2];
} fuse_shuffle;

typedef struct fuse_groups {
    int n_nodes, n_tensors;
    int *into;            /* per node: the node whose launch runs it, -1: its own */
    int *out;             /* per node: the tensor its first output goes to (a fused
                             tail's output; out[0] by default, -1 when it has none) */
    int *act;             /* per node: activation node applied in its epilogue, -1 */
    unsigned char *act_x; /* per node: 1 when act is S of X * S(X) (Swish, HardSwish) */
    int *res;             /* per node: tensor added before the activation, -1 */
    int *gate_x, *gate_s; /* per Conv: an SE Mul X * S read in place of input 0, -1 */
    int *pro;             /* per Conv: BatchNormalization (+ its act) applied to input 0
                             as it is read; the Conv reads the BN's input, -1 */
    int *sep;             /* per pointwise Conv: the depthwise Conv run in its launch, -1 */
    int *sq;              /* per depthwise Conv: the GlobalAveragePool output its launch
                             also writes (the SE squeeze of its output), -1 */
    int *fc2;             /* per 1x1 Conv on a 1x1 plane: the second FC of an SE block run
                             in its launch (its output is the group's out), -1 */
    char **note;          /* per node: why a fusion was refused (owned, "a; b"), NULL */
    fuse_shuffle *shuf;   /* the shuffle chains, n_shuf of them */
    int n_shuf;
    int *shuf_of;         /* per node: index into shuf of the chain it hosts, -1 */
    int *uses;            /* per tensor: readers, +1 when a graph output */
    int *root;            /* per tensor: alias root (a view's is its input's root) */
} fuse_groups;

/* Allocates fg for g with nothing fused (reader counts and alias roots filled). */
clcnn_status fuse_init(const ir_graph *g, const fuse_target *tg, fuse_groups *fg, clcnn_err *err);
void fuse_free(fuse_groups *fg);

/* The passes, in fuse_run's order (each file's comment gives its pattern). */
void fuse_residual_add(const ir_graph *g, fuse_groups *fg);
void fuse_swish(const ir_graph *g, fuse_groups *fg);
void fuse_act(const ir_graph *g, const fuse_target *tg, fuse_groups *fg);
void fuse_se_gate(const ir_graph *g, const fuse_target *tg, fuse_groups *fg);
void fuse_bn_prologue(const ir_graph *g, const fuse_target *tg, fuse_groups *fg);
/* Out of memory leaves the chains unfused (they only save launches). */
void fuse_channel_shuffle(const ir_graph *g, const fuse_target *tg, fuse_groups *fg);
void fuse_separable(const ir_graph *g, const fuse_target *tg, fuse_groups *fg);
void fuse_se_squeeze(const ir_graph *g, const fuse_target *tg, fuse_groups *fg);
void fuse_se_fc(const ir_graph *g, const fuse_target *tg, fuse_groups *fg);

/* fuse_init, then every pass. */
clcnn_status fuse_run(const ir_graph *g, const fuse_target *tg, fuse_groups *fg, clcnn_err *err);

/* The node that writes tensor t once fusion is decided (t's producer, or the
 * host it was fused into), -1 when t is a graph input or constant or is not
 * materialised under that name. */
int fuse_writer_of(const ir_graph *g, const fuse_groups *fg, int t);

/* 1 when Conv i's weights can go to the device in a layout of its kernel's own:
 * float32 constants that i alone reads (the SE gate, BN prologue and separable
 * fusions need that; plan/ packs by the same rule). */
int fuse_packable_weights(const ir_graph *g, int i);

#endif
