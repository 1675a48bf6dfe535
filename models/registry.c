/* registry.c — the table of built-in architectures, one line each. */
#include <string.h>

#include "archs.h"

static const builtin_arch archs[] = {
    {"mobilenet_v1", "MobileNetV1", "001", build_mobilenet_v1},
    {"mobilenet_v2", "MobileNetV2", "002", build_mobilenet_v2},
    {"mobilenet_v3_large", "MobileNetV3", "002", build_mobilenet_v3_large},
    {"mobilenet_v3_large_seed004", "MobileNetV3", "004", build_mobilenet_v3_large_seed004},
    {"mobilenet_v3_small", "MobileNetV3", "002", build_mobilenet_v3_small},
    {"mnasnet", "MnasNet", "000", build_mnasnet},
    {"efficientnet_b0", "EfficientNet", "002", build_efficientnet_b0},
    {"shufflenet_v2", "ShuffleNetV2", "002", build_shufflenet_v2},
    {"xception", "Xception", "003", build_xception},
    {"resnet50", "ResNet", "002", build_resnet50},
    {"densenet121", "DenseNet", "002", build_densenet121},
    {"googlenet", "GoogLeNet", "002", build_googlenet},
    {NULL, NULL, NULL, NULL},
};

const builtin_arch *builtin_list(void) { return archs; }

const builtin_arch *builtin_find(const char *name)
{
    for (const builtin_arch *a = archs; name && a->name; a++)
        if (strcmp(a->name, name) == 0)
            return a;
    return NULL;
}
