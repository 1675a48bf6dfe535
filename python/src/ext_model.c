/* ext_model.c — clcnn.Model: one loaded model (ONNX file or built-in
 * architecture), immutable and shareable between threads and Sessions; its
 * image preprocessing and labels, as `clcnn classify` uses them; and
 * clcnn_compare. Loading runs with the GIL released. */
#include "ext.h"

#include <stdio.h>

static void model_destroy(ext_Model *m)
{
    clcnn_model *x = m->m;
    m->m = NULL;
    if (!x)
        return;
    clcnn_model_destroy(x); /* host memory only: quick, no GIL release needed */
    ext_context_drop_user(m->context);
}

void ext_model_forget(ext_Model *m)
{
    if (!m->m)
        return;
    m->m = NULL;
    m->closed = 1;
    ext_context_drop_user(m->context);
}

void ext_model_add_user(ext_Model *m)
{
    m->users++;
}

void ext_model_drop_user(ext_Model *m)
{
    if (--m->users == 0 && m->closed)
        model_destroy(m);
}

int ext_model_check_open(ext_Model *m)
{
    if (m->closed || !m->m) {
        PyErr_SetString(PyExc_ValueError, "the Model is closed");
        return -1;
    }
    return 0;
}

/* Builtin options given as keywords; any non-zero one asks for clcnn_model_builtin. */
typedef struct {
    double width, depth;
    int classes, input_size;
    unsigned long long seed;
    int any;
} builtin_args;

static int parse_builtin(PyObject *width, PyObject *depth, PyObject *classes, PyObject *input_size,
                         PyObject *seed, builtin_args *b)
{
    memset(b, 0, sizeof *b);
    if (width != Py_None && ((b->width = PyFloat_AsDouble(width)) == -1.0 && PyErr_Occurred()))
        return -1;
    if (depth != Py_None && ((b->depth = PyFloat_AsDouble(depth)) == -1.0 && PyErr_Occurred()))
        return -1;
    if (classes != Py_None && ((b->classes = PyLong_AsLong(classes)) == -1 && PyErr_Occurred()))
        return -1;
    if (input_size != Py_None && ((b->input_size = PyLong_AsLong(input_size)) == -1 && PyErr_Occurred()))
        return -1;
    if (seed != Py_None) {
        PyObject *zero = PyLong_FromLong(0);
        int neg = zero ? PyObject_RichCompareBool(seed, zero, Py_LT) : -1;
        Py_XDECREF(zero);
        if (neg != 0) {
            if (neg > 0)
                PyErr_SetString(PyExc_ValueError, "seed must be >= 0");
            return -1;
        }
        b->seed = PyLong_AsUnsignedLongLong(seed);
        if (PyErr_Occurred())
            return -1;
    }
    if (b->width < 0 || b->depth < 0 || b->classes < 0 || b->input_size < 0) {
        PyErr_SetString(PyExc_ValueError, "width, depth, classes and input_size must be >= 0 (0: the family default)");
        return -1;
    }
    b->any = width != Py_None || depth != Py_None || classes != Py_None || input_size != Py_None ||
             seed != Py_None;
    return 0;
}

/* What Model() loads: a file or built-in name, or a serialized model in memory. */
typedef struct {
    const char *name; /* file or built-in name (NULL when from memory) */
    const void *buf;  /* serialized ONNX model, len bytes */
    size_t len;
} model_source;

/* Loads into c under its create lock (so the message read is this load's). */
static clcnn_status load(ext_Context *c, const model_source *src, const builtin_args *b, clcnn_model **out,
                         char *err, size_t len)
{
    clcnn_status st;
    clcnn_builtin_options o;
    clcnn_builtin_options_init(&o);
    o.width = (float)b->width;
    o.depth = (float)b->depth;
    o.classes = b->classes;
    o.input_size = b->input_size;
    o.seed = b->seed;
    Py_BEGIN_ALLOW_THREADS
    PyThread_acquire_lock(c->create_lock, WAIT_LOCK);
    if (!src->name)
        st = clcnn_model_load_mem(c->ctx, src->buf, src->len, NULL, out);
    else if (b->any)
        st = clcnn_model_builtin(c->ctx, src->name, &o, out);
    else
        st = clcnn_model_load(c->ctx, src->name, out);
    if (st != CLCNN_OK)
        snprintf(err, len, "%s", clcnn_context_last_error(c->ctx));
    PyThread_release_lock(c->create_lock);
    Py_END_ALLOW_THREADS
    return st;
}

