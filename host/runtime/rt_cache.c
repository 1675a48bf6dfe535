/* rt_cache.c — the on-disk program binary cache: where it lives, and one
 * entry file per (device, driver, source, options) key. An entry carries the
 * full key and a payload checksum so a hash collision, a torn write or a
 * stray file reads as "corrupt" (rebuild) and never as a wrong program. A
 * non-file in an entry's place is removed (never opened), and a payload is
 * allocated only after the header says it fits the file. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
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

/* Anything but a regular file where an entry belongs (a FIFO would block
 * open() forever, a directory would make every store's rename fail) is
 * removed so the next store heals it: an empty directory with rmdir, a FIFO,
 * socket or symlink with unlink. A non-empty directory is left alone (never
 * delete a tree clcnn did not write) and reads as corrupt every time. */
static void remove_non_file(const char *path, const struct stat *sb)
{
    if (S_ISDIR(sb->st_mode))
        (void)rmdir(path);
    else if (!S_ISREG(sb->st_mode))
        (void)unlink(path);
}

static int read_full(int fd, unsigned char *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

/* Reads the entry for key: its header is read and checked (magic, version,
 * key, payload length against the file size) BEFORE the payload is
 * allocated, so a 1 GiB junk file costs 16 bytes of reading, not 1 GiB of
 * memory. Returns the payload (checksum verified) or NULL; *absent tells a
 * miss from a corrupt entry. */
static unsigned char *read_entry(const char *path, const char *key, size_t *plen, int *absent)
{
    struct stat sb;
    *absent = 0;
    if (lstat(path, &sb) != 0) {
        *absent = errno == ENOENT;
        return NULL;
    }
    if (!S_ISREG(sb.st_mode)) {
        remove_non_file(path, &sb);
        return NULL;
    }
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    unsigned char head[16], tail[16], *key_buf = NULL, *payload = NULL;
    size_t klen = strlen(key);
    int ok = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && read_full(fd, head, sizeof head) == 0 &&
             memcmp(head, cache_magic, 8) == 0 && get_u32(head + 8) == CACHE_FORMAT_VERSION &&
             get_u32(head + 12) == klen && klen <= CACHE_MAX_KEY && (key_buf = malloc(klen + 1)) &&
             read_full(fd, key_buf, klen) == 0 && memcmp(key_buf, key, klen) == 0 &&
             read_full(fd, tail, sizeof tail) == 0;
    uint64_t len = ok ? get_u64(tail) : 0;
    ok = ok && len > 0 && len <= CACHE_MAX_PAYLOAD &&
         (uint64_t)sb.st_size == 16 + klen + 16 + len && (payload = malloc((size_t)len)) &&
         read_full(fd, payload, (size_t)len) == 0 &&
         rt_fnv1a(RT_FNV_OFFSET, payload, (size_t)len) == get_u64(tail + 8);
    close(fd);
    free(key_buf);
    if (!ok) {
        free(payload);
        return NULL;
    }
    *plen = (size_t)len;
    return payload;
}

unsigned char *rt_cache_load(rt_ctx *rt, const char *key, size_t *len)
{
    char *path = rt_cache_entry_path(rt, key);
    if (!path)
        return NULL;
    size_t plen = 0;
    int absent = 0;
    unsigned char *b = read_entry(path, key, &plen, &absent);
    free(path);
    if (!b) {
        if (absent)
            rt->stats.misses++;
        else
            rt->stats.corrupt++;
        return NULL;
    }
    *len = plen;
    return b;
}

/* Names the program source declares with a plain "__kernel void name(" or
 * "kernel void name(" (kernels made by macros are not seen); each must be in
 * the program built from a cached binary. A forged entry (right key, valid
 * checksum, another program's binary) otherwise failed every run at
 * clCreateKernel with CL_INVALID_KERNEL_NAME instead of being rebuilt. */
int rt_cache_kernels_match(cl_program p, const char *src, size_t len)
{
    size_t n = 0;
    if (clGetProgramInfo(p, CL_PROGRAM_KERNEL_NAMES, 0, NULL, &n) != CL_SUCCESS || !n)
        return 0;
    char *names = malloc(n + 2);
    if (!names)
        return 0;
    int ok = clGetProgramInfo(p, CL_PROGRAM_KERNEL_NAMES, n, names + 1, NULL) == CL_SUCCESS;
    names[0] = ';';
    names[n] = ';'; /* ";a;b;" so each name is found with its separators */
    names[n + 1] = '\0';
    const char *end = src + len;
    for (const char *q = src; ok && q < end; q++) {
        const char *k = NULL;
        if ((q == src || q[-1] == '\n') && end - q > 14 && !strncmp(q, "__kernel void ", 14))
            k = q + 14;
        else if ((q == src || q[-1] == '\n') && end - q > 12 && !strncmp(q, "kernel void ", 12))
            k = q + 12;
        if (!k)
            continue;
        const char *e = k;
        while (e < end && (isalnum((unsigned char)*e) || *e == '_'))
            e++;
        if (e == k || e - k > 200)
            continue;
        char want[204];
        snprintf(want, sizeof want, ";%.*s;", (int)(e - k), k);
        ok = strstr(names, want) != NULL;
    }
    free(names);
    return ok;
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
    /* Readers only ever see a complete entry: the rename is atomic. A
     * directory (or other non-file) in the entry's place would make the
     * rename fail forever: remove it first. */
    struct stat sb;
    if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
        remove_non_file(path, &sb);
    if (fclose(f) == 0 && ok && rename(tmp, path) == 0)
        rt->stats.writes++;
    else
        unlink(tmp);
done:
    free(path);
    free(tmp);
}
