/* rt_ctx.c — picks one device from a spec ("gpu", "cpu", "auto", an index, a
 * device / platform / vendor name substring), makes its context and in-order profiling queue, and tears
 * them down with every program the context built. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

static int first_of_type(const rt_dev *d, int n, const char *type)
{
    for (int i = 0; i < n; i++)
        if (strcmp(d[i].info.type, type) == 0)
            return i;
    return -1;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

static int contains_nocase(const char *hay, const char *needle)
{
    size_t nl = strlen(needle);
    for (; *hay; hay++) {
        size_t k = 0;
        while (k < nl && hay[k] &&
               tolower((unsigned char)hay[k]) == tolower((unsigned char)needle[k]))
            k++;
        if (k == nl)
            return 1;
    }
    return nl == 0;
}

/* Index into d of the device spec names, or -1 with err filled. */
static int select_device(const char *spec, const rt_dev *d, int n, clcnn_err *err)
{
    char list[768];
    rt_describe_devices(d, n, list, sizeof list);
    if (n == 0) {
        err_set(err, CLCNN_ERR_NO_DEVICE, "no OpenCL devices found (device '%s')", spec);
        return -1;
    }
    if (strcmp(spec, "auto") == 0) {
        int i = first_of_type(d, n, "gpu");
        if (i < 0)
            i = first_of_type(d, n, "cpu");
        return i < 0 ? 0 : i; /* only accelerators/others: take the first one */
    }
    if (strcmp(spec, "gpu") == 0 || strcmp(spec, "cpu") == 0) {
        int i = first_of_type(d, n, spec);
        if (i < 0)
            err_set(err, CLCNN_ERR_NO_DEVICE, "no OpenCL %s found; devices: %s",
                    strcmp(spec, "gpu") == 0 ? "GPU" : "CPU", list);
        return i;
    }
    if (all_digits(spec)) {
        long idx = strtol(spec, NULL, 10);
        if (strlen(spec) > 9 || idx >= n) {
            err_set(err, CLCNN_ERR_NO_DEVICE, "device index %s out of range (%d device%s); "
                    "devices: %s", spec, n, n == 1 ? "" : "s", list);
            return -1;
        }
        return (int)idx;
    }
    /* Platforms first (name or vendor: "intel" -> "Intel(R) OpenCL", "pocl" ->
     * "The pocl project", "oclgrind"), since a driver's name says which
     * runtime to use while a CPU's device name is the same under every CPU
     * runtime (POCL's and Intel's both say "Intel(R) Xeon(R) ..."); then
     * device names, then device vendors. The first device that matches. */
    for (int i = 0; i < n; i++)
        if (contains_nocase(d[i].info.platform, spec) || contains_nocase(d[i].platform_vendor, spec))
            return i;
    for (int i = 0; i < n; i++)
        if (contains_nocase(d[i].info.name, spec))
            return i;
    for (int i = 0; i < n; i++)
        if (contains_nocase(d[i].info.vendor, spec))
            return i;
    err_set(err, CLCNN_ERR_NO_DEVICE, "no OpenCL device name contains '%s' (nor any platform or "
            "vendor name); devices: %s", spec, list);
    return -1;
}

/* 1 when the device's driver keeps compiled kernels on disk itself (see
 * rt_store): POCL does unless POCL_KERNEL_CACHE=0. */
static int driver_caches_kernels(cl_device_id dev)
{
    cl_platform_id plat = NULL;
    char name[256] = "";
    if (clGetDeviceInfo(dev, CL_DEVICE_PLATFORM, sizeof plat, &plat, NULL) != CL_SUCCESS ||
        clGetPlatformInfo(plat, CL_PLATFORM_NAME, sizeof name - 1, name, NULL) != CL_SUCCESS)
        return 0;
    const char *off = getenv("POCL_KERNEL_CACHE");
    return strstr(name, "Portable Computing Language") != NULL && !(off && strcmp(off, "0") == 0);
}