/* The context to load into: the one given, or a private reference context. */
static ext_Context *model_context(PyObject *context)
{
    if (context == Py_None) /* loading needs no device: a reference context starts no OpenCL */
        return ext_context_new("ref", 1, NULL);
    if (!PyObject_TypeCheck(context, &ext_ContextType))
        return (ext_Context *)PyErr_Format(PyExc_TypeError,
                                           "Model(): context must be a clcnn.Context or None, got %.200s",
                                           Py_TYPE(context)->tp_name);
    if (ext_context_check_open((ext_Context *)context) < 0)
        return NULL;
    Py_INCREF(context);
    return (ext_Context *)context;
}

static PyObject *Model_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"path", "context", "width", "depth", "classes", "input_size", "seed", NULL};
    PyObject *path = Py_None, *context = Py_None, *width = Py_None, *depth = Py_None, *classes = Py_None,
             *input_size = Py_None, *seed = Py_None, *fs = NULL, *result = NULL;
    Py_buffer view = {0};
    model_source src = {CLCNN_DEFAULT_MODEL, NULL, 0};
    builtin_args b;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O$OOOOOO:Model", kwlist, &path, &context, &width, &depth,
                                     &classes, &input_size, &seed) ||
        parse_builtin(width, depth, classes, input_size, seed, &b) < 0)
        return NULL;
    if (path == Py_None) {
        /* the default model */
    } else if (PyUnicode_Check(path) || PyObject_HasAttrString(path, "__fspath__")) {
        if (!PyUnicode_FSConverter(path, &fs))
            return NULL;
        src.name = PyBytes_AS_STRING(fs);
    } else if (PyObject_CheckBuffer(path)) {
        /* bytes: the model itself, as onnxruntime's InferenceSession takes it */
        if (PyObject_GetBuffer(path, &view, PyBUF_SIMPLE) < 0)
            return NULL;
        src = (model_source){NULL, view.buf, (size_t)view.len};
    } else {
        return PyErr_Format(PyExc_TypeError,
                            "Model(): path must be a str or os.PathLike (an ONNX file or a built-in "
                            "architecture name) or bytes (a serialized ONNX model), got %.200s",
                            Py_TYPE(path)->tp_name);
    }
    ext_Context *c = NULL;
    ext_Model *m = NULL;
    if (b.any && (path == Py_None || !src.name)) {
        PyErr_SetString(PyExc_ValueError,
                        "Model(): width/depth/classes/input_size/seed need a built-in architecture name "
                        "(see clcnn.builtins())");
        goto done;
    }
    if (!(c = model_context(context)) || !(m = (ext_Model *)type->tp_alloc(type, 0)))
        goto done;
    m->context = c; /* the model owns the reference from here */
    c = NULL;
    ext_context_add_user(m->context); /* before the GIL is released: close() now waits for us */
    char err[EXT_ERR_LEN] = "";
    clcnn_model *x = NULL;
    clcnn_status st = load(m->context, &src, &b, &x, err, sizeof err);
    if (st != CLCNN_OK) {
        ext_context_drop_user(m->context);
        ext_raise(st, err);
        goto done;
    }
    m->m = x;
    result = (PyObject *)m;
    m = NULL;
done:
    Py_XDECREF(m);
    Py_XDECREF(c);
    Py_XDECREF(fs);
    if (view.obj)
        PyBuffer_Release(&view);
    return result;
}

static void Model_dealloc(ext_Model *m)
{
    model_destroy(m); /* sessions hold references: none is open here */
    Py_XDECREF(m->context);
    Py_TYPE(m)->tp_free((PyObject *)m);
}

static PyObject *Model_close(ext_Model *m, PyObject *unused)
{
    m->closed = 1;
    if (m->users == 0)
        model_destroy(m);
    Py_RETURN_NONE;
}

