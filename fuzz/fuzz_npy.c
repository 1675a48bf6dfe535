/* fuzz_npy.c — the CLI's NPY reader (host/cli/npy.c) on arbitrary files:
 * header dict parsing, shape arithmetic, size checks before allocation. */
#include "fuzz_util.h"
#include "npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file("npy", "in.npy", data, size);
    npy_array a;
    char err[512];
    if (npy_read_f32(path, &a, err, sizeof err) == 0)
        npy_free(&a);
    return 0;
}
