/* rt_devices.c — enumerates every device of every OpenCL platform into
 * clcnn_device_info records (rt_devices_list, and rt_enum_devices for
 * rt_create). No platform at all is not an error: it is an empty list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

/* The ICD loader answers "no platform installed" with this code. */
#define RT_PLATFORM_NOT_FOUND_KHR (-1001)

/* Reads a string property of any length (CL fails outright when the buffer is
 * short), truncating into buf. Returns the malloc'd full string when want_full. */
static clcnn_status dev_string(cl_device_id d, cl_device_info what, const char *what_name,
                               char *buf, size_t cap, char **full, clcnn_err *err)
{
    clcnn_status st = CLCNN_OK;
    size_t n = 0;
    char *s = NULL;
    CL_TRY(err, st, clGetDeviceInfo(d, what, 0, NULL, &n));
    s = calloc(n + 1, 1);
    if (!s)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "no memory for %s", what_name);
    CL_TRY(err, st, clGetDeviceInfo(d, what, n, s, NULL));
    if (buf)
        snprintf(buf, cap, "%s", s);
    if (full)
        *full = s;
    else
        free(s);
    return CLCNN_OK;
fail:
    free(s);
    return st;
}

static const char *type_name(cl_device_type t)
{
    if (t & CL_DEVICE_TYPE_GPU)
        return "gpu";
    if (t & CL_DEVICE_TYPE_CPU)
        return "cpu";
    if (t & CL_DEVICE_TYPE_ACCELERATOR)
        return "accelerator";
    return "other";
}

static clcnn_status fill_info(cl_device_id d, const char *platform, int index,
                              clcnn_device_info *in, clcnn_err *err)
{
    clcnn_status st = CLCNN_OK;
    cl_device_type type = 0;
    cl_uint cus = 0, clock = 0;
    cl_ulong gmem = 0, lmem = 0;
    size_t wg = 0;
    cl_bool img = CL_FALSE;
    char *ext = NULL;

    memset(in, 0, sizeof *in);
    in->index = index;
    snprintf(in->platform, sizeof in->platform, "%s", platform);
    CL_TRY(err, st, clGetDeviceInfo(d, CL_DEVICE_TYPE, sizeof type, &type, NULL));
    CL_TRY(err, st, clGetDeviceInfo(d, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof cus, &cus, NULL));
    CL_TRY(err, st, clGetDeviceInfo(d, CL_DEVICE_MAX_CLOCK_FREQUENCY, sizeof clock, &clock, NULL));
    CL_TRY(err, st, clGetDeviceInfo(d, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof gmem, &gmem, NULL));
    CL_TRY(err, st, clGetDeviceInfo(d, CL_DEVICE_LOCAL_MEM_SIZE, sizeof lmem, &lmem, NULL));
    CL_TRY(err, st, clGetDeviceInfo(d, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof wg, &wg, NULL));
    CL_TRY(err, st, clGetDeviceInfo(d, CL_DEVICE_IMAGE_SUPPORT, sizeof img, &img, NULL));
    snprintf(in->type, sizeof in->type, "%s", type_name(type));
    in->compute_units = cus;
    in->max_clock_mhz = clock;
    in->global_mem_bytes = gmem;
    in->local_mem_bytes = lmem;
    in->max_work_group_size = wg;
    in->image_support = img == CL_TRUE;

    if ((st = dev_string(d, CL_DEVICE_NAME, "CL_DEVICE_NAME", in->name, sizeof in->name, NULL,
                         err)) ||
        (st = dev_string(d, CL_DEVICE_VENDOR, "CL_DEVICE_VENDOR", in->vendor, sizeof in->vendor,
                         NULL, err)) ||
        (st = dev_string(d, CL_DEVICE_VERSION, "CL_DEVICE_VERSION", in->cl_version,
                         sizeof in->cl_version, NULL, err)) ||
        (st = dev_string(d, CL_DEVICE_OPENCL_C_VERSION, "CL_DEVICE_OPENCL_C_VERSION",
                         in->c_version, sizeof in->c_version, NULL, err)) ||
        (st = dev_string(d, CL_DRIVER_VERSION, "CL_DRIVER_VERSION", in->driver_version,
                         sizeof in->driver_version, NULL, err)) ||
        (st = dev_string(d, CL_DEVICE_EXTENSIONS, "CL_DEVICE_EXTENSIONS", NULL, 0, &ext, err)))
        return st;
    /* Match the whole space-separated word, not a prefix of a longer name. */
    char *save = NULL;
    for (char *tok = strtok_r(ext, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
        if (strcmp(tok, "cl_khr_fp16") == 0)
            in->fp16 = 1;
    free(ext);
    return CLCNN_OK;
fail:
    return st;
}

static clcnn_status platform_string(cl_platform_id p, cl_platform_info what,
                                    const char *what_name, char *buf, size_t cap,
                                    clcnn_err *err)
{
    clcnn_status st = CLCNN_OK;
    size_t n = 0;
    char *s = NULL;
    CL_TRY(err, st, clGetPlatformInfo(p, what, 0, NULL, &n));
    if (!(s = calloc(n + 1, 1)))
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "no memory for %s", what_name);
    CL_TRY(err, st, clGetPlatformInfo(p, what, n, s, NULL));
    snprintf(buf, cap, "%s", s);
    free(s);
    return CLCNN_OK;
fail:
    free(s);
    return st;
}

/* Appends one platform's devices to *devs. */
static clcnn_status enum_platform(cl_platform_id p, rt_dev **devs, int *n, clcnn_err *err)
{
    clcnn_status st = CLCNN_OK;
    char pname[128], pvendor[128];
    cl_uint nd = 0;
    cl_device_id *ids = NULL;
    if ((st = platform_string(p, CL_PLATFORM_NAME, "CL_PLATFORM_NAME", pname, sizeof pname,
                              err)) ||
        (st = platform_string(p, CL_PLATFORM_VENDOR, "CL_PLATFORM_VENDOR", pvendor,
                              sizeof pvendor, err)))
        return st;
    cl_int rc = clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, NULL, &nd);
    if (rc == CL_DEVICE_NOT_FOUND || nd == 0)
        return CLCNN_OK; /* a platform with no device is legal, just empty */
    CL_TRY(err, st, rc);
    ids = calloc(nd, sizeof *ids);
    rt_dev *grown = realloc(*devs, (size_t)(*n + (int)nd) * sizeof **devs);
    if (!ids || !grown) {
        st = err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "no memory for %u OpenCL devices", nd);
        if (grown)
            *devs = grown;
        goto fail;
    }
    *devs = grown;
    CL_TRY(err, st, clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, nd, ids, NULL));
    for (cl_uint i = 0; i < nd; i++) {
        rt_dev *d = &(*devs)[*n];
        d->platform = p;
        d->device = ids[i];
        snprintf(d->platform_vendor, sizeof d->platform_vendor, "%s", pvendor);
        if ((st = fill_info(ids[i], pname, *n, &d->info, err)))
            goto fail;
        (*n)++;
    }
    free(ids);
    return CLCNN_OK;
