/* ext_tensor.c — NumPy arrays in and out of libclcnn: TensorInfo objects, the
 * checks on run()'s argument (every message names the input and says what was
 * expected), and library-allocated outputs wrapped as arrays without a copy.
 *
 * Policy (documented in clcnn/__init__.py): inputs must be numpy.ndarray of
 * dtype float32 — other dtypes are refused, as onnxruntime does, so a float64
 * array is never narrowed silently; a non-contiguous (or byte-swapped) float32
 * array is copied to C order, since slicing is ordinary NumPy use. */
#include "ext.h"

#include <stdio.h>

int ext_npy_type(clcnn_dtype t)
{
    switch (t) {
    case CLCNN_DTYPE_FLOAT32: return NPY_FLOAT32;
    case CLCNN_DTYPE_UINT8: return NPY_UINT8;
    case CLCNN_DTYPE_INT8: return NPY_INT8;
    case CLCNN_DTYPE_INT32: return NPY_INT32;
    case CLCNN_DTYPE_INT64: return NPY_INT64;
    case CLCNN_DTYPE_BOOL: return NPY_BOOL;
    case CLCNN_DTYPE_FLOAT64: return NPY_FLOAT64;
    case CLCNN_DTYPE_FLOAT16: return NPY_FLOAT16;
    case CLCNN_DTYPE_INT16: return NPY_INT16;
    case CLCNN_DTYPE_UINT16: return NPY_UINT16;
    case CLCNN_DTYPE_UINT32: return NPY_UINT32;
    case CLCNN_DTYPE_UINT64: return NPY_UINT64;
    default: return -1;
    }
}

PyObject *ext_tensor_info(const clcnn_tensor_info *t)
{
    PyObject *info = PyStructSequence_New(ext_TensorInfoType);
    PyObject *shape = PyTuple_New(t->ndim);
    int type = ext_npy_type(t->dtype);
    if (!info || !shape)
        goto fail;
    for (int k = 0; k < t->ndim; k++) {
        PyObject *d;
        if (k == 0 && t->dynamic_batch) {
            d = Py_None; /* any batch: as onnxruntime users see a symbolic dim */
            Py_INCREF(d);
        } else if (!(d = PyLong_FromLongLong((long long)t->dims[k]))) {
            goto fail;
        }
        PyTuple_SET_ITEM(shape, k, d);
    }
    PyObject *dtype = type >= 0 ? (PyObject *)PyArray_DescrFromType(type)
                                : PyUnicode_FromString(clcnn_dtype_str(t->dtype));
    PyObject *name = PyUnicode_DecodeUTF8(t->name ? t->name : "", t->name ? (Py_ssize_t)strlen(t->name) : 0,
                                          "replace");
    if (!dtype || !name) {
        Py_XDECREF(dtype);
        Py_XDECREF(name);
        goto fail;
    }
    PyStructSequence_SET_ITEM(info, 0, name);
    PyStructSequence_SET_ITEM(info, 1, shape);
    PyStructSequence_SET_ITEM(info, 2, dtype);
    PyStructSequence_SET_ITEM(info, 3, PyBool_FromLong(t->dynamic_batch));
    return info;
fail:
    Py_XDECREF(info);
    Py_XDECREF(shape);
    return NULL;
}

/* "(N, 3, 224, 224)" for the expected shape of t ('N' where the batch is free). */
static void want_str(const clcnn_tensor_info *t, int dynamic, char *buf, size_t len)
{
    size_t o = (size_t)snprintf(buf, len, "(");
    for (int k = 0; k < t->ndim && o < len; k++) {
        if (k == 0 && dynamic)
            o += (size_t)snprintf(buf + o, len - o, "N");
        else
            o += (size_t)snprintf(buf + o, len - o, "%lld", (long long)t->dims[k]);
        if (k + 1 < t->ndim && o < len)
            o += (size_t)snprintf(buf + o, len - o, ", ");
    }
    if (o < len)
        snprintf(buf + o, len - o, t->ndim == 1 ? ",)" : ")");
}

static void got_str(PyArrayObject *a, char *buf, size_t len)
{
    int nd = PyArray_NDIM(a);
    npy_intp *sh = PyArray_DIMS(a);
    size_t o = (size_t)snprintf(buf, len, "(");
    for (int k = 0; k < nd && o < len; k++)
        o += (size_t)snprintf(buf + o, len - o, "%lld%s", (long long)sh[k], k + 1 < nd ? ", " : "");
    if (o < len)
        snprintf(buf + o, len - o, nd == 1 ? ",)" : ")");
}

