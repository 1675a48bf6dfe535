/* test_cl_cache.c — the on-disk program binary cache, each case in a fresh
 * temporary folder: miss then write, hit in a new context, every kind of
 * damaged entry read as corrupt and rebuilt (with the kernel still correct),
 * no_cache touching nothing, an unusable folder not failing builds, the
 * folder fallbacks, the store policy (on POCL, which caches compiled
 * kernels itself, entries are written at rt_destroy), the cold_build hook and
 * lean copies per workload (rt_pocl_lean.h). Prints first-build vs
 * cached-build times (no assertions). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/cl_fixture.h"

#define ENTRY_SUFFIX ".clbin"

static char *make_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s/clcnn-cache-test-XXXXXX", base && *base ? base : "/tmp");
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

/* rm -r for the flat (or one-level nested) folders these tests make. */
static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat sb;
        if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
            remove_tree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

/* Number of cache entries in dir; fails on a leftover temp file (a torn
 * write). The last entry's path goes to path when non-NULL. */
static int count_entries(const char *dir, char *path, size_t cap)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (!strncmp(e->d_name, ".tmp-", 5))
            fail_msg("leftover temp file %s/%s", dir, e->d_name);
        if (l > strlen(ENTRY_SUFFIX) && !strcmp(e->d_name + l - strlen(ENTRY_SUFFIX), ENTRY_SUFFIX)) {
            n++;
            if (path)
                snprintf(path, cap, "%s/%s", dir, e->d_name);
        }
    }
    closedir(d);
    return n;
}

static int count_all_files(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

static long file_size(const char *path)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    return (long)sb.st_size;
}

/* A context on dir, smoke built once, stats compared, kernel run, destroyed. */
static void round_trip(const char *dir, int no_cache, rt_cache_stats want, const char *what)
{
    rt_options opt = {.no_cache = no_cache, .cache_dir = dir, .store = RT_STORE_ALWAYS};
    rt_ctx *rt = clfx_create_opt(&opt);
    assert_non_null(rt);
    clcnn_err err = {0};
    cl_program p = NULL, again = NULL;
    clfx_check(rt_program(rt, "smoke", NULL, &p, &err), &err, what);
    clfx_check(rt_program(rt, "smoke", NULL, &again, &err), &err, what);
    assert_ptr_equal(p, again); /* the second ask is answered from memory */
    rt_cache_stats s = rt_get_cache_stats(rt);
    if (s.hits != want.hits || s.misses != want.misses || s.corrupt != want.corrupt ||
        s.writes != want.writes)
        fail_msg("%s: stats hits/misses/corrupt/writes = %d/%d/%d/%d, want %d/%d/%d/%d", what,
                 s.hits, s.misses, s.corrupt, s.writes, want.hits, want.misses, want.corrupt,
                 want.writes);
    clfx_check_smoke(rt, 1001);
    rt_destroy(rt);
}

static const rt_cache_stats MISS = {.misses = 1, .writes = 1};
static const rt_cache_stats HIT = {.hits = 1};
static const rt_cache_stats CORRUPT = {.corrupt = 1, .writes = 1};
static const rt_cache_stats NOTHING = {0};

/* Skips the case when there is no device (probing once, cache off). */
static int have_device(void)
{
    rt_options opt = {.no_cache = 1};
    rt_ctx *rt = clfx_create_opt(&opt);
    rt_destroy(rt);
    return rt != NULL;
}

static void write_bytes(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static unsigned char *read_bytes(const char *path, size_t *n)
{
    *n = (size_t)file_size(path);
    unsigned char *b = malloc(*n);
    assert_non_null(b);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(b, 1, *n, f), *n);
    fclose(f);
    return b;
}

/* Damages the entry with `damage`, then expects corrupt → rebuilt → hit. */
static void expect_recovery(const char *dir, const char *entry, const char *what,
                            void (*damage)(const char *entry))
{
    damage(entry);
    round_trip(dir, 0, CORRUPT, what);
    assert_int_equal(count_entries(dir, NULL, 0), 1);
    round_trip(dir, 0, HIT, what); /* the rewritten entry is good again */
}

