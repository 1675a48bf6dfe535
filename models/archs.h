/* archs.h — the build function of every models/<arch>.c, for registry.c. */
#ifndef CLCNN_MODELS_ARCHS_H
#define CLCNN_MODELS_ARCHS_H

#include "builtin.h"

#define ARCH_BUILD(fn) clcnn_status fn(const builtin_params *p, ir_graph **out, clcnn_err *err)
ARCH_BUILD(build_mobilenet_v1);
ARCH_BUILD(build_mobilenet_v2);
ARCH_BUILD(build_mobilenet_v3_large);
ARCH_BUILD(build_mobilenet_v3_small);
ARCH_BUILD(build_mobilenet_v3_large_seed004);
ARCH_BUILD(build_mnasnet);
ARCH_BUILD(build_efficientnet_b0);
ARCH_BUILD(build_shufflenet_v2);
ARCH_BUILD(build_xception);
ARCH_BUILD(build_resnet50);
ARCH_BUILD(build_densenet121);
ARCH_BUILD(build_googlenet);

#endif