/* "'a', 'b'" for messages that list the model's inputs. */
static void names_str(const clcnn_tensor_info *infos, int n, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s'%s'", i ? ", " : "", infos[i].name);
}

/* Checks one input array and returns it as float32 C-contiguous (new ref);
 * *batch carries the first input's batch to the next ones (-1: none yet). */
static PyArrayObject *check_one(PyObject *obj, const clcnn_tensor_info *t, int allow_dynamic,
                                long long *batch, const char **batch_of)
{
    char want[160], got[160];
    if (obj == Py_None)
        return (PyArrayObject *)PyErr_Format(PyExc_TypeError,
                                             "input '%s' is None; expected a float32 numpy.ndarray", t->name);
    if (!PyArray_Check(obj))
        return (PyArrayObject *)PyErr_Format(PyExc_TypeError,
                                             "input '%s': expected a numpy.ndarray, got %.200s", t->name,
                                             Py_TYPE(obj)->tp_name);
    PyArrayObject *a = (PyArrayObject *)obj;
    PyArray_Descr *d = PyArray_DESCR(a);
    if (d->type_num != NPY_FLOAT32)
        return (PyArrayObject *)PyErr_Format(
            PyExc_TypeError,
            "input '%s': dtype %S, expected float32 (clcnn does not narrow silently: "
            "pass x.astype(numpy.float32))", t->name, (PyObject *)d);
    int dynamic = allow_dynamic && t->dynamic_batch;
    want_str(t, dynamic, want, sizeof want);
    got_str(a, got, sizeof got);
    int nd = PyArray_NDIM(a);
    npy_intp *sh = PyArray_DIMS(a);
    if (nd != t->ndim)
        return (PyArrayObject *)PyErr_Format(PyExc_ValueError,
                                             "input '%s': expected %d dimensions %s, got shape %s", t->name,
                                             t->ndim, want, got);
    for (int k = 1; k < nd; k++)
        if ((long long)sh[k] != (long long)t->dims[k])
            return (PyArrayObject *)PyErr_Format(PyExc_ValueError, "input '%s': expected shape %s, got %s",
                                                 t->name, want, got);
    if (nd >= 1 && sh[0] < 1)
        return (PyArrayObject *)PyErr_Format(PyExc_ValueError,
                                             "input '%s': batch (dim 0) is 0; need at least one item", t->name);
    if (nd >= 1 && dynamic) {
        if (*batch >= 0 && *batch != (long long)sh[0])
            return (PyArrayObject *)PyErr_Format(
                PyExc_ValueError, "input '%s' has batch %lld but input '%s' has batch %lld: every input "
                "needs the same batch", t->name, (long long)sh[0], *batch_of, *batch);
        *batch = (long long)sh[0];
        *batch_of = t->name;
    } else if (nd >= 1 && (long long)sh[0] != (long long)t->dims[0]) {
        return (PyArrayObject *)PyErr_Format(
            PyExc_ValueError,
            "input '%s': batch %lld, but this session's batch is fixed at %lld (the model's batch "
            "dimension is not symbolic: make the Session with batch=%lld)", t->name, (long long)sh[0],
            (long long)t->dims[0], (long long)sh[0]);
    }
    /* Copies only when needed: non-contiguous, misaligned or byte-swapped. */
    return (PyArrayObject *)PyArray_FromAny(obj, PyArray_DescrFromType(NPY_FLOAT32), 0, 0,
                                            NPY_ARRAY_IN_ARRAY, NULL);
}

