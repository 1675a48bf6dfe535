/* fuzz_util.h — what the libFuzzer targets share: a scratch file that each
 * input is written to, for the parsers that read a path (NPY, cache entry,
 * sidecar, labels). One file per process, rewritten in place per input. */
#ifndef CLCNN_FUZZ_UTIL_H
#define CLCNN_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Path of a file holding exactly data[0..size); the name ends in `suffix`
 * (some parsers look at it). Aborts only when the scratch folder is unusable:
 * a harness fault, never an input's. */
static inline const char *fuzz_file(const char *dir_tail, const char *name, const uint8_t *data,
                                     size_t size)
{
    static char dir[256], path[512];
    if (!dir[0]) {
        const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
        snprintf(dir, sizeof dir, "%s/clcnn-fuzz-%s-XXXXXX", base, dir_tail);
        if (!mkdtemp(dir))
            abort();
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f))
        abort();
    return path;
}

#endif
