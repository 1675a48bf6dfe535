/* npy.h — NumPy .npy files (v1/v2/v3), C order: what `run`, `compare` and
 * the tests exchange with Python. Read: one expected dtype (float32, or a model
 * input's); write: any numeric dtype. */
#ifndef CLCNN_CLI_NPY_H
#define CLCNN_CLI_NPY_H

#include <stddef.h>
#include <stdint.h>

#define NPY_MAX_DIMS 8

typedef struct npy_array {
    int ndim;
    int64_t dims[NPY_MAX_DIMS];
    size_t count;   /* element count */
    void *data;     /* owned (float32, or npy_read's descr); free with npy_free */
} npy_array;

/* Reads a little-endian float32 C-order array. On failure returns -1 and puts
 * a one-line reason naming the file in err (e.g. "x.npy: dtype '<f8' is not
 * float32 ('<f4')"). */
int npy_read_f32(const char *path, npy_array *out, char *err, size_t err_len);
/* Same for another little-endian dtype: descr as NumPy spells it ('<i8', '|b1'),
 * name for the message ("int64"), esize its bytes per element. */
int npy_read(const char *path, const char *descr, const char *name, size_t esize, npy_array *out,
             char *err, size_t err_len);
/* Writes atomically (temp file beside it, fsync, rename): never a half-written
 * file; created with mode 0666 & ~umask like any other output. */
int npy_write_f32(const char *path, const float *data, int ndim, const int64_t *dims,
                  char *err, size_t err_len);
/* Same for elements of another type: descr is NumPy's ('<i8', '|b1', ...). */
int npy_write(const char *path, const void *data, const char *descr, size_t elem_size, int ndim,
              const int64_t *dims, char *err, size_t err_len);
void npy_free(npy_array *a);
/* Makes SIGINT/SIGTERM/SIGHUP remove the temp file of a write in progress
 * (then die of the signal as before). The CLI calls it once at start. */
void npy_install_cleanup(void);

#endif
