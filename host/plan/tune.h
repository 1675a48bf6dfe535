/* tune.h — measured, per-device decisions persisted beside the program cache:
 * whether CLBlast SGEMM beats our own kernel for a pointwise-conv GEMM shape,
 * and tuned work-group sizes per (kernel variant, global size). Lookups never
 * measure, so a plain cold `run` never pays CLBlast's compile unless a stored
 * decision chose it; `clcnn tune MODEL` (and `bench --tune`) measure and store. */
#ifndef CLCNN_PLAN_TUNE_H
#define CLCNN_PLAN_TUNE_H

#include <stdint.h>

#include "../runtime/rt.h"

typedef struct tune_db tune_db;

/* Loads the decisions stored for rt's device (none stored: an empty db, not an
 * error; a corrupt file is ignored like a corrupt cache entry). */
clcnn_status tune_open(rt_ctx *rt, tune_db **out, clcnn_err *err);
void tune_close(tune_db *db);

/* 1 when a stored measurement says CLBlast wins for C[M,N] = A[M,K] * B[K,N]. */
int tune_use_clblast(const tune_db *db, int64_t m, int64_t n, int64_t k);

/* 1 (lws filled) when a tuned local size is stored for (variant, dim, gws). */
int tune_local_size(const tune_db *db, const char *variant, unsigned dim, const size_t *gws,
                    size_t *lws);

#endif