static void damage_truncate(const char *e) { assert_int_equal(truncate(e, file_size(e) / 2), 0); }
static void damage_empty(const char *e) { assert_int_equal(truncate(e, 0), 0); }
static void damage_garbage(const char *e)
{
    size_t n = (size_t)file_size(e);
    unsigned char *g = malloc(n);
    assert_non_null(g);
    uint32_t s = 99;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        g[i] = (unsigned char)(s >> 24);
    }
    write_bytes(e, g, n);
    free(g);
}
/* Flips one byte at offset `at` from the start (>= 0) or end (< 0). */
static void flip_at(const char *e, long at)
{
    size_t n;
    unsigned char *b = read_bytes(e, &n);
    size_t i = at >= 0 ? (size_t)at : n - (size_t)(-at);
    b[i] ^= 0x5a;
    write_bytes(e, b, n);
    free(b);
}
static void damage_payload(const char *e) { flip_at(e, -1); }      /* checksum mismatch */
static void damage_key(const char *e) { flip_at(e, 20); }          /* inside the stored key */
static void damage_magic(const char *e) { flip_at(e, 0); }
static void damage_version(const char *e) { flip_at(e, 8); }

static void test_cache_lifecycle(void **state)
{
    (void)state;
    if (!have_device()) {
        skip();
        return;
    }
    char *dir = make_tmpdir();
    char entry[1024];
    round_trip(dir, 0, MISS, "first build");
    assert_int_equal(count_entries(dir, entry, sizeof entry), 1);
    assert_true(file_size(entry) > 64);
    round_trip(dir, 0, HIT, "cached build");
    expect_recovery(dir, entry, "truncated entry", damage_truncate);
    expect_recovery(dir, entry, "empty entry", damage_empty);
    expect_recovery(dir, entry, "garbage entry", damage_garbage);
    expect_recovery(dir, entry, "payload byte flipped", damage_payload);
    expect_recovery(dir, entry, "key byte flipped", damage_key);
    expect_recovery(dir, entry, "magic byte flipped", damage_magic);
    expect_recovery(dir, entry, "version byte flipped", damage_version);

    /* Options are part of the key: a second entry, not a hit on the first. */
    rt_options opt = {.cache_dir = dir, .store = RT_STORE_ALWAYS};
    rt_ctx *rt = clfx_create_opt(&opt);
    clcnn_err err = {0};
    cl_program p = NULL;
    clfx_check(rt_program(rt, "smoke", "-DCLCNN_OTHER=1", &p, &err), &err, "smoke -D");
    assert_int_equal(rt_get_cache_stats(rt).misses, 1);
    assert_int_equal(count_entries(dir, NULL, 0), 2);
    /* A failed build writes nothing. */
    static const char bad[] = "__kernel void k(void) { nope; }";
    assert_int_equal(rt_program_from_source(rt, bad, strlen(bad), NULL, &p, &err),
                     CLCNN_ERR_KERNEL_BUILD);
    err_clear(&err);
    assert_int_equal(rt_get_cache_stats(rt).writes, 1);
    assert_int_equal(count_entries(dir, NULL, 0), 2);
    rt_destroy(rt);
    remove_tree(dir);
    free(dir);
}

static void test_no_cache(void **state)
{
    (void)state;
    if (!have_device()) {
        skip();
        return;
    }
    char *dir = make_tmpdir();
    round_trip(dir, 1, NOTHING, "no_cache");
    round_trip(dir, 1, NOTHING, "no_cache again");
    assert_int_equal(count_all_files(dir), 0);
    /* no_cache also ignores an entry that is already there. */
    round_trip(dir, 0, MISS, "fill");
    round_trip(dir, 1, NOTHING, "no_cache with an entry present");
    remove_tree(dir);
    free(dir);
}

static void test_unusable_dir(void **state)
{
    (void)state;
    if (!have_device()) {
        skip();
        return;
    }
    char *dir = make_tmpdir();
    char file[600], under_file[700];
    snprintf(file, sizeof file, "%s/plain-file", dir);
    write_bytes(file, "x", 1);
    snprintf(under_file, sizeof under_file, "%s/sub/dir", file); /* mkdir -p must fail */
    round_trip(under_file, 0, NOTHING, "cache dir under a regular file");
    remove_tree(dir);
    free(dir);
}

/* Sets or unsets (v == NULL) an environment variable. */
static void set_env(const char *k, const char *v)
{
    if (v)
        assert_int_equal(setenv(k, v, 1), 0);
    else
        assert_int_equal(unsetenv(k), 0);
}

static char *saved(const char *k)
{
    const char *v = getenv(k);
    return v ? strdup(v) : NULL;
}

