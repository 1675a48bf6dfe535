/* fuzz_cache.c — one program-cache entry read (host/runtime/rt_cache.c):
 * header, key and payload-length checks before the payload is allocated,
 * checksum. No OpenCL: rt_cache_load only needs the cache folder. */
#include "fuzz_util.h"
#include "runtime/rt_internal.h"

/* The key every seed entry is written for (fuzz/make_seeds.py uses it too). */
static const char key[] = "clcnn-program|fuzz";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static rt_ctx rt;
    static char *entry;
    if (!entry) {
        const char *probe = fuzz_file("cache", "probe", data, 0);
        rt.cache_dir = strdup(probe);
        *strrchr(rt.cache_dir, '/') = '\0';
        entry = rt_cache_entry_path(&rt, key);
        if (!entry)
            abort();
    }
    fuzz_file("cache", strrchr(entry, '/') + 1, data, size);
    size_t len = 0;
    unsigned char *b = rt_cache_load(&rt, key, &len);
    free(b);
    return 0;
}
