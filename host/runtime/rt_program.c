/* rt_program.c — builds OpenCL programs once per context: first the in-memory
 * table, then the on-disk binary cache (rt_cache.c), then the compiler. A
 * failed build returns CLCNN_ERR_KERNEL_BUILD with its full log as detail. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"
#include "rt_pocl_lean.h"

/* Everything that changes the compiled binary goes into the key; the cache
 * format version lives in rt_cache.c's header check. */
static char *make_key(const rt_ctx *rt, const char *src, size_t len, const char *options)
{
    const clcnn_device_info *in = &rt->info;
    uint64_t h = rt_fnv1a(RT_FNV_OFFSET, src, len);
    const char *fmt = "clcnn-program|platform=%s|device=%s|driver=%s|version=%s|src=%016llx:%zu"
                      "|options=%s";
    int n = snprintf(NULL, 0, fmt, in->platform, in->name, in->driver_version, in->cl_version,
                     (unsigned long long)h, len, options);
    char *key = n < 0 ? NULL : malloc((size_t)n + 1);
    if (key)
        snprintf(key, (size_t)n + 1, fmt, in->platform, in->name, in->driver_version,
                 in->cl_version, (unsigned long long)h, len, options);
    return key;
}

/* The binary half of a cache hit; NULL when the driver rejects it. */
static cl_program from_binary(rt_ctx *rt, const unsigned char *bin, size_t len,
                              const char *options)
{
    cl_int rc = CL_SUCCESS, bin_rc = CL_SUCCESS;
    cl_program p = clCreateProgramWithBinary(rt->ctx, 1, &rt->device, &len, &bin, &bin_rc, &rc);
    if (rc != CL_SUCCESS || bin_rc != CL_SUCCESS) {
        if (p)
            clReleaseProgram(p);
        return NULL;
    }
    if (clBuildProgram(p, 1, &rt->device, options, NULL, NULL) != CL_SUCCESS) {
        clReleaseProgram(p);
        return NULL;
    }
    return p;
}

/* The program's binary, for the disk cache; NULL when the driver has none. */
static unsigned char *get_binary(cl_program p, size_t *len)
{
    size_t n = 0;
    if (clGetProgramInfo(p, CL_PROGRAM_BINARY_SIZES, sizeof n, &n, NULL) != CL_SUCCESS || !n)
        return NULL;
    unsigned char *bin = malloc(n);
    if (!bin)
        return NULL;
    if (clGetProgramInfo(p, CL_PROGRAM_BINARIES, sizeof bin, &bin, NULL) != CL_SUCCESS) {
        free(bin);
        return NULL;
    }
    *len = n;
    return bin;
}

static char *build_log(cl_program p, cl_device_id d)
{
    size_t n = 0;
    char *log = NULL;
    if (clGetProgramBuildInfo(p, d, CL_PROGRAM_BUILD_LOG, 0, NULL, &n) != CL_SUCCESS ||
        !(log = calloc(n + 1, 1)) ||
        clGetProgramBuildInfo(p, d, CL_PROGRAM_BUILD_LOG, n, log, NULL) != CL_SUCCESS) {
        free(log);
        return strdup("(no build log available)");
    }
    return log;
}

/* The line of the log that names the problem, for the one-line message: the
 * first one containing "error" (any case), since drivers open their logs
 * with banners (Intel's "Compilation started"); else the first non-blank. */
static int line_has_error(const char *l, size_t n)
{
    static const char word[] = "error";
    for (size_t i = 0; i + sizeof word - 1 <= n; i++) {
        size_t k = 0;
        while (k < sizeof word - 1 && tolower((unsigned char)l[i + k]) == word[k])
            k++;
        if (k == sizeof word - 1)
            return 1;
    }
    return 0;
}

static void first_line(const char *log, char *buf, size_t cap)
{
    for (const char *l = log; *l;) {
        const size_t n = strcspn(l, "\r\n");
        if (line_has_error(l, n)) {
            while (*l == ' ' || *l == '\t')
                l++;
            const size_t m = strcspn(l, "\r\n");
            snprintf(buf, cap, "%.*s", (int)(m < cap ? m : cap - 1), l);
            return;
        }
        l += n;
        l += strspn(l, "\r\n");
    }
    while (*log == '\n' || *log == '\r' || *log == ' ' || *log == '\t')
        log++;
    size_t n = strcspn(log, "\r\n");
    snprintf(buf, cap, "%.*s", (int)(n < cap ? n : cap - 1), log);
}