/* opt->cache_dir NULL: $CLCNN_CACHE_DIR, then $XDG_CACHE_HOME/clcnn, then
 * $HOME/.cache/clcnn, each created on demand. */
static void test_dir_fallbacks(void **state)
{
    (void)state;
    if (!have_device()) {
        skip();
        return;
    }
    char *keep_c = saved("CLCNN_CACHE_DIR"), *keep_x = saved("XDG_CACHE_HOME"),
         *keep_h = saved("HOME");
    char *dir = make_tmpdir();
    char sub[700];
    set_env("CLCNN_CACHE_DIR", dir);
    round_trip(NULL, 0, MISS, "$CLCNN_CACHE_DIR");
    assert_int_equal(count_entries(dir, NULL, 0), 1);

    set_env("CLCNN_CACHE_DIR", NULL);
    set_env("XDG_CACHE_HOME", dir);
    round_trip(NULL, 0, MISS, "$XDG_CACHE_HOME/clcnn");
    snprintf(sub, sizeof sub, "%s/clcnn", dir);
    assert_int_equal(count_entries(sub, NULL, 0), 1);

    set_env("XDG_CACHE_HOME", NULL);
    set_env("HOME", dir);
    round_trip(NULL, 0, MISS, "$HOME/.cache/clcnn");
    snprintf(sub, sizeof sub, "%s/.cache/clcnn", dir);
    assert_int_equal(count_entries(sub, NULL, 0), 1);

    set_env("CLCNN_CACHE_DIR", keep_c);
    set_env("XDG_CACHE_HOME", keep_x);
    set_env("HOME", keep_h);
    free(keep_c);
    free(keep_x);
    free(keep_h);
    snprintf(sub, sizeof sub, "%s/.cache", dir);
    remove_tree(sub);
    remove_tree(dir);
    free(dir);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Milliseconds for rt_program(name) in a fresh context on dir; -1 on a build
 * error (reported, not failed: other suites own those kernels). */
static double timed_build(const char *dir, const char *name, rt_cache_stats *stats)
{
    rt_options opt = {.cache_dir = dir, .store = RT_STORE_ALWAYS};
    rt_ctx *rt = clfx_create_opt(&opt);
    clcnn_err err = {0};
    cl_program p = NULL;
    double t0 = now_ms();
    clcnn_status st = rt_program(rt, name, NULL, &p, &err);
    double ms = now_ms() - t0;
    if (st)
        print_message("timing: %s does not build: %s\n", name, err.msg);
    err_clear(&err);
    *stats = rt_get_cache_stats(rt);
    rt_destroy(rt);
    return st ? -1.0 : ms;
}

static void test_build_times(void **state)
{
    (void)state;
    if (!have_device()) {
        skip();
        return;
    }
    /* The smoke kernel and the largest embedded program, the closest thing to
     * a real network's kernels. POCL keeps its own compile cache too
     * (POCL_KCACHE=0 disables it), so "first" may already be warm there. */
    const char *largest = "smoke";
    size_t best = 0;
    for (int i = 0; rt_kernel_name(i); i++) {
        size_t len = 0;
        rt_kernel_source(rt_kernel_name(i), &len);
        if (len > best) {
            best = len;
            largest = rt_kernel_name(i);
        }
    }
    const char *names[] = {"smoke", largest};
    for (int i = 0; i < 2; i++) {
        char *dir = make_tmpdir();
        rt_cache_stats s1, s2;
        double first = timed_build(dir, names[i], &s1);
        double cached = timed_build(dir, names[i], &s2);
        if (first >= 0 && cached >= 0) {
            size_t len = 0;
            rt_kernel_source(names[i], &len);
            print_message("build time kernels_cl/%s.cl (%zu bytes): first %.1f ms, cached %.1f ms"
                          " (%.1fx)\n", names[i], len, first, cached, first / cached);
            assert_int_equal(s1.writes, 1);
            assert_int_equal(s2.hits, 1);
        }
        remove_tree(dir);
        free(dir);
    }
}

/* Runs body(dir, kernel_cache) in a fresh folder once with POCL's kernel
 * cache as the environment has it and, on POCL, once more with
 * POCL_KERNEL_CACHE=0; kernel_cache: 1 on POCL with its cache on (where the
 * runtime defers program stores and calls cold_build). The variable is
 * restored after. Skips without a device. */
static void for_kernel_cache_settings(void (*body)(const char *dir, int kernel_cache))
{
    if (!have_device()) {
        skip();
        return;
    }
    rt_options probe = {.no_cache = 1};
    rt_ctx *rt = clfx_create_opt(&probe);
    const int pocl = strstr(rt_info(rt)->platform, "Portable Computing Language") != NULL;
    rt_destroy(rt);
    const char *old = getenv("POCL_KERNEL_CACHE");
    char *saved = old ? strdup(old) : NULL;
    for (int pocl_cache_off = 0; pocl_cache_off <= pocl; pocl_cache_off++) {
        if (pocl_cache_off)
            setenv("POCL_KERNEL_CACHE", "0", 1);
        else
            unsetenv("POCL_KERNEL_CACHE");
        char *dir = make_tmpdir();
        body(dir, pocl && !pocl_cache_off);
        remove_tree(dir);
        free(dir);
    }
    if (saved)
        setenv("POCL_KERNEL_CACHE", saved, 1);
    else
        unsetenv("POCL_KERNEL_CACHE");
    free(saved);
}

static void store_policy(const char *dir, int deferred)
{
    rt_options opt = {.cache_dir = dir}; /* .store = RT_STORE_AUTO */
    clcnn_err err = {0};
    cl_program p = NULL;
    rt_ctx *rt = clfx_create_opt(&opt);
    clfx_check(rt_program(rt, "smoke", NULL, &p, &err), &err, "smoke, auto store");
    assert_int_equal(rt_get_cache_stats(rt).misses, 1);
    assert_int_equal(rt_get_cache_stats(rt).writes, deferred ? 0 : 1);
    assert_int_equal(count_entries(dir, NULL, 0), deferred ? 0 : 1);
    rt_destroy(rt);
    assert_int_equal(count_entries(dir, NULL, 0), 1); /* written by now either way */
    const char *off = getenv("POCL_KERNEL_CACHE");
    char *keep = off ? strdup(off) : NULL;
    unsetenv("POCL_KERNEL_CACHE");
    rt = clfx_create_opt(&opt);
    clfx_check(rt_program(rt, "smoke", NULL, &p, &err), &err, "smoke, entry present");
    assert_int_equal(rt_get_cache_stats(rt).hits, 1);
    assert_int_equal(rt_get_cache_stats(rt).writes, 0);
    rt_destroy(rt);
    assert_int_equal(count_entries(dir, NULL, 0), 1); /* a hit is not written again */
    if (keep)
        setenv("POCL_KERNEL_CACHE", keep, 1);
    free(keep);
}

static int lean_hits(rt_ctx *rt)
{
    return rt_get_cache_stats(rt).lean_hits;
}

/* One context with rt_options.lean on dir under lean tag `tag`: smoke built
 * or loaded, run in work-groups of 64 and of 16; returns its stats. */
static rt_cache_stats lean_round(const char *dir, int lean, uint64_t tag, const char *what)
{
    rt_options opt = {.cache_dir = dir, .lean = lean}; /* .store = RT_STORE_AUTO */
    clcnn_err err = {0};
    cl_program p = NULL;
    rt_ctx *rt = clfx_create_opt(&opt);
    rt_set_lean_tag(rt, tag);
    clfx_check(rt_program(rt, "smoke", NULL, &p, &err), &err, what);
    const rt_cache_stats s = rt_get_cache_stats(rt);
    assert_int_equal(s.lean_hits, lean_hits(rt));
    clfx_check_smoke(rt, 1001);
    clfx_check_smoke_wg(rt, 333, 16); /* a work-group shape this context may not have seen */
    rt_destroy(rt);
    return s;
}

/* Lean copies (rt_pocl_lean.h) on POCL with its kernel cache on: written at
 * rt_destroy next to the whole binary, per lean tag; a context of the same
 * tag loads the copy (a hit, no bitcode) and still runs the kernel right, in
 * the work-group shape the tag's first context launched and in another (POCL's
 * generic function); another tag loads the whole binary and writes a copy of
 * its own; lean off reads none. Elsewhere (another driver, POCL_KERNEL_CACHE=0)
 * there are no copies and the cache behaves as before. */
static void lean_copies(const char *dir, int lazy)
{
    rt_cache_stats s = lean_round(dir, 1, 0x1111, "smoke, lean tag A, from source");
    assert_int_equal(s.misses, 1);
    assert_int_equal(s.deferred, lazy); /* the binary, and its lean copy, at destroy */
    assert_int_equal(count_entries(dir, NULL, 0), lazy ? 2 : 1);
    s = lean_round(dir, 1, 0x1111, "smoke, lean tag A again");
    assert_int_equal(s.hits, 1);
    assert_int_equal(s.lean_hits, lazy);
    assert_int_equal(s.deferred, 0);
    assert_int_equal(count_entries(dir, NULL, 0), lazy ? 2 : 1);
    s = lean_round(dir, 1, 0x2222, "smoke, lean tag B");
    assert_int_equal(s.hits, 1);
    assert_int_equal(s.lean_hits, 0);
    assert_int_equal(s.deferred, lazy); /* B's copy, at destroy */
    assert_int_equal(count_entries(dir, NULL, 0), lazy ? 3 : 1);
    s = lean_round(dir, 1, 0x2222, "smoke, lean tag B again");
    assert_int_equal(s.lean_hits, lazy);
    s = lean_round(dir, 0, 0x1111, "smoke, lean off");
    assert_int_equal(s.hits, 1);
    assert_int_equal(s.lean_hits, 0);
    assert_int_equal(s.deferred, 0);
    assert_int_equal(count_entries(dir, NULL, 0), lazy ? 3 : 1);
}

static void test_lean_copies(void **state)
{
    (void)state;
    for_kernel_cache_settings(lean_copies);
}

/* RT_STORE_AUTO on POCL (asking it for a binary compiles every kernel for a
 * generic work-group size) writes a program built from source only at
 * rt_destroy, after the work, unless POCL_KERNEL_CACHE=0 turns POCL's own
 * cache off; any other driver gets its entry at once. Either way a later
 * context finds it. */
static void test_store_policy(void **state)
{
    (void)state;
    for_kernel_cache_settings(store_policy);
}

static void count_call(void *user)
{
    (*(int *)user)++;
}

static void cold_build_hook(const char *dir, int lazy)
{
    int calls = 0;
    rt_options opt = {.cache_dir = dir, .store = RT_STORE_ALWAYS, .cold_build = count_call,
                      .cold_build_user = &calls};
    clcnn_err err = {0};
    cl_program p = NULL;
    rt_ctx *rt = clfx_create_opt(&opt);
    assert_int_equal(calls, 0); /* nothing built yet */
    clfx_check(rt_program(rt, "smoke", NULL, &p, &err), &err, "smoke, cold");
    assert_int_equal(calls, lazy);
    clfx_check(rt_program(rt, "smoke", "-DCLCNN_TEST_SECOND=1", &p, &err), &err, "second program");
    assert_int_equal(rt_get_cache_stats(rt).misses, 2);
    assert_int_equal(calls, lazy); /* once a context */
    rt_destroy(rt);
    calls = 0;
    rt = clfx_create_opt(&opt);
    clfx_check(rt_program(rt, "smoke", NULL, &p, &err), &err, "smoke, cached");
    assert_int_equal(rt_get_cache_stats(rt).hits, 1);
    assert_int_equal(calls, 0);
    rt_destroy(rt);
    rt_options none = {.no_cache = 1, .cold_build = count_call, .cold_build_user = &calls};
    rt = clfx_create_opt(&none);
    clfx_check(rt_program(rt, "smoke", NULL, &p, &err), &err, "smoke, no cache");
    assert_int_equal(calls, lazy);
    rt_destroy(rt);
}

/* The cold_build hook (rt_options, from clcnn_context_options.cold_build): on
 * POCL with its kernel cache on, called once, before the first program built
 * from source, however many follow, and with no disk cache too; never when
 * the program comes from the disk cache; never on a driver that compiles at
 * build time, nor on POCL with POCL_KERNEL_CACHE=0 (a helper process could
 * not share its kernels). */
static void test_cold_build_hook(void **state)
{
    (void)state;
    for_kernel_cache_settings(cold_build_hook);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cache_lifecycle), cmocka_unit_test(test_no_cache),
        cmocka_unit_test(test_unusable_dir),    cmocka_unit_test(test_dir_fallbacks),
        cmocka_unit_test(test_build_times),     cmocka_unit_test(test_store_policy),
        cmocka_unit_test(test_cold_build_hook), cmocka_unit_test(test_lean_copies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