static PyObject *Model_enter(ext_Model *m, PyObject *unused)
{
    if (ext_model_check_open(m) < 0)
        return NULL;
    Py_INCREF(m);
    return (PyObject *)m;
}

static PyObject *Model_exit(ext_Model *m, PyObject *args)
{
    return Model_close(m, NULL);
}

/* ---- inputs, outputs, layers ------------------------------------------------- */

static PyObject *infos(ext_Model *m, int outputs)
{
    if (ext_model_check_open(m) < 0)
        return NULL;
    int n = outputs ? clcnn_model_num_outputs(m->m) : clcnn_model_num_inputs(m->m);
    PyObject *t = PyTuple_New(n);
    for (int i = 0; t && i < n; i++) {
        clcnn_tensor_info ti;
        clcnn_status st = outputs ? clcnn_model_output(m->m, i, &ti) : clcnn_model_input(m->m, i, &ti);
        PyObject *o = st == CLCNN_OK ? ext_tensor_info(&ti) : ext_raise(st, "cannot describe a model tensor");
        if (!o)
            Py_CLEAR(t);
        else
            PyTuple_SET_ITEM(t, i, o);
    }
    return t;
}

static PyObject *Model_inputs(ext_Model *m, void *unused) { return infos(m, 0); }
static PyObject *Model_outputs(ext_Model *m, void *unused) { return infos(m, 1); }

static PyObject *Model_path(ext_Model *m, void *unused)
{
    if (ext_model_check_open(m) < 0)
        return NULL;
    const char *p = clcnn_model_path(m->m);
    if (!p)
        Py_RETURN_NONE;
    return PyUnicode_DecodeFSDefault(p);
}

static PyObject *Model_context(ext_Model *m, void *unused)
{
    Py_INCREF(m->context);
    return (PyObject *)m->context;
}

static PyObject *Model_closed(ext_Model *m, void *unused)
{
    return PyBool_FromLong(m->closed);
}

static int output_index(ext_Model *m, PyObject *arg, int *i)
{
    long v = PyLong_AsLong(arg);
    if (v == -1 && PyErr_Occurred())
        return -1;
    int n = clcnn_model_num_outputs(m->m);
    if (v < 0 || v >= n) {
        PyErr_Format(PyExc_IndexError, "output index %ld out of range (the model has %d outputs)", v, n);
        return -1;
    }
    *i = (int)v;
    return 0;
}

static PyObject *Model_output_op(ext_Model *m, PyObject *args)
{
    PyObject *idx = NULL;
    int i = 0;
    if (!PyArg_ParseTuple(args, "|O:output_op", &idx) || ext_model_check_open(m) < 0 ||
        (idx && output_index(m, idx, &i) < 0))
        return NULL;
    const char *op = clcnn_model_output_op(m->m, i);
    return PyUnicode_FromString(op ? op : "");
}

static PyObject *Model_label(ext_Model *m, PyObject *args)
{
    int index;
    if (!PyArg_ParseTuple(args, "i:label", &index) || ext_model_check_open(m) < 0)
        return NULL;
    if (index < 0)
        return PyErr_Format(PyExc_ValueError, "label(): class index %d is negative", index);
    char buf[512];
    const char *l = clcnn_model_label(m->m, index, buf, sizeof buf);
    return PyUnicode_DecodeUTF8(l, (Py_ssize_t)strlen(l), "replace");
}

static PyObject *layer_dict(const clcnn_layer_info *l)
{
    PyObject *shape = PyTuple_New(l->ndim), *inputs = PyTuple_New(l->n_inputs);
    for (int k = 0; shape && k < l->ndim; k++)
        PyTuple_SET_ITEM(shape, k, PyLong_FromLongLong((long long)l->dims[k]));
    for (int k = 0; inputs && k < l->n_inputs; k++)
        PyTuple_SET_ITEM(inputs, k, PyLong_FromLong(l->inputs[k]));
    if (!shape || !inputs) {
        Py_XDECREF(shape);
        Py_XDECREF(inputs);
        return NULL;
    }
    return Py_BuildValue("{s:s,s:s,s:N,s:L,s:L,s:L,s:N}", "name", l->name ? l->name : "", "op",
                         l->op ? l->op : "", "shape", shape, "params", (long long)l->params, "non_trainable",
                         (long long)l->non_trainable, "macs", (long long)l->macs, "inputs", inputs);
}

