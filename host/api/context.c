/* context.c — the clcnn_context: device choice (OpenCL or the reference
 * backend), last-error storage and logging. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"

static void copy_err(char *dst, size_t len, const clcnn_err *e)
{
    if (dst && len)
        snprintf(dst, len, "%s", e->msg);
}

clcnn_status clcnn_context_create(const clcnn_context_options *opt, clcnn_context **out,
                                  char *err_out, size_t err_len)
{
    clcnn_err err = {0};
    clcnn_status st;
    if (!out) {
        if (err_out && err_len)
            snprintf(err_out, err_len, "clcnn_context_create: out is NULL");
        return CLCNN_ERR_INVALID_ARG;
    }
    *out = NULL;
    clcnn_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        if (err_out && err_len)
            snprintf(err_out, err_len, "out of memory");
        return CLCNN_ERR_OUT_OF_MEMORY;
    }
    const char *dev = (opt && opt->device && opt->device[0]) ? opt->device : "auto";
    if (opt) {
        ctx->log = opt->log;
        ctx->log_user = opt->log_user;
    }
    if (strcmp(dev, "ref") != 0) {
        rt_options ro = {0};
        if (opt) {
            ro.no_cache = opt->no_cache;
            ro.cache_dir = opt->cache_dir;
        }
        st = rt_create(dev, &ro, &ctx->rt, &err);
        if (st == CLCNN_ERR_NO_DEVICE && strcmp(dev, "auto") == 0) {
            /* auto = gpu, else cpu, else the reference backend: never fail for lack of OpenCL */
            api_log(ctx, CLCNN_LOG_INFO, "device auto: no OpenCL device (%s); using the reference backend",
                    err.msg);
            ctx->rt = NULL;
        } else if (st != CLCNN_OK) {
            copy_err(err_out, err_len, &err);
            err_clear(&err);
            free(ctx);
            return st;
        } else if (strcmp(dev, "auto") == 0) {
            api_log(ctx, CLCNN_LOG_INFO, "device auto: using %s", rt_info(ctx->rt)->name);
        }
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
    err_clear(&ctx->err);
    free(ctx->last_error);
    free(ctx);
}

const char *clcnn_context_last_error(const clcnn_context *ctx)
{
    if (!ctx)
        return "no context";
    if (ctx->last_error)
        return ctx->last_error;
    return ctx->err.msg;
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

clcnn_status api_fail(clcnn_context *ctx, const clcnn_err *err)
{
    if (!ctx)
        return err->status;
    if (&ctx->err != err) {
        err_clear(&ctx->err);
        ctx->err.status = err->status;
        memcpy(ctx->err.msg, err->msg, sizeof ctx->err.msg);
    }
    free(ctx->last_error);
    ctx->last_error = NULL;
    if (err->detail) {
        size_t n = strlen(err->msg) + strlen(err->detail) + 2;
        ctx->last_error = malloc(n);
        if (ctx->last_error)
            snprintf(ctx->last_error, n, "%s\n%s", err->msg, err->detail);
    }
    return err->status;
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
