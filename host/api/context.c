/* context.c — the clcnn_context: device choice (OpenCL or the reference
 * backend), its lock, last-error storage (shared helpers for the session's
 * own error too) and logging. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"

static void copy_msg(char *dst, size_t len, const char *msg)
{
    if (dst && len)
        snprintf(dst, len, "%s", msg);
}

/* A struct_size larger than the library's struct is accepted: the caller was
 * built against a newer header, and the fields this library does not know are
 * ignored (OPT_HAS never reaches them). Refusing would break every program
 * that upgrades its header before its library. */
clcnn_status api_check_opt(const void *opt, size_t struct_size, const char *type_name,
                           clcnn_err *err)
{
    if (opt && struct_size == 0)
        return err_set(err, CLCNN_ERR_INVALID_ARG,
                       "%s.struct_size is 0: initialise the options with %s_init()", type_name,
                       type_name);
    return CLCNN_OK;
}

/* The device spec and logging of opt; fields its struct_size does not cover
 * keep their defaults. */
static void read_options(const clcnn_context_options *opt, clcnn_context *ctx, const char **dev,
                         rt_options *ro)
{
    *dev = "auto";
    if (!opt)
        return;
    if (OPT_HAS(opt, device) && opt->device && opt->device[0])
        *dev = opt->device;
    if (OPT_HAS(opt, no_cache))
        ro->no_cache = opt->no_cache;
    if (OPT_HAS(opt, cache_dir))
        ro->cache_dir = opt->cache_dir;
    if (OPT_HAS(opt, log))
        ctx->log = opt->log;
    if (OPT_HAS(opt, log_user))
        ctx->log_user = opt->log_user;
    if (OPT_HAS(opt, cold_build))
        ro->cold_build = opt->cold_build;
    if (OPT_HAS(opt, cold_build_user))
        ro->cold_build_user = opt->cold_build_user;
    if (OPT_HAS(opt, lean_programs))
        ro->lean = opt->lean_programs;
    if (OPT_HAS(opt, cache_store))
        ro->store = opt->cache_store == CLCNN_CACHE_STORE_NOW           ? RT_STORE_ALWAYS
                    : opt->cache_store == CLCNN_CACHE_STORE_NO_DEFERRED ? RT_STORE_NO_DEFERRED
                                                                        : RT_STORE_AUTO;
}

static clcnn_context *context_alloc(void)
{
    clcnn_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    if (pthread_mutex_init(&ctx->lock, NULL) != 0) {
        free(ctx);
        return NULL;
    }
    if (pthread_mutex_init(&ctx->err_lock, NULL) != 0) {
        pthread_mutex_destroy(&ctx->lock);
        free(ctx);
        return NULL;
    }
    return ctx;
}

/* Opens the OpenCL runtime for dev; "auto" with no OpenCL device at all falls
 * back to the reference backend (ctx->rt stays NULL). */
static clcnn_status open_runtime(clcnn_context *ctx, const char *dev, const rt_options *ro,
                                 clcnn_err *err)
{
    if (strcmp(dev, "ref") == 0)
        return CLCNN_OK;
    clcnn_status st = rt_create(dev, ro, &ctx->rt, err);
    if (st == CLCNN_ERR_NO_DEVICE && strcmp(dev, "auto") == 0) {
        /* auto = gpu, else cpu, else the reference backend: never fail for lack of OpenCL */
        api_log(ctx, CLCNN_LOG_INFO, "device auto: no OpenCL device (%s); using the reference backend",
                err->msg);
        ctx->rt = NULL;
        return CLCNN_OK;
    }
    if (st == CLCNN_OK && strcmp(dev, "auto") == 0)
        api_log(ctx, CLCNN_LOG_INFO, "device auto: using %s", rt_info(ctx->rt)->name);
    return st;
}

clcnn_status clcnn_context_create(const clcnn_context_options *opt, clcnn_context **out,
                                  char *err_out, size_t err_len)
{
    clcnn_err err = {0};
    if (!out) {
        copy_msg(err_out, err_len, "clcnn_context_create: out is NULL");
        return CLCNN_ERR_INVALID_ARG;
    }
    *out = NULL;
    clcnn_status st = API_CHECK_OPT(opt, clcnn_context_options, &err);
    if (st != CLCNN_OK) {
        copy_msg(err_out, err_len, err.msg);
        return st;
    }
    clcnn_context *ctx = context_alloc();
    if (!ctx) {
        copy_msg(err_out, err_len, "clcnn_context_create: out of memory");
        return CLCNN_ERR_OUT_OF_MEMORY;
    }
    const char *dev;
    rt_options ro = {0};
    read_options(opt, ctx, &dev, &ro);
    st = open_runtime(ctx, dev, &ro, &err);
    if (st != CLCNN_OK) {
        copy_msg(err_out, err_len, err.msg);
        err_clear(&err);
        clcnn_context_destroy(ctx);
        return st;
    }
    err_clear(&err);
    *out = ctx;
    return CLCNN_OK;
}

void clcnn_context_destroy(clcnn_context *ctx)
{
    if (!ctx)
        return;
    rt_destroy(ctx->rt);
    errbox_free(&ctx->last);
    pthread_mutex_destroy(&ctx->err_lock);
    pthread_mutex_destroy(&ctx->lock);
    free(ctx);
}

const char *clcnn_context_last_error(const clcnn_context *ctx)
{
    if (!ctx)
        return "no context";
    return errbox_str(&ctx->last);
}

int clcnn_context_is_reference(const clcnn_context *ctx)
{
    return ctx && ctx->rt == NULL;
}

const char *clcnn_context_device_name(const clcnn_context *ctx)
{
    if (!ctx)
        return "";
    return ctx->rt ? rt_info(ctx->rt)->name : "reference (plain C)";
}

void errbox_set(api_errbox *b, const clcnn_err *e)
{
    if (&b->err == e)
        return;
    b->err.status = e->status;
    memcpy(b->err.msg, e->msg, sizeof b->err.msg);
}

const char *errbox_str(const api_errbox *b)
{
    return b->err.msg;
}

void errbox_free(api_errbox *b)
{
    err_clear(&b->err);
}

void api_log_detail(clcnn_context *ctx, const clcnn_err *e)
{
    if (!ctx || !ctx->log || !e->detail)
        return;
    size_t n = strlen(e->msg) + strlen(e->detail) + 2;
    char *joined = malloc(n);
    if (!joined)
        return;
    snprintf(joined, n, "%s\n%s", e->msg, e->detail);
    ctx->log(ctx->log_user, CLCNN_LOG_WARN, joined);
    free(joined);
}

clcnn_status api_fail(clcnn_context *ctx, const clcnn_err *err)
{
    if (!ctx)
        return err->status;
    api_log_detail(ctx, err);
    pthread_mutex_lock(&ctx->err_lock);
    errbox_set(&ctx->last, err);
    pthread_mutex_unlock(&ctx->err_lock);
    return err->status;
}

clcnn_status api_fail_clear(clcnn_context *ctx, clcnn_err *err)
{
    clcnn_status st = api_fail(ctx, err);
    err_clear(err);
    return st;
}

void api_log(clcnn_context *ctx, clcnn_log_level level, const char *fmt, ...)
{
    if (!ctx || !ctx->log)
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ctx->log(ctx->log_user, level, buf);
}

clcnn_status api_err_buf(char *err, size_t err_len, clcnn_status st, const char *fmt, ...)
{
    if (err && err_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_len, fmt, ap);
        va_end(ap);
    }
    return st;
}
