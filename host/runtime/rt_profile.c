/* rt_profile.c — the device as the planner sees it: the real one, or a GPU
 * shape declared by $CLCNN_PLAN_PROFILE so the GPU branches of the planner
 * (fitted work-groups, local-memory variants sized from the device) run and
 * get tested on a CPU device (POCL, Intel's runtime) or under Oclgrind before
 * any GPU sees them. A profile only narrows: each limit is the smaller of the
 * declared one and the device's, so every launch stays legal where it runs. */
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

/* Declared profiles: limits of the device class the plan is shaped for. */
static const struct {
    const char *name;
    int gpu_shaped;
    uint64_t local_mem_bytes;   /* 0: the device's */
    size_t max_work_group_size; /* 0: the device's */
    int simd_width;
} profiles[] = {
    {"nvidia", 1, 48 * 1024, 1024, 32}, /* 48 KiB shared memory per block, warp 32 */
    {"mobile", 1, 32 * 1024, 256, 16},  /* Mali / Adreno class: 32 KiB, 256 items */
    /* the CPU plan on a device that says GPU (Oclgrind does): the other half
     * of what the simulator must check */
    {"cpu", 0, 0, 0, 32},
};

/* Width the planner assumes for a real device without a profile: a warp or
 * half an AMD wavefront (work-groups of up to 2x this). */
#define RT_DEFAULT_SIMD 32

clcnn_status rt_plan_profile_init(rt_ctx *rt, clcnn_err *err)
{
    rt_plan_dev *p = &rt->plan;
    memset(p, 0, sizeof *p);
    p->gpu_shaped = strcmp(rt->info.type, "cpu") != 0;
    p->local_mem_bytes = rt->info.local_mem_bytes;
    p->max_work_group_size = rt->info.max_work_group_size;
    p->simd_width = RT_DEFAULT_SIMD;
    const char *env = getenv("CLCNN_PLAN_PROFILE");
    if (!env || !*env || strcmp(env, "device") == 0)
        return CLCNN_OK;
    for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++) {
        if (strcmp(env, profiles[i].name) != 0)
            continue;
        p->profile = profiles[i].name;
        p->gpu_shaped = profiles[i].gpu_shaped;
        if (profiles[i].local_mem_bytes && profiles[i].local_mem_bytes < p->local_mem_bytes)
            p->local_mem_bytes = profiles[i].local_mem_bytes;
        if (profiles[i].max_work_group_size &&
            profiles[i].max_work_group_size < p->max_work_group_size)
            p->max_work_group_size = profiles[i].max_work_group_size;
        p->simd_width = profiles[i].simd_width;
        return CLCNN_OK;
    }
    return err_set(err, CLCNN_ERR_INVALID_ARG,
                   "CLCNN_PLAN_PROFILE='%s' is not a plan profile (nvidia, mobile, cpu, device)", env);
}

const rt_plan_dev *rt_plan_device(const rt_ctx *rt) { return &rt->plan; }
