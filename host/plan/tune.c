/* tune.c — decision store. This first version stores nothing, so every
 * lookup answers "no measurement": our own kernels and the heuristic local
 * sizes are used. The measuring `clcnn tune` replaces it. */
#include <stdlib.h>

#include "tune.h"

struct tune_db {
    int empty;
};

clcnn_status tune_open(rt_ctx *rt, tune_db **out, clcnn_err *err)
{
    (void)rt;
    *out = calloc(1, sizeof **out);
    if (!*out)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory opening the tuning store");
    (*out)->empty = 1;
    return CLCNN_OK;
}

void tune_close(tune_db *db) { free(db); }

int tune_use_clblast(const tune_db *db, int64_t m, int64_t n, int64_t k)
{
    (void)db, (void)m, (void)n, (void)k;
    return 0;
}

int tune_local_size(const tune_db *db, const char *variant, unsigned dim, const size_t *gws,
                    size_t *lws)
{
    (void)db, (void)variant, (void)dim, (void)gws, (void)lws;
    return 0;
}
