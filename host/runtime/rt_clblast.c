/* rt_clblast.c — CLBlast loaded on first use. Linked, libclblast's static
 * initializers (its tuning database) ran in every process: ~3 MiB of its pages
 * resident and ~1 MiB of heap for a library only a `clcnn tune` decision ever
 * calls. dlopen'd by its SONAME the first time a plan asks, once per context,
 * closed with the context but never unloaded (RTLD_NODELETE): its caches stay
 * reachable and its destructors run at exit, as when it was linked. */
#include <dlfcn.h>

#include "rt_internal.h"

#ifndef CLCNN_CLBLAST_SONAME
#define CLCNN_CLBLAST_SONAME "libclblast.so.1"
#endif

void *rt_clblast_sym(rt_ctx *rt, const char *sym, clcnn_err *err)
{
    if (!rt->clblast)
        rt->clblast = dlopen(CLCNN_CLBLAST_SONAME, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!rt->clblast) {
        const char *why = dlerror();
        err_set(err, CLCNN_ERR_UNSUPPORTED, "CLBlast (%s) could not be loaded: %s",
                CLCNN_CLBLAST_SONAME, why ? why : "unknown error");
        return NULL;
    }
    void *f = dlsym(rt->clblast, sym);
    if (!f)
        err_set(err, CLCNN_ERR_UNSUPPORTED, "CLBlast (%s) has no %s", CLCNN_CLBLAST_SONAME, sym);
    return f;
}

void rt_clblast_close(rt_ctx *rt)
{
    if (rt->clblast)
        dlclose(rt->clblast);
    rt->clblast = NULL;
}
