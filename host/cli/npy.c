/* npy.c — reading .npy files of one expected dtype (float32 usually), writing any numeric dtype. The header is a Python
 * dict literal; we parse only the three keys the format defines and refuse
 * anything we would misread (big-endian, other dtypes, Fortran order). */
#include "npy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A header larger than this is not something numpy writes for our arrays. */
#define NPY_MAX_HEADER (1 << 20)
#define NPY_MAX_ELEMS ((size_t)1 << 31)

static int fail(char *err, size_t len, const char *path, const char *what)
{
    snprintf(err, len, "%s: %s", path, what);
    return -1;
}

/* Finds the value text after 'key': in the header dict. */
static const char *dict_value(const char *hdr, const char *key)
{
    char pat[32];
    snprintf(pat, sizeof pat, "'%s':", key);
    const char *p = strstr(hdr, pat);
    if (!p)
        return NULL;
    p += strlen(pat);
    while (*p == ' ')
        p++;
    return p;
}

static int parse_header(const char *hdr, const char *descr, const char *name, npy_array *a,
                        char *why, size_t wlen)
{
    const char *d = dict_value(hdr, "descr");
    const char *f = dict_value(hdr, "fortran_order");
    const char *s = dict_value(hdr, "shape");
    if (!d || !f || !s) {
        snprintf(why, wlen, "malformed NPY header");
        return -1;
    }
    char dt[16] = {0};
    sscanf(d, "'%15[^']'", dt);
    if (strcmp(dt, descr) != 0) {
        snprintf(why, wlen, "dtype '%s' is not %s ('%s')", dt, name, descr);
        return -1;
    }
    if (strncmp(f, "False", 5) != 0) {
        snprintf(why, wlen, "Fortran-order arrays are not supported");
        return -1;
    }
    if (*s != '(') {
        snprintf(why, wlen, "malformed shape in NPY header");
        return -1;
    }
    s++;
    a->ndim = 0;
    a->count = 1;
    while (*s && *s != ')') {
        while (*s == ' ' || *s == ',')
            s++;
        if (*s == ')')
            break;
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (end == s || errno || v < 0) {
            snprintf(why, wlen, "bad dimension in NPY shape");
            return -1;
        }
        if (a->ndim >= NPY_MAX_DIMS) {
            snprintf(why, wlen, "more than %d dimensions", NPY_MAX_DIMS);
            return -1;
        }
        a->dims[a->ndim++] = v;
        if (v && a->count > NPY_MAX_ELEMS / (size_t)v) {
            snprintf(why, wlen, "array too large");
            return -1;
        }
        a->count *= (size_t)v;
        s = end;
    }
    if (a->count > NPY_MAX_ELEMS) {
        snprintf(why, wlen, "array too large");
        return -1;
    }
    return 0;
}

int npy_read_f32(const char *path, npy_array *out, char *err, size_t err_len)
{
    return npy_read(path, "<f4", "float32", sizeof(float), out, err, err_len);
}

int npy_read(const char *path, const char *descr, const char *name, size_t esize, npy_array *out,
             char *err, size_t err_len)
{
    npy_array a = {0};
    char *hdr = NULL;
    char why[128];
    /* O_NONBLOCK + fstat: a FIFO named as input fails instead of blocking. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat sb;
    if (fd < 0) {
        snprintf(err, err_len, "cannot open '%s': %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
        close(fd);
        return fail(err, err_len, path, "not a regular file");
    }
    FILE *fp = fdopen(fd, "rb");
    if (!fp) {
        close(fd);
        return fail(err, err_len, path, "out of memory");
    }
    unsigned char pre[10];
    if (fread(pre, 1, 8, fp) != 8 || memcmp(pre, "\x93NUMPY", 6) != 0) {
        fclose(fp);
        return fail(err, err_len, path, "not an NPY file (bad magic)");
    }
    size_t hlen;
    if (pre[6] == 1) {
        if (fread(pre + 8, 1, 2, fp) != 2)
            goto truncated;
        hlen = (size_t)pre[8] | (size_t)pre[9] << 8;
    } else if (pre[6] == 2 || pre[6] == 3) {
        unsigned char l4[4];
        if (fread(l4, 1, 4, fp) != 4)
            goto truncated;
        hlen = (size_t)l4[0] | (size_t)l4[1] << 8 | (size_t)l4[2] << 16 | (size_t)l4[3] << 24;
    } else {
        fclose(fp);
        return fail(err, err_len, path, "unsupported NPY version");
    }
    if (hlen > NPY_MAX_HEADER) {
        fclose(fp);
        return fail(err, err_len, path, "NPY header too large");
    }
    hdr = malloc(hlen + 1);
    if (!hdr) {
        fclose(fp);
        return fail(err, err_len, path, "out of memory");
    }
    if (fread(hdr, 1, hlen, fp) != hlen)
        goto truncated;
    hdr[hlen] = '\0';
    if (parse_header(hdr, descr, name, &a, why, sizeof why)) {
        free(hdr);
        fclose(fp);
        return fail(err, err_len, path, why);
    }
    free(hdr);
    hdr = NULL;
    /* The header's shape is checked against the bytes actually there before
     * the array is allocated: a 100-byte file claiming 2^31 floats must not
     * cost 8 GiB first. */
    long pos = ftell(fp);
    if (pos < 0 || (uint64_t)sb.st_size - (uint64_t)pos != (uint64_t)a.count * esize) {
        char why2[160];
        snprintf(why2, sizeof why2, "shape needs %llu data bytes, file has %lld after the header",
                 (unsigned long long)a.count * esize,
                 pos < 0 ? -1LL : (long long)sb.st_size - (long long)pos);
        fclose(fp);
        return fail(err, err_len, path, why2);
    }
    a.data = malloc(a.count ? a.count * esize : 1);
    if (!a.data) {
        fclose(fp);
        return fail(err, err_len, path, "out of memory");
    }
    if (fread(a.data, esize, a.count, fp) != a.count)
        goto truncated;
    fclose(fp);
    *out = a;
    return 0;
truncated:
    free(hdr);
    free(a.data);
    fclose(fp);
    return fail(err, err_len, path, "truncated NPY file");
}

