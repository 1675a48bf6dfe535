/* onnx_tensor.c — one TensorProto (initializer or Constant value) into an IR
 * tensor's dtype, dims and owned payload. Handles raw_data and the typed
 * repeated fields; external data is read by onnx_extdata.c. Dims are checked
 * before any allocation so a hostile file cannot ask for 2^60 bytes. */
#include <stdlib.h>
#include <string.h>

#include "onnx_load_priv.h"

clcnn_status onnx_check_dims(const int64_t *dims, size_t n_dims, const char *what,
                             clcnn_err *err)
{
    if (n_dims > IR_MAX_DIMS)
        return err_set(err, CLCNN_ERR_UNSUPPORTED, "tensor '%s': %zu dims (clcnn handles up to %d)",
                       what, n_dims, IR_MAX_DIMS);
    for (size_t d = 0; d < n_dims; d++)
        if (dims[d] < 0)
            return err_set(err, CLCNN_ERR_SHAPE, "tensor '%s': dim %zu is negative (%lld)", what, d,
                           (long long)dims[d]);
    /* The product of the non-zero dims is bounded even for an empty tensor:
     * strides are products of a suffix of the dims, and [0, 2^21, 2^43] has
     * none elements but a stride that overflows int64 (found by fuzz_onnx). */
    int64_t n = 1;
    for (size_t d = 0; d < n_dims; d++) {
        if (dims[d] == 0)
            continue;
        if (dims[d] > IR_MAX_ELEMS || n > IR_MAX_ELEMS / dims[d])
            return err_set(err, CLCNN_ERR_SHAPE,
                           "tensor '%s': its non-zero dims make more than %lld elements (dim %zu is %lld)",
                           what, (long long)IR_MAX_ELEMS, d, (long long)dims[d]);
        n *= dims[d];
    }
    return CLCNN_OK;
}

/* Values in the typed repeated field that holds tp's dtype. ONNX packs
 * UINT8/INT8/UINT16/INT16/FLOAT16/BOOL/INT32 into int32_data and UINT32/UINT64
 * into uint64_data, one value per element. */
static size_t typed_count(const Onnx__TensorProto *tp)
{
    switch (tp->data_type) {
    case IR_DT_FLOAT: return tp->n_float_data;
    case IR_DT_INT64: return tp->n_int64_data;
    case IR_DT_DOUBLE: return tp->n_double_data;
    case IR_DT_UINT32:
    case IR_DT_UINT64: return tp->n_uint64_data;
    default: return tp->n_int32_data;
    }
}

static clcnn_status check_typed_count(const Onnx__TensorProto *tp, const char *name, int64_t numel,
                                      clcnn_err *err)
{
    size_t have = typed_count(tp);
    if (have != (size_t)numel)
        return err_set(err, CLCNN_ERR_PARSE, "tensor '%s': has %zu values, its dims need %lld",
                       name, have, (long long)numel);
    return CLCNN_OK;
}

/* Copies the typed repeated field (count checked already), narrowing each
 * element to dtype. */
static void copy_typed(const Onnx__TensorProto *tp, int64_t numel, void *dst)
{
    size_t n = (size_t)numel;
    if (!n) /* an empty tensor's repeated field is NULL: memcpy(NULL) is UB */
        return;
    switch (tp->data_type) {
    case IR_DT_FLOAT: memcpy(dst, tp->float_data, n * sizeof(float)); break;
    case IR_DT_INT64: memcpy(dst, tp->int64_data, n * sizeof(int64_t)); break;
    case IR_DT_DOUBLE: memcpy(dst, tp->double_data, n * sizeof(double)); break;
    case IR_DT_INT32: memcpy(dst, tp->int32_data, n * sizeof(int32_t)); break;
    case IR_DT_UINT64: memcpy(dst, tp->uint64_data, n * sizeof(uint64_t)); break;
    case IR_DT_UINT32:
        for (size_t i = 0; i < n; i++)
            ((uint32_t *)dst)[i] = (uint32_t)tp->uint64_data[i];
        break;
    case IR_DT_INT16:
    case IR_DT_UINT16:
    case IR_DT_FLOAT16: /* float16: int32_data holds the 16 bits of each value */
        for (size_t i = 0; i < n; i++)
            ((uint16_t *)dst)[i] = (uint16_t)tp->int32_data[i];
        break;
    default: /* UINT8, INT8, BOOL: one byte each */
        for (size_t i = 0; i < n; i++)
            ((uint8_t *)dst)[i] = (uint8_t)tp->int32_data[i];
        break;
    }
}

