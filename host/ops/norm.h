/* norm.h — what the normalisation ops (LayerNormalization,
 * InstanceNormalization, GroupNormalization) share between their shape rules
 * (norm.c), reference (norm_ref.c) and OpenCL launch (host/ops_cl/norm_cl.c):
 * all three are "rows" of D contiguous elements, each normalised by its own
 * mean and variance, then scaled and shifted by per-element factors whose
 * index is an affine function of (row, column). */
#ifndef CLCNN_OPS_NORM_H
#define CLCNN_OPS_NORM_H

#include "op_util.h"

/* Scale (and bias) factor of element j of row r:
 *   idx = (r % rm) * rs + (j / jd) * js
 * LayerNormalization: rm 1, rs 0, jd 1, js 1 (0 for a one-element scale);
 * InstanceNormalization: rm C, rs 1, js 0 (one factor per channel);
 * GroupNormalization-21: rm G, rs C/G, jd spatial, js 1 (per channel);
 * GroupNormalization-18: rm G, rs 1, js 0 (per group). */
typedef struct norm_idx {
    int64_t rm, rs, jd, js;
} norm_idx;

typedef struct norm_geom {
    int64_t rows, D;  /* rows normalised independently, D contiguous elements each */
    double eps;
    norm_idx scale, bias;
    int has_bias;     /* 0: no shift (LayerNormalization without B) */
    int stats;        /* LayerNormalization: 1 when output 1 (Mean) or 2 (InvStdDev) is wanted */
} norm_geom;

/* The geometry of node n (any of the three ops), checking every input shape. */
clcnn_status norm_geometry(const ir_graph *g, const ir_node *n, norm_geom *ng, clcnn_err *err);

static inline int64_t norm_index(const norm_idx *s, int64_t row, int64_t j)
{
    return (row % s->rm) * s->rs + (j / s->jd) * s->js;
}

#endif
