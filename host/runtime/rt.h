/* rt.h — library-internal OpenCL runtime: device choice, context and
 * in-order profiling queue, embedded kernel sources, program build with an
 * on-disk binary cache, and CL error names. Nothing here knows the graph IR. */
#ifndef CLCNN_RUNTIME_RT_H
#define CLCNN_RUNTIME_RT_H

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>

#include "../core/err.h"

typedef struct rt_ctx rt_ctx;

/* When built programs are written to the disk cache. Entries found there are
 * always read. */
typedef enum rt_store {
    /* As soon as built, except on POCL (unless POCL_KERNEL_CACHE=0): asking
     * POCL for a program binary makes it compile every kernel of the program
     * for a generic work-group size first (~0.1 s a kernel), which doubled
     * MobileNetV2's cold start (1.8 -> 3.6 s). There the binaries are written
     * when the context is destroyed, after the first results: a cold process
     * ends ~1.5 s later instead, and later contexts start in ~30 ms instead of
     * the ~100-180 ms that rebuilding from POCL's own cache takes. */
    RT_STORE_AUTO = 0,
    RT_STORE_ALWAYS = 1, /* as soon as built, on every driver */
    /* As AUTO, but what AUTO leaves for rt_destroy is never written: a caller
     * that fills the cache in another process (the CLI's background fill, so
     * a cold `clcnn run` ends when its result is out, not ~2-3x later). */
    RT_STORE_NO_DEFERRED = 2
} rt_store;

typedef struct rt_options {
    int no_cache;
    const char *cache_dir;  /* NULL: $CLCNN_CACHE_DIR, $XDG_CACHE_HOME/clcnn, ~/.cache/clcnn */
    rt_store store;
    void (*cold_build)(void *user); /* clcnn_context_options.cold_build */
    void *cold_build_user;
    int lean;               /* 1: on POCL, programs are also cached without their LLVM
                               bitcode, per workload (rt_set_lean_tag, rt_pocl_lean.h) */
} rt_options;

/* "CL_OUT_OF_RESOURCES" for -5; "CL_UNKNOWN_ERROR" for codes not in the table. */
const char *rt_cl_error_name(cl_int code);

/* Checks one OpenCL call; on failure records call text, CL error name and
 * file:line in err, sets st = CLCNN_ERR_CL and jumps to `fail`. */
#define CL_TRY(err, st, call)                                                          \
    do {                                                                               \
        cl_int cl_try_rc_ = (call);                                                    \
        if (cl_try_rc_ != CL_SUCCESS) {                                                \
            (st) = err_set((err), CLCNN_ERR_CL, "%s failed: %s (%d) at %s:%d", #call,  \
                           rt_cl_error_name(cl_try_rc_), (int)cl_try_rc_, __FILE__,    \
                           __LINE__);                                                  \
            goto fail;                                                                 \
        }                                                                              \
    } while (0)

/* Enumerates every device (see clcnn_devices_list). */
clcnn_status rt_devices_list(clcnn_device_info *out, int cap, int *count, clcnn_err *err);

/* spec: "gpu", "cpu", "auto" (gpu else cpu), a decimal index, or a substring
 * (case-insensitive) of a platform's name or vendor ("intel", "pocl",
 * "oclgrind"), else of a device name, else of a device vendor: the first
 * device that matches. "ref" is not handled here. No match:
 * CLCNN_ERR_NO_DEVICE with the list of devices in the message. */
clcnn_status rt_create(const char *spec, const rt_options *opt, rt_ctx **out, clcnn_err *err);
void rt_destroy(rt_ctx *rt);

cl_context rt_cl_context(const rt_ctx *rt);
cl_command_queue rt_queue(const rt_ctx *rt);   /* in-order, profiling enabled */
cl_device_id rt_device(const rt_ctx *rt);
const clcnn_device_info *rt_info(const rt_ctx *rt);

/* The device as the planner sees it (rt_profile.c). Without
 * $CLCNN_PLAN_PROFILE: the real device (gpu_shaped = any type but "cpu").
 * CLCNN_PLAN_PROFILE=nvidia (48 KiB local, 1024 items, warp 32) or mobile
 * (32 KiB local, 256 items, width 16): plan as for that GPU class on any
 * device, each limit capped by the real device's; cpu: the CPU plan on any
 * device (Oclgrind reports a GPU); "device" or empty: none.
 * An unknown name fails rt_create with CLCNN_ERR_INVALID_ARG. */