static clcnn_status from_source(rt_ctx *rt, const char *label, const char *src, size_t len,
                                const char *options, cl_program *out, clcnn_err *err)
{
    clcnn_status st = CLCNN_OK;
    cl_int rc = CL_SUCCESS;
    cl_program p = clCreateProgramWithSource(rt->ctx, 1, &src, &len, &rc);
    CL_TRY(err, st, rc);
    rc = clBuildProgram(p, 1, &rt->device, options, NULL, NULL);
    if (rc != CL_SUCCESS) {
        char *log = build_log(p, rt->device);
        char line[400];
        first_line(log, line, sizeof line);
        st = err_set(err, CLCNN_ERR_KERNEL_BUILD, "building %s failed: %s (%s)", label,
                     rt_cl_error_name(rc), line[0] ? line : "empty build log");
        err_set_detail(err, log);
        goto fail;
    }
    *out = p;
    return CLCNN_OK;
fail:
    if (p)
        clReleaseProgram(p);
    return st;
}

static clcnn_status remember(rt_ctx *rt, char *key, cl_program p, clcnn_err *err)
{
    if (rt->n_progs == rt->cap_progs) {
        int cap = rt->cap_progs ? 2 * rt->cap_progs : 16;
        rt_prog *grown = realloc(rt->progs, (size_t)cap * sizeof *grown);
        if (!grown)
            return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "no memory for the program table");
        rt->progs = grown;
        rt->cap_progs = cap;
    }
    rt->progs[rt->n_progs].key = key;
    rt->progs[rt->n_progs].prog = p;
    rt->progs[rt->n_progs].store_later = 0;
    rt->progs[rt->n_progs].lookup = NULL;
    rt->progs[rt->n_progs].lean_key = NULL;
    rt->n_progs++;
    return CLCNN_OK;
}

/* Writes p's lean copy (rt_pocl_lean.h) under key, from bin (its whole binary). */
static void store_lean(rt_ctx *rt, const char *key, const unsigned char *bin, size_t len)
{
    size_t llen = 0;
    unsigned char *lean = rt_pocl_lean(bin, len, &llen);
    if (lean)
        rt_cache_store(rt, key, lean, llen);
    free(lean);
}

void rt_store_deferred(rt_ctx *rt)
{
    if (rt->skip_deferred)
        return;
    for (int i = 0; i < rt->n_progs; i++) {
        rt_prog *pr = &rt->progs[i];
        size_t blen = 0;
        unsigned char *bin = NULL;
        /* taken now, the binary holds the work-group functions this context's
         * launches compiled: the lean copy runs those specialised */
        if ((pr->store_later || pr->lean_key) && rt->cache_dir && (bin = get_binary(pr->prog, &blen))) {
            if (pr->store_later)
                rt_cache_store(rt, pr->key, bin, blen);
            if (pr->lean_key)
                store_lean(rt, pr->lean_key, bin, blen);
            free(bin);
        }
        pr->store_later = 0;
        free(pr->lean_key);
        pr->lean_key = NULL;
    }
}

/* The key of key's lean copy for rt's lean tag; NULL where none applies. */
static char *lean_key_of(const rt_ctx *rt, const char *key)
{
    if (!rt->lean || !rt->lean_tag[0])
        return NULL;
    const size_t n = strlen(key) + strlen(rt->lean_tag) + sizeof "|lean=";
    char *k = malloc(n);
    if (k)
        snprintf(k, n, "%s|lean=%s", key, rt->lean_tag);
    return k;
}

/* The program from its lean copy, or NULL (absent, refused, stale); a copy
 * that is not there counts as nothing in the statistics. */
