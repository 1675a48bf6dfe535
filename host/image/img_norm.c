/* img_norm.c — bytes to the model's float input: the value mapping (tf,
 * torch, unit or a custom scale/mean/std), channel order and layout. Each
 * named mapping is computed with the formula MODELS.md gives for it, in
 * float32, so the tensor matches what the reference pipeline fed the model. */
#include <string.h>

#include "image.h"

static const float torch_mean[3] = {0.485f, 0.456f, 0.406f};
static const float torch_std[3] = {0.229f, 0.224f, 0.225f};

void img_prep_default(img_prep *p)
{
    memset(p, 0, sizeof *p);
    p->resize = 256;
    p->crop = 224;
    img_prep_set_mapping(p, "tf", NULL);
    p->bgr = 0;
    p->layout = IMG_NCHW;
}

const char *img_mapping_name(img_mapping m)
{
    switch (m) {
    case IMG_MAP_TF: return "tf";
    case IMG_MAP_TORCH: return "torch";
    case IMG_MAP_UNIT: return "unit";
    case IMG_MAP_CUSTOM: return "custom";
    }
    return "?";
}

clcnn_status img_prep_set_mapping(img_prep *p, const char *name, clcnn_err *err)
{
    for (int c = 0; c < 3; c++) {
        p->mean[c] = 0.0f;
        p->std[c] = 1.0f;
    }
    if (strcmp(name, "tf") == 0) {
        p->mapping = IMG_MAP_TF;
        p->scale = 1.0f / 127.5f;
        for (int c = 0; c < 3; c++)
            p->mean[c] = 1.0f;
    } else if (strcmp(name, "torch") == 0) {
        p->mapping = IMG_MAP_TORCH;
        p->scale = 1.0f / 255.0f;
        memcpy(p->mean, torch_mean, sizeof torch_mean);
        memcpy(p->std, torch_std, sizeof torch_std);
    } else if (strcmp(name, "unit") == 0) {
        p->mapping = IMG_MAP_UNIT;
        p->scale = 1.0f / 255.0f;
    } else {
        return err_set(err, CLCNN_ERR_INVALID_ARG, "unknown mapping '%s' (tf, torch or unit)", name);
    }
    return CLCNN_OK;
}

static float map_value(const img_prep *p, int c, uint8_t x)
{
    float v = (float)x;
    switch (p->mapping) {
    case IMG_MAP_TF: return v / 127.5f - 1.0f;
    case IMG_MAP_TORCH: return (v / 255.0f - p->mean[c]) / p->std[c];
    case IMG_MAP_UNIT: return v / 255.0f;
    case IMG_MAP_CUSTOM: break;
    }
    return (v * p->scale - p->mean[c]) / p->std[c];
}

void img_to_tensor(const img_rgb *im, const img_prep *p, float *out)
{
    size_t plane = (size_t)im->w * im->h;
    for (size_t i = 0; i < plane; i++) {
        for (int c = 0; c < 3; c++) {
            int src_c = p->bgr ? 2 - c : c; /* tensor channel c reads image channel src_c */
            float v = map_value(p, src_c, im->px[3 * i + src_c]);
            if (p->layout == IMG_NCHW)
                out[(size_t)c * plane + i] = v;
            else
                out[3 * i + c] = v;
        }
    }
}