static clcnn_status open_device(rt_ctx *rt, const rt_dev *d, clcnn_err *err)
{
    clcnn_status st = CLCNN_OK;
    cl_int rc = CL_SUCCESS;
    cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)d->platform, 0};
    rt->device = d->device;
    rt->info = d->info;
    rt->ctx = clCreateContext(props, 1, &d->device, NULL, NULL, &rc);
    CL_TRY(err, st, rc);
    /* 1.2 entry point on purpose: clCreateCommandQueueWithProperties is 2.0+
     * and we target 1.2 devices too. In-order, so one sync covers a plan. */
    rt->queue = clCreateCommandQueue(rt->ctx, d->device, CL_QUEUE_PROFILING_ENABLE, &rc);
    CL_TRY(err, st, rc);
    return CLCNN_OK;
fail:
    return st;
}

clcnn_status rt_create(const char *spec, const rt_options *opt, rt_ctx **out, clcnn_err *err)
{
    rt_dev *devs = NULL;
    int n = 0;
    rt_options none = {0};
    if (!out)
        return err_set(err, CLCNN_ERR_INVALID_ARG, "rt_create: out is NULL");
    *out = NULL;
    if (!spec || !*spec)
        spec = "auto";
    if (!opt)
        opt = &none;
    clcnn_status st = rt_enum_devices(&devs, &n, err);
    if (st)
        return st;
    int pick = select_device(spec, devs, n, err);
    if (pick < 0) {
        free(devs);
        return err ? err->status : CLCNN_ERR_NO_DEVICE;
    }
    rt_ctx *rt = calloc(1, sizeof *rt);
    if (!rt) {
        free(devs);
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "no memory for the OpenCL context");
    }
    st = open_device(rt, &devs[pick], err);
    free(devs);
    if (!st)
        st = rt_plan_profile_init(rt, err);
    if (st) {
        rt_destroy(rt);
        return st;
    }
    if (!opt->no_cache)
        rt->cache_dir = rt_cache_dir_resolve(opt);
    rt->lazy_kernels = driver_caches_kernels(rt->device);
    rt->store_now = opt->store == RT_STORE_ALWAYS || !rt->lazy_kernels;
    rt->cold_build = opt->cold_build;
    rt->cold_build_user = opt->cold_build_user;
    rt->skip_deferred = opt->store == RT_STORE_NO_DEFERRED;
    rt->lean = opt->lean && rt->lazy_kernels && rt->cache_dir;
    *out = rt;
    return CLCNN_OK;
}

void rt_destroy(rt_ctx *rt)
{
    if (!rt)
        return;
    rt_store_deferred(rt);
    for (int i = 0; i < rt->n_progs; i++) {
        clReleaseProgram(rt->progs[i].prog);
        free(rt->progs[i].key);
        free(rt->progs[i].lookup);
        free(rt->progs[i].lean_key);
    }
    free(rt->progs);
    if (rt->queue) {
        clFinish(rt->queue);
        clReleaseCommandQueue(rt->queue);
    }
    if (rt->ctx)
        clReleaseContext(rt->ctx);
    rt_clblast_close(rt);
    free(rt->cache_dir);
    free(rt);
}

cl_context rt_cl_context(const rt_ctx *rt) { return rt->ctx; }
cl_command_queue rt_queue(const rt_ctx *rt) { return rt->queue; }
cl_device_id rt_device(const rt_ctx *rt) { return rt->device; }
const clcnn_device_info *rt_info(const rt_ctx *rt) { return &rt->info; }
rt_cache_stats rt_get_cache_stats(const rt_ctx *rt)
{
    rt_cache_stats s = rt->stats;
    s.deferred = 0;
    for (int i = 0; i < rt->n_progs; i++)
        s.deferred += rt->progs[i].store_later || rt->progs[i].lean_key;
    return s;
}

void rt_set_lean_tag(rt_ctx *rt, uint64_t tag)
{
    snprintf(rt->lean_tag, sizeof rt->lean_tag, "%016llx", (unsigned long long)tag);
}

/* The resolved program-cache folder (the tuning store lives beside it); NULL: no disk cache. */
const char *rt_cache_dir(const rt_ctx *rt) { return rt->cache_dir; }
