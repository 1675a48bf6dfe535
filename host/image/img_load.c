/* img_load.c — reads an image file into memory, sniffs its format by magic
 * bytes (never by extension) and hands it to the JPEG or PNG decoder. Decoding
 * from memory keeps truncation detection in one place: the decoders see
 * exactly the bytes the file had. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image.h"

void img_free(img_rgb *im)
{
    if (!im)
        return;
    free(im->px);
    im->px = NULL;
    im->w = im->h = 0;
}

static clcnn_status read_all(const char *path, uint8_t **buf, size_t *len, clcnn_err *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return err_set(err, CLCNN_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return err_set(err, CLCNN_ERR_IO, "%s: is a directory, not an image", path);
    if (sb.st_size == 0)
        return err_set(err, CLCNN_ERR_PARSE, "%s: empty file (0 bytes), not an image", path);
    if ((unsigned long long)sb.st_size > IMG_MAX_FILE_BYTES)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "%s: file of %lld bytes exceeds the %llu-byte limit",
                       path, (long long)sb.st_size, IMG_MAX_FILE_BYTES);
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(err, CLCNN_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    size_t n = (size_t)sb.st_size;
    uint8_t *b = malloc(n);
    if (!b) {
        fclose(f);
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "%s: out of memory reading %zu bytes", path, n);
    }
    size_t got = fread(b, 1, n, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || got != n) {
        free(b);
        return err_set(err, CLCNN_ERR_IO, "%s: read error after %zu of %zu bytes", path, got, n);
    }
    *buf = b;
    *len = n;
    return CLCNN_OK;
}

clcnn_status img_decode_mem(const uint8_t *buf, size_t len, const char *name, img_rgb *out,
                            clcnn_err *err)
{
    static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (!buf || !name || !out)
        return err_set(err, CLCNN_ERR_INVALID_ARG, "img_decode_mem: NULL argument");
    if (len == 0)
        return err_set(err, CLCNN_ERR_PARSE, "%s: empty (0 bytes), not an image", name);
    if (len >= 3 && buf[0] == 0xFF && buf[1] == 0xD8 && buf[2] == 0xFF)
        return img_decode_jpeg(buf, len, name, out, err);
    if (len >= 8 && memcmp(buf, png_sig, 8) == 0)
        return img_decode_png(buf, len, name, out, err);
    return err_set(err, CLCNN_ERR_PARSE, "%s: not a JPEG or PNG file (unrecognised header)", name);
}

clcnn_status img_load(const char *path, img_rgb *out, clcnn_err *err)
{
    if (!path || !out)
        return err_set(err, CLCNN_ERR_INVALID_ARG, "img_load: NULL argument");
    uint8_t *buf = NULL;
    size_t len = 0;
    clcnn_status st = read_all(path, &buf, &len, err);
    if (st != CLCNN_OK)
        return st;
    st = img_decode_mem(buf, len, path, out, err);
    free(buf);
    return st;
}
