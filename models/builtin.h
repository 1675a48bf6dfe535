/* builtin.h — the built-in architectures (one models/<arch>.c each), looked
 * up by name. Each builds a graph IR with deterministic random weights. */
#ifndef CLCNN_MODELS_BUILTIN_H
#define CLCNN_MODELS_BUILTIN_H

#include "../host/core/ir.h"

typedef struct builtin_params {
    float width;        /* width multiplier (alpha); 0: the family default */
    float depth;        /* depth multiplier; 0: the family default */
    int classes;        /* 0: 1000 */
    int input_size;     /* 0: the family default (224, 299 for xception) */
    uint64_t seed;      /* weight seed */
} builtin_params;

typedef struct builtin_arch {
    const char *name;   /* "mobilenet_v2" */
    const char *family; /* "MobileNetV2" */
    const char *seed;   /* source document, e.g. "002" */
    clcnn_status (*build)(const builtin_params *p, ir_graph **out, clcnn_err *err);
} builtin_arch;

/* NULL-terminated table of every architecture. */
const builtin_arch *builtin_list(void);
/* NULL when unknown. */
const builtin_arch *builtin_find(const char *name);

#endif