/* Borrowed references to the n input objects, in the model's order. */
static int gather_items(PyObject *feed, const clcnn_tensor_info *infos, int n, PyObject **items)
{
    char names[512];
    names_str(infos, n, names, sizeof names);
    if (feed == Py_None) {
        PyErr_Format(PyExc_TypeError, "run() needs the input array(s) (%s), got None", names);
        return -1;
    }
    if (PyArray_Check(feed)) {
        if (n != 1) {
            PyErr_Format(PyExc_ValueError,
                         "got one array but the model has %d inputs (%s): pass a list of %d arrays or a "
                         "dict {name: array}", n, names, n);
            return -1;
        }
        items[0] = feed;
        return 0;
    }
    if (PyList_Check(feed) || PyTuple_Check(feed)) {
        Py_ssize_t len = PySequence_Fast_GET_SIZE(feed);
        if (len != n) {
            PyErr_Format(PyExc_ValueError, "expected %d input array(s) (%s), got %zd", n, names, len);
            return -1;
        }
        for (int i = 0; i < n; i++)
            items[i] = PySequence_Fast_GET_ITEM(feed, i);
        return 0;
    }
    if (!PyDict_Check(feed)) {
        PyErr_Format(PyExc_TypeError,
                     "run() takes a numpy.ndarray, a list of arrays or a dict {name: array}, got %.200s",
                     Py_TYPE(feed)->tp_name);
        return -1;
    }
    PyObject *key, *val;
    Py_ssize_t pos = 0;
    while (PyDict_Next(feed, &pos, &key, &val)) { /* unknown names first: usually a typo */
        if (!PyUnicode_Check(key)) {
            PyErr_Format(PyExc_TypeError, "input names must be str, got %.200s", Py_TYPE(key)->tp_name);
            return -1;
        }
        const char *k = PyUnicode_AsUTF8(key);
        if (!k)
            return -1;
        int found = 0;
        for (int i = 0; i < n && !found; i++)
            found = strcmp(k, infos[i].name) == 0;
        if (!found) {
            PyErr_Format(PyExc_ValueError, "unknown input '%s' (the model's inputs are %s)", k, names);
            return -1;
        }
    }
    for (int i = 0; i < n; i++) {
        items[i] = PyDict_GetItemString(feed, infos[i].name);
        if (!items[i]) {
            PyErr_Format(PyExc_ValueError, "missing input '%s' (the model's inputs are %s)", infos[i].name,
                         names);
            return -1;
        }
    }
    return 0;
}

int ext_parse_feed(PyObject *feed, const clcnn_tensor_info *infos, int n, int allow_dynamic,
                   PyArrayObject **arrays)
{
    PyObject **items = PyMem_Calloc((size_t)(n > 0 ? n : 1), sizeof *items);
    if (!items) {
        PyErr_NoMemory();
        return -1;
    }
    int rc = gather_items(feed, infos, n, items);
    long long batch = -1;
    const char *batch_of = "";
    for (int i = 0; rc == 0 && i < n; i++) {
        arrays[i] = check_one(items[i], &infos[i], allow_dynamic, &batch, &batch_of);
        if (!arrays[i]) {
            for (int j = 0; j < i; j++)
                Py_CLEAR(arrays[j]);
            rc = -1;
        }
    }
    PyMem_Free(items);
    return rc;
}

static void free_output(PyObject *capsule)
{
    clcnn_free(PyCapsule_GetPointer(capsule, "clcnn.output"));
}

PyObject *ext_array_from_output(clcnn_tensor *t)
{
    void *data = t->data;
    t->data = NULL; /* ours now, whatever happens below */
    int type = ext_npy_type(t->dtype);
    if (type < 0 || t->ndim < 0 || t->ndim > CLCNN_MAX_DIMS) {
        clcnn_free(data);
        char msg[128];
        snprintf(msg, sizeof msg, "output of dtype '%s' (%d) with %d dims has no NumPy equivalent",
                 clcnn_dtype_str(t->dtype), (int)t->dtype, t->ndim);
        return ext_raise(CLCNN_ERR_UNSUPPORTED, msg);
    }
    npy_intp dims[CLCNN_MAX_DIMS];
    size_t count = 1;
    for (int k = 0; k < t->ndim; k++) {
        dims[k] = (npy_intp)t->dims[k];
        count *= (size_t)t->dims[k];
    }
    PyArray_Descr *descr = PyArray_DescrFromType(type);
    size_t need = count * (size_t)PyDataType_ELSIZE(descr);
    Py_DECREF(descr);
    if (need == 0 || !data) {
        clcnn_free(data);
        return PyArray_ZEROS(t->ndim, dims, type, 0);
    }
    if (t->bytes < need) { /* never read past what the library handed over */
        clcnn_free(data);
        return ext_raise(CLCNN_ERR_INTERNAL, "an output buffer is smaller than its shape and dtype say");
    }
    PyObject *owner = PyCapsule_New(data, "clcnn.output", free_output);
    if (!owner) {
        clcnn_free(data);
        return NULL;
    }
    PyObject *arr = PyArray_SimpleNewFromData(t->ndim, dims, type, data);
    if (!arr) {
        Py_DECREF(owner);
        return NULL;
    }
    if (PyArray_SetBaseObject((PyArrayObject *)arr, owner) < 0) { /* steals owner */
        Py_DECREF(arr);
        return NULL;
    }
    return arr;
}