static PyObject *Model_layers(ext_Model *m, PyObject *unused)
{
    if (ext_model_check_open(m) < 0)
        return NULL;
    int n = clcnn_model_num_layers(m->m);
    PyObject *list = PyList_New(0);
    for (int i = 0; list && i < n; i++) {
        clcnn_layer_info l;
        clcnn_status st = clcnn_model_layer(m->m, i, &l);
        PyObject *d = st == CLCNN_OK ? layer_dict(&l) : ext_raise(st, "cannot describe a layer");
        if (!d || PyList_Append(list, d) < 0)
            Py_CLEAR(list);
        Py_XDECREF(d);
    }
    return list;
}

/* ---- preprocessing ------------------------------------------------------------- */

/* "1", "0.5", "0.485,0.456,0.406", "nhwc": how a Python value reads as a setting. */
static PyObject *setting_str(PyObject *v)
{
    if (PyBool_Check(v))
        return PyUnicode_FromString(v == Py_True ? "1" : "0");
    if (PyList_Check(v) || PyTuple_Check(v)) {
        PyObject *sep = PyUnicode_FromString(","), *parts = PyList_New(0), *out = NULL;
        Py_ssize_t n = PySequence_Fast_GET_SIZE(v);
        for (Py_ssize_t i = 0; sep && parts && i < n; i++) {
            PyObject *s = PyObject_Str(PySequence_Fast_GET_ITEM(v, i));
            if (!s || PyList_Append(parts, s) < 0)
                Py_CLEAR(parts);
            Py_XDECREF(s);
        }
        if (sep && parts)
            out = PyUnicode_Join(sep, parts);
        Py_XDECREF(sep);
        Py_XDECREF(parts);
        return out;
    }
    return PyObject_Str(v);
}

/* The model's preprocessing with keyword overrides applied in order. */
static int model_prep(ext_Model *m, PyObject *overrides, clcnn_preprocess *p)
{
    char err[EXT_ERR_LEN] = "";
    clcnn_preprocess_init(p);
    clcnn_status st = clcnn_model_preprocess(m->m, p, err, sizeof err);
    if (st != CLCNN_OK) {
        ext_raise(st, err);
        return -1;
    }
    PyObject *key, *val;
    Py_ssize_t pos = 0;
    while (overrides && PyDict_Next(overrides, &pos, &key, &val)) {
        PyObject *s = setting_str(val);
        const char *k = PyUnicode_AsUTF8(key), *v = s ? PyUnicode_AsUTF8(s) : NULL;
        if (!k || !v) {
            Py_XDECREF(s);
            return -1;
        }
        st = clcnn_preprocess_set(p, k, v, err, sizeof err);
        Py_DECREF(s);
        if (st != CLCNN_OK) {
            /* A wrong key or value is the caller's argument: ValueError, the library's words. */
            PyErr_Format(PyExc_ValueError, "preprocessing %s=%R: %s", k, val, err);
            return -1;
        }
    }
    return 0;
}

static PyObject *Model_preprocessing(ext_Model *m, PyObject *args, PyObject *kw)
{
    clcnn_preprocess p;
    if (PyTuple_GET_SIZE(args) != 0)
        return PyErr_Format(PyExc_TypeError, "preprocessing() takes only keyword overrides");
    if (ext_model_check_open(m) < 0 || model_prep(m, kw, &p) < 0)
        return NULL;
    return Py_BuildValue("{s:i,s:i,s:s,s:d,s:(ddd),s:(ddd),s:O,s:s}", "resize", p.resize, "crop", p.crop,
                         "mapping", clcnn_mapping_str(p.mapping), "scale", (double)p.scale, "mean",
                         (double)p.mean[0], (double)p.mean[1], (double)p.mean[2], "std", (double)p.std[0],
                         (double)p.std[1], (double)p.std[2], "bgr", p.bgr ? Py_True : Py_False, "layout",
                         p.nhwc ? "nhwc" : "nchw");
}

/* An empty image tensor for p: [1,3,crop,crop] (or [1,crop,crop,3]); NULL with
 * an exception when p has no crop (the size would depend on the photo). */
