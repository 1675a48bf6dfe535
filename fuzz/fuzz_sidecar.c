/* fuzz_sidecar.c — the `.clcnn` preprocessing sidecar parser (key=value
 * lines) and the labels file reader, both on the same bytes. */
#include "fuzz_util.h"
#include "image/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    clcnn_err err = {0};
    img_prep p;
    img_prep_default(&p);
    img_prep_load_file(&p, fuzz_file("sidecar", "m.clcnn", data, size), &err);
    img_labels l = {0};
    if (img_labels_load(fuzz_file("sidecar", "m.labels.txt", data, size), &l, &err) == CLCNN_OK) {
        char buf[256];
        for (int i = -1; i <= l.n + 1; i++)
            img_label_for(&l, l.n + 1, i, buf, sizeof buf);
        img_labels_free(&l);
    }
    return 0;
}