static cl_program from_lean(rt_ctx *rt, const char *lean_key, const char *src, size_t len,
                            const char *options)
{
    const rt_cache_stats before = rt->stats;
    size_t blen = 0;
    unsigned char *bin = lean_key ? rt_cache_load(rt, lean_key, &blen) : NULL;
    cl_program p = bin ? from_binary(rt, bin, blen, options) : NULL;
    free(bin);
    if (p && !rt_cache_kernels_match(p, src, len)) {
        clReleaseProgram(p);
        p = NULL;
    }
    rt->stats = before;
    if (p)
        rt->stats.hits++, rt->stats.lean_hits++;
    return p;
}

static clcnn_status get_program(rt_ctx *rt, const char *label, const char *src, size_t len,
                                const char *options, cl_program *out, clcnn_err *err)
{
    if (!options)
        options = "";
    char *key = make_key(rt, src, len, options);
    if (!key)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "no memory for a program key");
    for (int i = 0; i < rt->n_progs; i++)
        if (strcmp(rt->progs[i].key, key) == 0) {
            free(key);
            *out = rt->progs[i].prog;
            return CLCNN_OK;
        }
    char *lean_key = lean_key_of(rt, key);
    cl_program p = from_lean(rt, lean_key, src, len, options);
    if (p) {
        free(lean_key);
        lean_key = NULL;
    }
    size_t blen = 0;
    unsigned char *bin = !p && rt->cache_dir ? rt_cache_load(rt, key, &blen) : NULL;
    if (bin) {
        p = from_binary(rt, bin, blen, options);
        if (p && !rt_cache_kernels_match(p, src, len)) { /* forged or stale: rebuild */
            clReleaseProgram(p);
            p = NULL;
        }
        if (p)
            rt->stats.hits++;
        else
            rt->stats.corrupt++; /* driver refused it: rebuild and overwrite below */
        if (!p || !rt_pocl_lean_ok(bin, blen)) { /* a lean copy only of a binary this
                                                     driver's format makes one of */
            free(lean_key);
            lean_key = NULL;
        }
        free(bin);
    }
    const int from_cache = p != NULL;
    if (!p && rt->cold_build && rt->lazy_kernels) {
        void (*fn)(void *) = rt->cold_build;
        rt->cold_build = NULL; /* once a context */
        fn(rt->cold_build_user);
    }
    if (!p) {
        clcnn_status st = from_source(rt, label, src, len, options, &p, err);
        if (st) {
            free(key);
            free(lean_key);
            return st;
        }
        if (rt->cache_dir && rt->store_now && (bin = get_binary(p, &blen))) {
            rt_cache_store(rt, key, bin, blen);
            free(bin);
        }
    }
    const int later = !from_cache && rt->cache_dir && !rt->store_now;
    clcnn_status st = remember(rt, key, p, err);
    if (st) {
        clReleaseProgram(p);
        free(key);
        free(lean_key);
        return st;
    }
    rt->progs[rt->n_progs - 1].store_later = later;
    rt->progs[rt->n_progs - 1].lean_key = lean_key; /* written at rt_destroy */
    *out = p;
    return CLCNN_OK;
}

/* Embedded source put in front of every kernels_cl program (see rt_program). */
#define RT_PRELUDE "act"
#define RT_JOIN_MAX 8

/* rt_program_joined's text into *out (malloc'd, NUL-terminated, *total
 * bytes): kernels_cl/act.cl, then each named file behind a #line that keeps
 * build-log line numbers those of the file itself (with its name when there
 * are several). The cache key hashes this text. label: the files, for
 * messages. */