typedef struct rt_plan_dev {
    const char *profile;        /* "nvidia", "mobile", NULL: the real device */
    int gpu_shaped;             /* 1: GPU work-group shapes and variants */
    uint64_t local_mem_bytes;   /* what local-memory variants may size tiles from */
    size_t max_work_group_size; /* cap on any work-group the plan picks */
    int simd_width;             /* warp / subgroup width: work-groups of up to 2x */
} rt_plan_dev;
const rt_plan_dev *rt_plan_device(const rt_ctx *rt);

/* Symbol sym of CLBlast, which is loaded (dlopen) the first time a context asks,
 * not linked: a process that never runs a CLBlast layer never maps it. NULL
 * with err set (CLCNN_ERR_UNSUPPORTED, dlerror's reason) when it cannot be
 * loaded. The caller holds the context's lock (plan time). */
void *rt_clblast_sym(rt_ctx *rt, const char *sym, clcnn_err *err);

/* Embedded sources of kernels_cl/<name>.cl; NULL when unknown. */
const char *rt_kernel_source(const char *name, size_t *len);

/* Name of the i-th embedded kernel file (0 <= i < count), NULL past the end:
 * lets tests and tools walk every kernels_cl/<name>.cl. */
const char *rt_kernel_name(int i);

/* Returns the built program for kernels_cl/<name>.cl with `options` (may be
 * NULL). Built programs are kept in the rt_ctx (owned, released by
 * rt_destroy) and in the on-disk binary cache. A failed build returns
 * CLCNN_ERR_KERNEL_BUILD with the build log as err->detail. */
clcnn_status rt_program(rt_ctx *rt, const char *name, const char *options, cl_program *out,
                        clcnn_err *err);

/* One program from several kernels_cl sources (names[0..n), 1 <= n <= 8) as
 * one translation unit behind act.cl, in the order given, each file's build-log
 * lines numbered in that file: POCL parses opencl-c.h and links its builtin
 * library once per program (~90 ms on this CPU), so the sources nearly every
 * plan needs are built together (ops_cl/optab_cl.c). The files must not
 * define the same kernel, function or (differently) macro. rt_program(name)
 * is the n = 1 case. */
clcnn_status rt_program_joined(rt_ctx *rt, const char *const *names, int n, const char *options,
                               cl_program *out, clcnn_err *err);

/* Same for a source string (tests, ad-hoc kernels); key = the source hash. */
clcnn_status rt_program_from_source(rt_ctx *rt, const char *src, size_t len,
                                    const char *options, cl_program *out, clcnn_err *err);

/* Counters for tests and the cache report, disk cache only (a program found
 * in the context's memory counts nothing): hits = loaded from an entry;
 * misses = no entry; corrupt = an entry that was unreadable, failed its
 * checks or was refused by the driver (then rebuilt); writes = entries
 * written (those rt_store defers count when written, at rt_destroy). All stay
 * 0 with no_cache. */
typedef struct rt_cache_stats {
    int hits, misses, corrupt, writes;
    int deferred; /* programs built here that only rt_destroy would write (RT_STORE_AUTO),
                     or nothing will (RT_STORE_NO_DEFERRED); also those whose lean
                     copy for the lean tag is still to be written */
    int lean_hits; /* of hits: lean copies (rt_pocl_lean.h) */
} rt_cache_stats;
rt_cache_stats rt_get_cache_stats(const rt_ctx *rt);

/* Names the workload whose programs load next (a hash of the planned graph):
 * where rt_options.lean applies, programs are then read from and written to
 * the disk cache's lean copies for that tag too. */
void rt_set_lean_tag(rt_ctx *rt, uint64_t tag);

/* The resolved on-disk cache folder (host/runtime/tune.c keeps its per-device
 * decisions there too); NULL when there is no disk cache (no_cache, unusable). */
const char *rt_cache_dir(const rt_ctx *rt);

#endif
