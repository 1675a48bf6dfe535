/* rt_cache.c — the on-disk program binary cache: where it lives, and one
 * entry file per (device, driver, source, options) key. An entry carries the
 * full key and a payload checksum so a hash collision, a torn write or a
 * stray file reads as "corrupt" (rebuild) and never as a wrong program. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rt_internal.h"

/* Entry layout, little-endian: magic[8] | u32 version | u32 key_len | key |
 * u64 payload_len | u64 payload_fnv1a | payload. Bump the version whenever
 * this layout or the meaning of the key changes. */
static const char cache_magic[8] = {'C', 'L', 'C', 'N', 'N', 'B', 'I', 'N'};
#define CACHE_FORMAT_VERSION 1u
#define CACHE_MAX_KEY (64u * 1024u)
#define CACHE_MAX_PAYLOAD ((uint64_t)1 << 30) /* a program binary over 1 GiB is junk */

uint64_t rt_fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* mkdir -p; 0 on success (or when it already exists as a folder). */
static int mkdir_p(char *path)
{
    for (char *s = path + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        int rc = mkdir(path, 0755);
        *s = '/';
        if (rc != 0 && errno != EEXIST)
            return -1;
    }
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return -1;
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode) ? 0 : -1;
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s", a, b);
    return s;
}

char *rt_cache_dir_resolve(const rt_options *opt)
{
    const char *env;
    char *dir = NULL;
    if (opt && opt->cache_dir && *opt->cache_dir)
        dir = strdup(opt->cache_dir);
    else if ((env = getenv("CLCNN_CACHE_DIR")) && *env)
        dir = strdup(env);
    else if ((env = getenv("XDG_CACHE_HOME")) && *env)
        dir = join(env, "clcnn");
    else if ((env = getenv("HOME")) && *env)
        dir = join(env, ".cache/clcnn");
    if (dir && mkdir_p(dir) != 0) {
        free(dir); /* unusable: run without a disk cache rather than fail */
        dir = NULL;
    }
    return dir;
}

char *rt_cache_entry_path(const rt_ctx *rt, const char *key)
{
    if (!rt->cache_dir)
        return NULL;
    char name[40];
    snprintf(name, sizeof name, "%016llx.clbin",
             (unsigned long long)rt_fnv1a(RT_FNV_OFFSET, key, strlen(key)));
    return join(rt->cache_dir, name);
}

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}
static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Whole file into memory; NULL when absent or unreadable. */
static unsigned char *slurp(const char *path, size_t *len, int *absent)
{
    FILE *f = fopen(path, "rb");
    *absent = !f && errno == ENOENT;
    if (!f)
        return NULL;
    unsigned char *buf = NULL;
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && sb.st_size >= 0 &&
        (uint64_t)sb.st_size <= CACHE_MAX_PAYLOAD + CACHE_MAX_KEY + 64 &&
        (buf = malloc((size_t)sb.st_size + 1)) &&
        fread(buf, 1, (size_t)sb.st_size, f) == (size_t)sb.st_size) {
        *len = (size_t)sb.st_size;
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

/* Validates a whole entry; returns the payload offset or 0 when unusable. */
static size_t check_entry(const unsigned char *b, size_t n, const char *key, size_t *plen)
{
    size_t klen = strlen(key);
    if (n < 16 || memcmp(b, cache_magic, 8) != 0 || get_u32(b + 8) != CACHE_FORMAT_VERSION)
        return 0;
    uint32_t stored_klen = get_u32(b + 12);
    if (stored_klen != klen || n < 16 + klen + 16 || memcmp(b + 16, key, klen) != 0)
        return 0;
    const unsigned char *h = b + 16 + klen;
    uint64_t len = get_u64(h), sum = get_u64(h + 8);
    size_t off = 16 + klen + 16;
    if (len == 0 || len != n - off || rt_fnv1a(RT_FNV_OFFSET, b + off, (size_t)len) != sum)
        return 0;
    *plen = (size_t)len;
    return off;
}

unsigned char *rt_cache_load(rt_ctx *rt, const char *key, size_t *len)
{
    char *path = rt_cache_entry_path(rt, key);
    if (!path)
        return NULL;
    size_t n = 0, plen = 0;
    int absent = 0;
    unsigned char *b = slurp(path, &n, &absent);
    free(path);
    if (!b) {
        if (absent)
            rt->stats.misses++;
        else
            rt->stats.corrupt++;
        return NULL;
    }
    size_t off = check_entry(b, n, key, &plen);
    if (!off) {
        rt->stats.corrupt++;
        free(b);
        return NULL;
    }
    memmove(b, b + off, plen);
    *len = plen;
    return b;
}

static int write_all(FILE *f, const void *p, size_t n) { return fwrite(p, 1, n, f) == n; }

void rt_cache_store(rt_ctx *rt, const char *key, const unsigned char *bin, size_t len)
{
    char *path = rt_cache_entry_path(rt, key);
    char *tmp = rt->cache_dir ? join(rt->cache_dir, ".tmp-XXXXXX") : NULL;
    if (!path || !tmp)
        goto done;
    int fd = mkstemp(tmp);
    if (fd < 0)
        goto done; /* read-only or full cache dir: the build itself succeeded */
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        close(fd);
        unlink(tmp);
        goto done;
    }
    size_t klen = strlen(key);
    unsigned char head[16], tail[16];
    memcpy(head, cache_magic, 8);
    put_u32(head + 8, CACHE_FORMAT_VERSION);
    put_u32(head + 12, (uint32_t)klen);
    put_u64(tail, (uint64_t)len);
    put_u64(tail + 8, rt_fnv1a(RT_FNV_OFFSET, bin, len));
    int ok = write_all(f, head, sizeof head) && write_all(f, key, klen) &&
             write_all(f, tail, sizeof tail) && write_all(f, bin, len) && fflush(f) == 0 &&
             fsync(fileno(f)) == 0;
    /* Readers only ever see a complete entry: the rename is atomic. */
    if (fclose(f) == 0 && ok && rename(tmp, path) == 0)
        rt->stats.writes++;
    else
        unlink(tmp);
done:
    free(path);
    free(tmp);
}