/* Fetches the key/value pairs of external_data that clcnn uses. */
static clcnn_status ext_keys(const Onnx__TensorProto *tp, const char *name, const char **loc,
                             int64_t *off, int64_t *len, int *has_len, clcnn_err *err)
{
    *loc = NULL;
    *off = 0;
    *len = 0;
    *has_len = 0;
    for (size_t i = 0; i < tp->n_external_data; i++) {
        const char *k = tp->external_data[i]->key, *v = tp->external_data[i]->value;
        if (!k || !v)
            continue;
        char *end = NULL;
        if (strcmp(k, "location") == 0) {
            *loc = v;
        } else if (strcmp(k, "offset") == 0 || strcmp(k, "length") == 0) {
            long long x = strtoll(v, &end, 10);
            if (end == v || *end || x < 0)
                return err_set(err, CLCNN_ERR_PARSE, "tensor '%s': external data %s '%s' is not a valid size",
                               name, k, v);
            if (k[0] == 'o') {
                *off = x;
            } else {
                *len = x;
                *has_len = 1;
            }
        }
    }
    if (!*loc || !**loc)
        return err_set(err, CLCNN_ERR_PARSE, "tensor '%s': external data without a location", name);
    return CLCNN_OK;
}

clcnn_status onnx_tensor_fill(Onnx__TensorProto *tp, const char *name,
                              const char *model_dir, ir_tensor *t, clcnn_err *err)
{
    int dtype = tp->has_data_type ? tp->data_type : 0;
    size_t esize = ir_dtype_size(dtype);
    if (!esize)
        return err_set(err, CLCNN_ERR_UNSUPPORTED, "tensor '%s': data type %s is not supported",
                       name, ir_dtype_name(dtype));
    clcnn_status st = onnx_check_dims(tp->dims, tp->n_dims, name, err);
    if (st)
        return st;
    int64_t numel = 1;
    for (size_t d = 0; d < tp->n_dims; d++)
        numel *= tp->dims[d];
    size_t nbytes = (size_t)numel * esize;
    void *data = NULL;

    if (tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) {
        const char *loc;
        int64_t off, len;
        int has_len;
        st = ext_keys(tp, name, &loc, &off, &len, &has_len, err);
        if (!st)
            st = onnx_extdata_read(model_dir, loc, off, len, has_len, nbytes, name, &data, err);
        if (st)
            return st;
    } else {
        /* The bytes present are checked against the dims before anything is
         * allocated: a 40-byte tensor claiming 2^30 elements must not cost
         * 4 GiB first. */
        if (tp->has_raw_data && tp->raw_data.len != nbytes)
            return err_set(err, CLCNN_ERR_PARSE, "tensor '%s': raw_data has %zu bytes, its dims need %zu",
                           name, tp->raw_data.len, nbytes);
        if (!tp->has_raw_data && (st = check_typed_count(tp, name, numel, err)))
            return st;
        /* A page-aligned raw_data (the loader's unpack allocator makes its
         * large blocks as ir_data_alloc does) becomes the payload: taken, not
         * copied, and no longer the message's to free. */
        if (tp->has_raw_data && nbytes >= IR_PAGE && (uintptr_t)tp->raw_data.data % IR_PAGE == 0) {
            data = tp->raw_data.data;
            tp->raw_data.data = NULL;
            tp->raw_data.len = 0;
            tp->has_raw_data = 0;
            goto filled;
        }
        /* malloc(1) for empty tensors: a non-NULL data is what marks a constant. */
        data = ir_data_alloc(nbytes);
        if (!data)
            return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "tensor '%s': out of memory (%zu bytes)",
                           name, nbytes);
        if (tp->has_raw_data) {
            if (nbytes) /* little-endian host assumed, as ONNX stores raw_data */
                memcpy(data, tp->raw_data.data, nbytes);
        } else {
            copy_typed(tp, numel, data);
        }
    }
filled:
    t->dtype = dtype;
    t->ndim = (int)tp->n_dims;
    for (size_t d = 0; d < tp->n_dims; d++)
        t->dims[d] = tp->dims[d];
    free(t->data);
    t->data = data;
    return CLCNN_OK;
}