/* ---- temp files of atomic writes -------------------------------------------
 * "<path>.tmp<pid>-<n>", created O_EXCL with mode 0666 so the umask applies
 * (mkstemp's 0600 made every output private). The one being written is
 * remembered so SIGINT/SIGTERM/SIGHUP remove it; a temp left by a process
 * that no longer exists (kill -9, power loss) is removed by the next write
 * to the same path. */
static char cur_tmp[4096];
static volatile sig_atomic_t cur_tmp_set;

static void on_signal(int sig)
{
    if (cur_tmp_set)
        unlink(cur_tmp); /* async-signal-safe */
    signal(sig, SIG_DFL);
    raise(sig);
}

void npy_install_cleanup(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
}

/* Removes "<base>.tmp<pid>-*" beside path whose pid is gone. */
static void remove_stale_temps(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if ((size_t)snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + 1 : 0, path) >= sizeof dir)
        return;
    DIR *d = opendir(dir[0] ? dir : ".");
    if (!d)
        return;
    size_t bl = strlen(base);
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *n = e->d_name;
        if (strncmp(n, base, bl) != 0 || strncmp(n + bl, ".tmp", 4) != 0)
            continue;
        char *end;
        long pid = strtol(n + bl + 4, &end, 10);
        if (end == n + bl + 4 || *end != '-' || pid <= 0 || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* its writer may still be running */
        char full[4096 + 256];
        snprintf(full, sizeof full, "%s%s", dir, n);
        struct stat sb;
        if (lstat(full, &sb) == 0 && S_ISREG(sb.st_mode))
            unlink(full);
    }
    closedir(d);
}

static int open_temp(const char *path, char **tmp_out)
{
    remove_stale_temps(path);
    size_t len = strlen(path) + 48;
    char *tmp = malloc(len);
    if (!tmp)
        return -1;
    static unsigned counter;
    for (int tries = 0; tries < 100; tries++) {
        snprintf(tmp, len, "%s.tmp%ld-%u", path, (long)getpid(), counter++);
        if (strlen(tmp) < sizeof cur_tmp) {
            memcpy(cur_tmp, tmp, strlen(tmp) + 1);
            cur_tmp_set = 1;
        }
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            *tmp_out = tmp;
            return fd;
        }
        cur_tmp_set = 0;
        if (errno != EEXIST)
            break;
    }
    int e = errno;
    free(tmp);
    errno = e;
    return -1;
}

static void temp_done(char *tmp)
{
    cur_tmp_set = 0;
    free(tmp);
}

int npy_write(const char *path, const void *data, const char *descr, size_t elem_size, int ndim,
              const int64_t *dims, char *err, size_t err_len)
{
    char dict[512];
    size_t pos = (size_t)snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (",
                                  descr);
    size_t count = 1;
    for (int d = 0; d < ndim; d++) {
        pos += (size_t)snprintf(dict + pos, sizeof dict - pos, "%lld%s", (long long)dims[d],
                                ndim == 1 ? "," : (d + 1 < ndim ? ", " : ""));
        count *= (size_t)dims[d];
    }
    pos += (size_t)snprintf(dict + pos, sizeof dict - pos, "), }");
    /* v1 header: magic(6)+version(2)+len(2)+dict padded with spaces, '\n'-ended, to 64 bytes. */
    size_t total = 10 + pos + 1;
    size_t pad = (64 - total % 64) % 64;
    size_t hlen = pos + pad + 1;

    char *tmp = NULL;
    int fd = open_temp(path, &tmp);
    if (fd < 0) {
        snprintf(err, err_len, "cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    FILE *fp = fdopen(fd, "wb");
    int ok = fp != NULL;
    if (ok) {
        unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                                 (unsigned char)(hlen & 0xff), (unsigned char)(hlen >> 8)};
        ok = fwrite(pre, 1, 10, fp) == 10 && fwrite(dict, 1, pos, fp) == pos;
        for (size_t i = 0; ok && i < pad; i++)
            ok = fputc(' ', fp) != EOF;
        ok = ok && fputc('\n', fp) != EOF;
        ok = ok && fwrite(data, elem_size, count, fp) == count;
        /* on disk before the rename: a crash leaves the old file or the new one */
        ok = ok && fflush(fp) == 0 && fsync(fileno(fp)) == 0;
        ok = (fclose(fp) == 0) && ok;
    } else {
        close(fd);
    }
    if (!ok || rename(tmp, path) != 0) {
        snprintf(err, err_len, "cannot write '%s': %s", path, strerror(errno));
        unlink(tmp);
        temp_done(tmp);
        return -1;
    }
    temp_done(tmp);
    return 0;
}

int npy_write_f32(const char *path, const float *data, int ndim, const int64_t *dims,
                  char *err, size_t err_len)
{
    return npy_write(path, data, "<f4", sizeof(float), ndim, dims, err, err_len);
}

void npy_free(npy_array *a)
{
    if (!a)
        return;
    free(a->data);
    a->data = NULL;
}
