/* fuzz_image.c — JPEG/PNG decode plus the preprocessing `clcnn classify` does
 * (resize, crop, mapping) through clcnn_image_to_tensor_mem. The first byte
 * picks the preprocessing variant so resize/crop/layout paths all run. */
#include <stdint.h>
#include <stdlib.h>

#include "clcnn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    clcnn_preprocess p;
    clcnn_preprocess_init(&p);
    uint8_t v = data[0];
    p.resize = (v & 3) == 0 ? 0 : 8 + (v & 3) * 8;      /* 0, 16, 24, 32 */
    p.crop = (v & 4) ? 0 : 8 + ((v >> 3) & 3) * 4;      /* 0 or 8..20 */
    p.nhwc = (v >> 5) & 1;
    p.bgr = (v >> 6) & 1;
    p.mapping = (v >> 7) ? CLCNN_MAP_TORCH : CLCNN_MAP_TF;
    static float out[3 * 4096 * 4096 / 64];
    size_t cap = sizeof out / sizeof out[0];
    char err[512];
    /* with crop and resize 0 the image's own size decides; one larger than
     * out is refused by the library (its size check is part of the target) */
    clcnn_image_to_tensor_mem(data + 1, size - 1, "fuzz.img", &p, out, cap, err, sizeof err);
    return 0;
}