static clcnn_status join_sources(const char *const *names, int n, char **out, size_t *total,
                                 char *label, size_t label_cap, clcnn_err *err)
{
    const char *src[RT_JOIN_MAX];
    size_t len[RT_JOIN_MAX], plen = 0, sum = 0;
    const char *prelude = NULL;
    size_t at = 0;
    label[0] = '\0';
    for (int i = 0; i < n; i++) {
        src[i] = rt_kernel_source(names[i], &len[i]);
        if (!src[i])
            return err_set(err, CLCNN_ERR_INVALID_ARG, "no embedded kernel 'kernels_cl/%s.cl'",
                           names[i]);
        if (strcmp(names[i], RT_PRELUDE) != 0 && !prelude)
            prelude = rt_kernel_source(RT_PRELUDE, &plen);
        sum += len[i] + strlen(names[i]) + 32;
        int w = snprintf(label + at, label_cap - at, "%skernels_cl/%s.cl", i ? "+" : "", names[i]);
        at = w < 0 || (size_t)w >= label_cap - at ? label_cap - 1 : at + (size_t)w;
    }
    char *joined = malloc(plen + sum + 1);
    if (!joined)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory preparing %s", label);
    size_t o = 0;
    if (prelude) {
        memcpy(joined, prelude, plen);
        o = plen;
    }
    for (int i = 0; i < n; i++) {
        if (prelude)
            o += (size_t)(n == 1 ? sprintf(joined + o, "\n#line 1\n")
                                 : sprintf(joined + o, "\n#line 1 \"%s.cl\"\n", names[i]));
        memcpy(joined + o, src[i], len[i]);
        o += len[i];
    }
    joined[o] = '\0';
    *total = o;
    *out = joined;
    return CLCNN_OK;
}

/* "name+name|options": what a caller asked for, to find a program built
 * earlier in this context without joining and hashing its text again. */
static char *make_lookup(const char *const *names, int n, const char *options)
{
    size_t sz = strlen(options) + 2;
    for (int i = 0; i < n; i++)
        sz += strlen(names[i]) + 1;
    char *l = malloc(sz);
    if (!l)
        return NULL;
    size_t o = 0;
    for (int i = 0; i < n; i++)
        o += (size_t)sprintf(l + o, "%s%s", i ? "+" : "", names[i]);
    sprintf(l + o, "|%s", options);
    return l;
}

clcnn_status rt_program_joined(rt_ctx *rt, const char *const *names, int n, const char *options,
                               cl_program *out, clcnn_err *err)
{
    if (!rt || !names || !out || n < 1 || n > RT_JOIN_MAX)
        return err_set(err, CLCNN_ERR_INVALID_ARG, "rt_program_joined: %d sources (1..%d)", n,
                       RT_JOIN_MAX);
    for (int i = 0; i < n; i++)
        if (!names[i])
            return err_set(err, CLCNN_ERR_INVALID_ARG, "rt_program_joined: NULL name");
    if (!options)
        options = "";
    char *lookup = make_lookup(names, n, options);
    if (!lookup)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "no memory for a program lookup key");
    for (int i = 0; i < rt->n_progs; i++)
        if (rt->progs[i].lookup && strcmp(rt->progs[i].lookup, lookup) == 0) {
            free(lookup);
            *out = rt->progs[i].prog;
            return CLCNN_OK;
        }
    char label[256], *joined = NULL;
    size_t total = 0;
    clcnn_status st = join_sources(names, n, &joined, &total, label, sizeof label, err);
    if (st) {
        free(lookup);
        return st;
    }
    st = get_program(rt, label, joined, total, options, out, err);
    free(joined);
    for (int i = 0; i < rt->n_progs && !st; i++)
        if (rt->progs[i].prog == *out && !rt->progs[i].lookup) {
            rt->progs[i].lookup = lookup;
            lookup = NULL;
            break;
        }
    free(lookup);
    return st;
}

clcnn_status rt_program(rt_ctx *rt, const char *name, const char *options, cl_program *out,
                        clcnn_err *err)
{
    if (!rt || !name || !out)
        return err_set(err, CLCNN_ERR_INVALID_ARG, "rt_program: NULL argument");
    return rt_program_joined(rt, &name, 1, options, out, err);
}

clcnn_status rt_program_from_source(rt_ctx *rt, const char *src, size_t len,
                                    const char *options, cl_program *out, clcnn_err *err)
{
    if (!rt || !src || !out)
        return err_set(err, CLCNN_ERR_INVALID_ARG, "rt_program_from_source: NULL argument");
    char label[64];
    snprintf(label, sizeof label, "program source %016llx",
             (unsigned long long)rt_fnv1a(RT_FNV_OFFSET, src, len));
    return get_program(rt, label, src, len, options, out, err);
}
