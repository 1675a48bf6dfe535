/* tune.h — measured, per-device decisions persisted beside the program cache:
 * whether CLBlast SGEMM beats our own kernel for a pointwise-conv GEMM shape,
 * and tuned work-group sizes per (kernel variant, global size). Lookups never
 * measure, so a plain cold `run` never pays CLBlast's compile unless a stored
 * decision chose it; `clcnn tune MODEL` (and `bench --tune`) measure and store. */
#ifndef CLCNN_PLAN_TUNE_H
#define CLCNN_PLAN_TUNE_H

#include <stdint.h>

#include "rt.h"

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

/* ---- measuring side (`clcnn tune`, tests); appended after the lookups ---- */

/* Loads a store from an explicit file (tests; tune_open resolves the path from
 * rt). Missing: empty db. Unreadable, truncated, wrong header or device: empty
 * db with tune_was_corrupt() = 1. device_key NULL: accept any device line. */
clcnn_status tune_open_file(const char *path, const char *device_key, tune_db **out,
                            clcnn_err *err);
/* 1 when a store file existed but was ignored as corrupt. */
int tune_was_corrupt(const tune_db *db);
/* The store's file; NULL when there is no disk cache (decisions then live only
 * in memory and tune_save fails with CLCNN_ERR_IO). */
const char *tune_path(const tune_db *db);

/* Records a measured GEMM shape (replacing an earlier entry for it). use = 1
 * when CLBlast is to be used; both timings are kept for the record. */
clcnn_status tune_set_clblast(tune_db *db, int64_t m, int64_t n, int64_t k, double ours_ms,
                              double clblast_ms, int use, clcnn_err *err);
/* Records a tuned local size for (variant, dim, gws). gws is the launch's global
 * size as opcl_push padded it for the heuristic work-group (what the plan's
 * launch holds); a caller using the tuned lws re-pads gws up to it (every
 * kernel guards its tail). */
clcnn_status tune_set_local_size(tune_db *db, const char *variant, unsigned dim,
                                 const size_t *gws, const size_t *lws, clcnn_err *err);
/* Writes the store atomically (temp file + rename). */
clcnn_status tune_save(tune_db *db, clcnn_err *err);

#endif
