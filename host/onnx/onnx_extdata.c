/* onnx_extdata.c — reads a tensor's bytes from an ONNX external data file.
 * The location comes from the (untrusted) model, so it must stay inside the
 * model's folder: absolute paths and ".." escapes are refused lexically, and
 * symlinks that lead out are caught by comparing realpaths, all before the
 * file is opened. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "onnx_load_priv.h"

/* 1 when the relative path climbs above its starting folder ("a/../../x"). */
static int escapes(const char *loc)
{
    int depth = 0;
    const char *p = loc;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            if (--depth < 0)
                return 1;
        } else if (n && !(n == 1 && p[0] == '.')) {
            depth++;
        }
        p += n;
        while (*p == '/')
            p++;
    }
    return 0;
}

/* Fails unless the opened file's real path lies under model_dir. */
static clcnn_status check_inside(const char *model_dir, const char *full, const char *loc,
                                 const char *name, clcnn_err *err)
{
    char *real = realpath(full, NULL);
    if (!real)
        return err_set(err, CLCNN_ERR_IO, "tensor '%s': cannot resolve external data '%s': %s",
                       name, full, strerror(errno));
    size_t n = strlen(model_dir);
    int inside = strncmp(real, model_dir, n) == 0 && (real[n] == '/' || model_dir[n - 1] == '/');
    free(real);
    if (!inside)
        return err_set(err, CLCNN_ERR_PARSE,
                       "tensor '%s': external data location '%s' leads outside the model's folder (refused)",
                       name, loc);
    return CLCNN_OK;
}

static clcnn_status read_range(int fd, const char *full, int64_t off, size_t len, const char *name,
                               void **out, clcnn_err *err)
{
    char *buf = ir_data_alloc(len); /* becomes the tensor's data */
    if (!buf)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "tensor '%s': out of memory (%zu bytes)", name, len);
    size_t got = 0;
    while (got < len) {
        ssize_t r = pread(fd, buf + got, len - got, (off_t)(off + (int64_t)got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            free(buf);
            return err_set(err, CLCNN_ERR_IO, "tensor '%s': reading external data '%s' failed: %s",
                           name, full, r < 0 ? strerror(errno) : "unexpected end of file");
        }
        got += (size_t)r;
    }
    *out = buf;
    return CLCNN_OK;
}

/* Opens the external data file without ever blocking: the path must resolve
 * inside model_dir and name a regular file BEFORE it is opened (a FIFO there
 * would block open() forever), and O_NONBLOCK + fstat catch a swap between
 * the check and the open. */
static clcnn_status open_checked(const char *model_dir, const char *full, const char *loc,
                                 const char *name, int *fd_out, struct stat *sb, clcnn_err *err)
{
    clcnn_status st = check_inside(model_dir, full, loc, name, err);
    if (st)
        return st;
    if (stat(full, sb) || !S_ISREG(sb->st_mode))
        return err_set(err, CLCNN_ERR_IO, "tensor '%s': external data '%s' is not a regular file",
                       name, full);
    int fd = open(full, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return err_set(err, CLCNN_ERR_IO, "tensor '%s': cannot open external data '%s': %s", name,
                       full, strerror(errno));
    if (fstat(fd, sb) || !S_ISREG(sb->st_mode)) {
        close(fd);
        return err_set(err, CLCNN_ERR_IO, "tensor '%s': external data '%s' is not a regular file",
                       name, full);
    }
    *fd_out = fd;
    return CLCNN_OK;
}

clcnn_status onnx_extdata_read(const char *model_dir, const char *location, int64_t off,
                               int64_t len, int has_len, size_t want, const char *name,
                               void **out, clcnn_err *err)
{
    if (!model_dir)
        return err_set(err, CLCNN_ERR_UNSUPPORTED,
                       "tensor '%s': external data '%s' needs a model file (loaded from memory)",
                       name, location);
    if (location[0] == '/' || escapes(location))
        return err_set(err, CLCNN_ERR_PARSE,
                       "tensor '%s': external data location '%s' leads outside the model's folder (refused)",
                       name, location);
    char full[PATH_MAX];
    if ((size_t)snprintf(full, sizeof full, "%s/%s", model_dir, location) >= sizeof full)
        return err_set(err, CLCNN_ERR_PARSE, "tensor '%s': external data location is too long", name);
    int fd = -1;
    struct stat sb;
    clcnn_status st = open_checked(model_dir, full, location, name, &fd, &sb, err);
    if (st)
        return st;
    int64_t size = (int64_t)sb.st_size;
    if (!has_len)
        len = off <= size ? size - off : 0; /* absent length: the rest of the file */
    if (off > size || len > size - off)
        st = err_set(err, CLCNN_ERR_PARSE,
                     "tensor '%s': external data '%s' is too short: needs %lld bytes at offset %lld, file has %lld",
                     name, full, (long long)len, (long long)off, (long long)size);
    else if ((uint64_t)len != (uint64_t)want)
        st = err_set(err, CLCNN_ERR_PARSE,
                     "tensor '%s': external data length %lld does not match its dims (%zu bytes)",
                     name, (long long)len, want);
    if (!st)
        st = read_range(fd, full, off, want, name, out, err);
    close(fd);
    return st;
}
