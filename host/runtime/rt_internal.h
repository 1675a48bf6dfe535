/* rt_internal.h — what the runtime's own .c files share: the rt_ctx layout,
 * the device enumeration record, and the on-disk cache entry points.
 * Nothing outside host/runtime/ includes this. */
#ifndef CLCNN_RUNTIME_RT_INTERNAL_H
#define CLCNN_RUNTIME_RT_INTERNAL_H

#include <stdint.h>

#include "rt.h"

/* One enumerated device: its CL handles plus the public description. */
typedef struct rt_dev {
    cl_platform_id platform;
    cl_device_id device;
    clcnn_device_info info;
    char platform_vendor[128]; /* CL_PLATFORM_VENDOR ("The pocl project"): --device matching */
} rt_dev;

/* All devices of all platforms, malloc'd into *out (NULL when none). */
clcnn_status rt_enum_devices(rt_dev **out, int *count, clcnn_err *err);
/* "0: NAME (cpu, PLATFORM); 1: ..." into buf, for NO_DEVICE messages. */
void rt_describe_devices(const rt_dev *devs, int n, char *buf, size_t len);

/* A program built once in this context, looked up by its full cache key. */
typedef struct rt_prog {
    char *key;
    cl_program prog;
    int store_later;          /* built here, to be written to the disk cache at rt_destroy */
    char *lookup;             /* rt_program_joined's "names|options" for it, or NULL */
    char *lean_key;           /* the key its lean copy is to be written under at
                                 rt_destroy (rt_pocl_lean.h), or NULL */
} rt_prog;

struct rt_ctx {
    cl_device_id device;
    cl_context ctx;
    cl_command_queue queue;
    clcnn_device_info info;
    char *cache_dir;          /* resolved and created; NULL: no disk cache */
    int store_now;            /* 1: built programs are written to cache_dir at once, 0: at
                                 rt_destroy (rt_store) */
    int skip_deferred;        /* RT_STORE_NO_DEFERRED: rt_destroy writes nothing */
    int lazy_kernels;         /* the driver compiles a kernel at its first launch into a
                                 disk cache of its own (POCL, its kernel cache on) */
    void (*cold_build)(void *user); /* called once before the first build from source
                                 when lazy_kernels (then cleared) */
    void *cold_build_user;
    int lean;                 /* rt_options.lean where it applies (POCL with its kernel
                                 cache, a disk cache) */
    char lean_tag[17];        /* rt_set_lean_tag's, in hex; "" none yet */
    rt_prog *progs;
    int n_progs, cap_progs;
    rt_cache_stats stats;
    rt_plan_dev plan;         /* the device as the planner sees it (rt_profile.c) */
    void *clblast;            /* dlopen handle of CLBlast once a plan used it (rt_clblast.c) */
};

/* Closes CLBlast's handle, if opened (rt_destroy, after the context). */
void rt_clblast_close(rt_ctx *rt);

/* Fills rt->plan from rt->info and $CLCNN_PLAN_PROFILE (rt_create). */
clcnn_status rt_plan_profile_init(rt_ctx *rt, clcnn_err *err);

/* Writes the programs rt_store deferred to the disk cache (rt_destroy). */
void rt_store_deferred(rt_ctx *rt);

/* FNV-1a/64, continuing from h (start with RT_FNV_OFFSET). */
#define RT_FNV_OFFSET 0xcbf29ce484222325ULL
uint64_t rt_fnv1a(uint64_t h, const void *data, size_t len);

/* Resolves opt->cache_dir / $CLCNN_CACHE_DIR / $XDG_CACHE_HOME/clcnn /
 * $HOME/.cache/clcnn and creates it; NULL (no disk cache) when none can be
 * made, since an unusable cache must never fail a build. */
char *rt_cache_dir_resolve(const rt_options *opt);
/* Reads the entry for key; returns a malloc'd payload or NULL. A present but
 * unusable entry increments stats->corrupt; an absent one stats->misses. */
unsigned char *rt_cache_load(rt_ctx *rt, const char *key, size_t *len);
/* Writes the entry atomically; silently skips on any I/O failure. */
void rt_cache_store(rt_ctx *rt, const char *key, const unsigned char *bin, size_t len);
/* 1 when every kernel src declares plainly ("__kernel void name(") is in p,
 * a program made from a cached binary: a forged entry (valid checksum,
 * another program inside) is then rebuilt from source instead of failing. */
int rt_cache_kernels_match(cl_program p, const char *src, size_t len);
/* Path of the entry file for key (tests corrupt it); malloc'd. */
char *rt_cache_entry_path(const rt_ctx *rt, const char *key);

#endif