static PyObject *prep_array(const clcnn_preprocess *p, const char *what)
{
    if (p->crop <= 0)
        return PyErr_Format(PyExc_ValueError,
                            "%s() needs crop > 0: without a crop the tensor's size depends on the photo", what);
    npy_intp dims[4] = {1, 3, p->crop, p->crop};
    if (p->nhwc) {
        dims[1] = p->crop;
        dims[3] = 3;
    }
    return PyArray_SimpleNew(4, dims, NPY_FLOAT32);
}

static PyObject *Model_preprocess_image(ext_Model *m, PyObject *args, PyObject *kw)
{
    PyObject *path, *bytes = NULL;
    clcnn_preprocess p;
    if (!PyArg_ParseTuple(args, "O:preprocess_image", &path) || ext_model_check_open(m) < 0)
        return NULL;
    if (!PyUnicode_Check(path) && !PyBytes_Check(path) && !PyObject_HasAttrString(path, "__fspath__"))
        return PyErr_Format(PyExc_TypeError, "preprocess_image(): path must be a str or os.PathLike, got %.200s",
                            Py_TYPE(path)->tp_name);
    if (model_prep(m, kw, &p) < 0)
        return NULL;
    PyObject *arr = prep_array(&p, "preprocess_image");
    if (!arr || !PyUnicode_FSConverter(path, &bytes)) {
        Py_XDECREF(arr);
        return NULL;
    }
    char err[EXT_ERR_LEN] = "";
    clcnn_status st;
    float *out = PyArray_DATA((PyArrayObject *)arr);
    size_t n = (size_t)PyArray_SIZE((PyArrayObject *)arr);
    const char *file = PyBytes_AS_STRING(bytes);
    Py_BEGIN_ALLOW_THREADS /* JPEG decode and resize: milliseconds per photo */
    st = clcnn_image_to_tensor(file, &p, out, n, err, sizeof err);
    Py_END_ALLOW_THREADS
    Py_DECREF(bytes);
    if (st != CLCNN_OK) {
        Py_DECREF(arr);
        return ext_raise(st, err);
    }
    return arr;
}

/* The same from an encoded photo already in memory (what Ray Data's
 * read_binary_files hands a worker): no file is opened, so a photo read from
 * object storage is preprocessed exactly as `clcnn classify` would the file.
 * `name` only labels the library's error messages. */
static PyObject *Model_preprocess_image_bytes(ext_Model *m, PyObject *args, PyObject *kw)
{
    PyObject *data;
    const char *name = "<bytes>";
    clcnn_preprocess p;
    if (!PyArg_ParseTuple(args, "O|s:preprocess_image_bytes", &data, &name) || ext_model_check_open(m) < 0)
        return NULL;
    if (!PyObject_CheckBuffer(data) || PyUnicode_Check(data))
        return PyErr_Format(PyExc_TypeError,
                            "preprocess_image_bytes(): data must be bytes or a buffer, got %.200s",
                            Py_TYPE(data)->tp_name);
    if (model_prep(m, kw, &p) < 0)
        return NULL;
    PyObject *arr = prep_array(&p, "preprocess_image_bytes");
    if (!arr)
        return NULL;
    Py_buffer view;
    if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0) {
        Py_DECREF(arr);
        return NULL;
    }
    char err[EXT_ERR_LEN] = "";
    clcnn_status st;
    float *out = PyArray_DATA((PyArrayObject *)arr);
    size_t n = (size_t)PyArray_SIZE((PyArrayObject *)arr);
    Py_BEGIN_ALLOW_THREADS
    st = clcnn_image_to_tensor_mem(view.buf, (size_t)view.len, name, &p, out, n, err, sizeof err);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    if (st != CLCNN_OK) {
        Py_DECREF(arr);
        return ext_raise(st, err);
    }
    return arr;
}

