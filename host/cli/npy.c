/* npy.c — reading float32 .npy files, writing any numeric dtype. The header is a Python
 * dict literal; we parse only the three keys the format defines and refuse
 * anything we would misread (big-endian, other dtypes, Fortran order). */
#include "npy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static int parse_header(const char *hdr, npy_array *a, char *why, size_t wlen)
{
    const char *d = dict_value(hdr, "descr");
    const char *f = dict_value(hdr, "fortran_order");
    const char *s = dict_value(hdr, "shape");
    if (!d || !f || !s) {
        snprintf(why, wlen, "malformed NPY header");
        return -1;
    }
    if (strncmp(d, "'<f4'", 5) != 0) {
        char dt[16] = {0};
        sscanf(d, "'%15[^']'", dt);
        snprintf(why, wlen, "dtype '%s' is not float32 ('<f4')", dt);
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
    npy_array a = {0};
    char *hdr = NULL;
    char why[128];
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, err_len, "cannot open '%s': %s", path, strerror(errno));
        return -1;
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
    if (parse_header(hdr, &a, why, sizeof why)) {
        free(hdr);
        fclose(fp);
        return fail(err, err_len, path, why);
    }
    free(hdr);
    hdr = NULL;
    a.data = malloc(a.count ? a.count * sizeof(float) : 1);
    if (!a.data) {
        fclose(fp);
        return fail(err, err_len, path, "out of memory");
    }
    if (fread(a.data, sizeof(float), a.count, fp) != a.count)
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

    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp)
        return fail(err, err_len, path, "out of memory");
    snprintf(tmp, plen + 16, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, err_len, "cannot write '%s': %s", path, strerror(errno));
        free(tmp);
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
        ok = (fclose(fp) == 0) && ok;
    } else {
        close(fd);
    }
    if (!ok || rename(tmp, path) != 0) {
        snprintf(err, err_len, "cannot write '%s': %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
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