fail:
    free(ids);
    return st;
}

clcnn_status rt_enum_devices(rt_dev **out, int *count, clcnn_err *err)
{
    clcnn_status st = CLCNN_OK;
    cl_uint np = 0;
    cl_platform_id *plats = NULL;
    rt_dev *devs = NULL;
    int n = 0;
    *out = NULL;
    *count = 0;
    cl_int rc = clGetPlatformIDs(0, NULL, &np);
    if (rc == RT_PLATFORM_NOT_FOUND_KHR || (rc == CL_SUCCESS && np == 0))
        return CLCNN_OK;
    CL_TRY(err, st, rc);
    if (!(plats = calloc(np, sizeof *plats)))
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "no memory for %u OpenCL platforms", np);
    CL_TRY(err, st, clGetPlatformIDs(np, plats, NULL));
    for (cl_uint i = 0; i < np; i++)
        if ((st = enum_platform(plats[i], &devs, &n, err)))
            goto fail;
    free(plats);
    *out = devs;
    *count = n;
    return CLCNN_OK;
fail:
    free(plats);
    free(devs);
    return st;
}

void rt_describe_devices(const rt_dev *devs, int n, char *buf, size_t len)
{
    size_t pos = 0;
    buf[0] = '\0';
    if (n == 0) {
        snprintf(buf, len, "(none)");
        return;
    }
    for (int i = 0; i < n && pos < len; i++) {
        int w = snprintf(buf + pos, len - pos, "%s%d: %s (%s, %s)", i ? "; " : "",
                         devs[i].info.index, devs[i].info.name, devs[i].info.type,
                         devs[i].info.platform);
        if (w < 0)
            break;
        pos += (size_t)w;
    }
}

clcnn_status rt_devices_list(clcnn_device_info *out, int cap, int *count, clcnn_err *err)
{
    rt_dev *devs = NULL;
    int n = 0;
    if (!count || (cap > 0 && !out))
        return err_set(err, CLCNN_ERR_INVALID_ARG, "rt_devices_list: count is NULL or out is "
                                                   "NULL with cap > 0");
    clcnn_status st = rt_enum_devices(&devs, &n, err);
    if (st)
        return st;
    for (int i = 0; i < n && i < cap; i++)
        out[i] = devs[i].info;
    *count = n;
    free(devs);
    return CLCNN_OK;
}