static PyObject *Model_export_onnx(ext_Model *m, PyObject *args)
{
    PyObject *bytes = NULL;
    if (!PyArg_ParseTuple(args, "O&:export_onnx", PyUnicode_FSConverter, &bytes))
        return NULL;
    if (ext_model_check_open(m) < 0) {
        Py_DECREF(bytes);
        return NULL;
    }
    char err[EXT_ERR_LEN] = "";
    clcnn_status st;
    const char *file = PyBytes_AS_STRING(bytes);
    Py_BEGIN_ALLOW_THREADS
    st = clcnn_model_export_onnx(m->m, file, err, sizeof err);
    Py_END_ALLOW_THREADS
    Py_DECREF(bytes);
    if (st != CLCNN_OK)
        return ext_raise(st, err);
    Py_RETURN_NONE;
}

static PyObject *Model_repr(ext_Model *m)
{
    if (m->closed || !m->m)
        return PyUnicode_FromString("<clcnn.Model (closed)>");
    const char *p = clcnn_model_path(m->m);
    return PyUnicode_FromFormat("<clcnn.Model %s, %d input(s), %d output(s)>", p ? p : "(built-in)",
                                clcnn_model_num_inputs(m->m), clcnn_model_num_outputs(m->m));
}

/* ---- compare --------------------------------------------------------------------- */

static PyObject *compare_row(const clcnn_compare_row *r)
{
    PyObject *shape = PyTuple_New(r->ndim);
    for (int k = 0; shape && k < r->ndim; k++)
        PyTuple_SET_ITEM(shape, k, PyLong_FromLongLong((long long)r->dims[k]));
    if (!shape)
        return NULL;
    return Py_BuildValue("{s:s,s:s,s:N,s:d,s:d,s:d}", "name", r->name ? r->name : "", "op",
                         r->op ? r->op : "", "shape", shape, "max_abs", r->max_abs, "max_rel", r->max_rel,
                         "ref_max", r->ref_max);
}

PyObject *ext_compare(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"context", "model", "inputs", NULL};
    ext_Context *c;
    ext_Model *m;
    PyObject *feed, *list = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O!O!O:compare", kwlist, &ext_ContextType, &c, &ext_ModelType,
                                     &m, &feed) ||
        ext_context_check_open(c) < 0 || ext_model_check_open(m) < 0)
        return NULL;
    if (clcnn_context_is_reference(c->ctx))
        return PyErr_Format(PyExc_ValueError,
                            "compare needs an OpenCL device to compare with the reference; the context "
                            "(device %R) runs the reference backend", c->device);
    int n = clcnn_model_num_inputs(m->m);
    clcnn_tensor_info *ti = PyMem_Calloc((size_t)n + 1, sizeof *ti);
    PyArrayObject **arrays = PyMem_Calloc((size_t)n + 1, sizeof *arrays);
    const float **ptrs = PyMem_Calloc((size_t)n + 1, sizeof *ptrs);
    if (!ti || !arrays || !ptrs) {
        PyErr_NoMemory();
        goto done;
    }
    for (int i = 0; i < n; i++) {
        clcnn_status st = clcnn_model_input(m->m, i, &ti[i]);
        if (st != CLCNN_OK) {
            ext_raise(st, "cannot describe a model input");
            goto done;
        }
    }
    /* compare runs the model's own shapes: no dynamic batch here */
    if (ext_parse_feed(feed, ti, n, 0, arrays) < 0)
        goto done;
    for (int i = 0; i < n; i++)
        ptrs[i] = PyArray_DATA(arrays[i]);
    clcnn_compare_row *rows = NULL;
    int n_rows = 0;
    char err[EXT_ERR_LEN] = "";
    clcnn_status st;
    ext_model_add_user(m); /* neither may be destroyed while the GIL is released */
    ext_context_add_user(c);
    Py_BEGIN_ALLOW_THREADS
    PyThread_acquire_lock(c->create_lock, WAIT_LOCK); /* its errors go to the context's last error */
    st = clcnn_compare(c->ctx, m->m, ptrs, &rows, &n_rows);
    if (st != CLCNN_OK)
        snprintf(err, sizeof err, "%s", clcnn_context_last_error(c->ctx));
    PyThread_release_lock(c->create_lock);
    Py_END_ALLOW_THREADS
    ext_model_drop_user(m);
    ext_context_drop_user(c);
    if (st != CLCNN_OK) {
        ext_raise(st, err);
        goto done;
    }
    list = PyList_New(0);
    for (int i = 0; list && i < n_rows; i++) {
        PyObject *d = compare_row(&rows[i]);
        if (!d || PyList_Append(list, d) < 0)
            Py_CLEAR(list);
        Py_XDECREF(d);
    }
    clcnn_compare_free(rows);
done:
    for (int i = 0; arrays && i < n; i++)
        Py_XDECREF(arrays[i]);
    PyMem_Free(ti);
    PyMem_Free(arrays);
    PyMem_Free(ptrs);
    return list;
}

static PyMethodDef Model_methods[] = {
    {"close", (PyCFunction)Model_close, METH_NOARGS,
     "close(): frees the model once no Session made from it is open."},
    {"__enter__", (PyCFunction)Model_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)Model_exit, METH_VARARGS, NULL},
    {"output_op", (PyCFunction)Model_output_op, METH_VARARGS,
     "output_op(i=0) -> str: the op producing output i ('Softmax', ...), past a trailing Flatten/Reshape."},
    {"label", (PyCFunction)Model_label, METH_VARARGS,
     "label(index) -> str: the class name (<model>.labels.txt, else ImageNet, else 'class N')."},
    {"layers", (PyCFunction)Model_layers, METH_NOARGS,
     "layers() -> list of dict: one per compute node (name, op, shape, params, non_trainable, macs, inputs)."},
    {"preprocessing", (PyCFunction)(void (*)(void))Model_preprocessing, METH_VARARGS | METH_KEYWORDS,
     "preprocessing(**overrides) -> dict: the settings `clcnn classify` uses for this model\n"
     "(resize, crop, mapping, scale, mean, std, bgr, layout), with overrides applied."},
    {"preprocess_image", (PyCFunction)(void (*)(void))Model_preprocess_image, METH_VARARGS | METH_KEYWORDS,
     "preprocess_image(path, **overrides) -> numpy.ndarray float32 [1,3,crop,crop] (or [1,crop,crop,3]):\n"
     "a JPEG/PNG decoded, resized, cropped and mapped bit-identically to `clcnn classify`."},
    {"preprocess_image_bytes", (PyCFunction)(void (*)(void))Model_preprocess_image_bytes,
     METH_VARARGS | METH_KEYWORDS,
     "preprocess_image_bytes(data, name='<bytes>', **overrides) -> numpy.ndarray: as preprocess_image,\n"
     "from an encoded JPEG/PNG in memory (bytes, bytearray, memoryview); name labels errors."},
    {"export_onnx", (PyCFunction)Model_export_onnx, METH_VARARGS,
     "export_onnx(path): writes the model as a standard ONNX file (weights inline)."},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Model_getset[] = {
    {"inputs", (getter)Model_inputs, NULL, "tuple of TensorInfo", NULL},
    {"outputs", (getter)Model_outputs, NULL, "tuple of TensorInfo", NULL},
    {"path", (getter)Model_path, NULL, "the file it was loaded from (None for a built-in)", NULL},
    {"context", (getter)Model_context, NULL, "the Context it was loaded into", NULL},
    {"closed", (getter)Model_closed, NULL, "True after close()", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

PyTypeObject ext_ModelType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "clcnn.Model",
    .tp_basicsize = sizeof(ext_Model),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Model(path=None, *, context=None, width=None, depth=None, classes=None, input_size=None, "
              "seed=None)\n--\n\n"
              "An ONNX file, a built-in architecture by name (clcnn.builtins()), or bytes holding a\n"
              "serialized ONNX model (weights inline); None loads the default model. A bare file\n"
              "name is searched: ./, $CLCNN_MODEL_PATH, ./models, ./../shared/models,\n"
              "$XDG_DATA_HOME/clcnn/models, <prefix>/share/clcnn/models.\n"
              "The builtin options (width, ...) build that architecture with those settings.\n"
              "Without a context the model lives in a private reference context (loading needs no\n"
              "device). Immutable: share it between Sessions and threads.",
    .tp_new = Model_new,
    .tp_dealloc = (destructor)Model_dealloc,
    .tp_repr = (reprfunc)Model_repr,
    .tp_methods = Model_methods,
    .tp_getset = Model_getset,
};
