/* ext_session.c — clcnn.Session: a model planned on a device, run on NumPy
 * arrays. Session create and run release the GIL; a per-Session lock keeps
 * the header's rule (one thread at a time per session) when Python threads
 * share a Session, so they queue instead of corrupting it. */
#include "ext.h"

#include <stdio.h>

static int session_check_open(ext_Session *s)
{
    if (!s->s) {
        PyErr_SetString(PyExc_ValueError, "the Session is closed");
        return -1;
    }
    return 0;
}

/* The Context to plan on: the one given, or a new one for `device`. */
static ext_Context *session_context(PyObject *device, PyObject *context)
{
    if (context != Py_None) {
        if (device != Py_None) {
            PyErr_SetString(PyExc_ValueError, "Session(): pass device or context, not both");
            return NULL;
        }
        if (!PyObject_TypeCheck(context, &ext_ContextType))
            return (ext_Context *)PyErr_Format(PyExc_TypeError,
                                               "Session(): context must be a clcnn.Context, got %.200s",
                                               Py_TYPE(context)->tp_name);
        if (ext_context_check_open((ext_Context *)context) < 0)
            return NULL;
        Py_INCREF(context);
        return (ext_Context *)context;
    }
    return (ext_Context *)PyObject_CallOneArg((PyObject *)&ext_ContextType, device);
}

/* The Model to plan: the one given, or one loaded into c from a path/name. */
static ext_Model *session_model(PyObject *model, ext_Context *c)
{
    if (PyObject_TypeCheck(model, &ext_ModelType)) {
        if (ext_model_check_open((ext_Model *)model) < 0)
            return NULL;
        Py_INCREF(model);
        return (ext_Model *)model;
    }
    PyObject *args = PyTuple_Pack(1, model), *kw = Py_BuildValue("{s:O}", "context", (PyObject *)c);
    PyObject *m = args && kw ? PyObject_Call((PyObject *)&ext_ModelType, args, kw) : NULL;
    Py_XDECREF(args);
    Py_XDECREF(kw);
    return (ext_Model *)m;
}

static int session_describe(ext_Session *self)
{
    self->n_in = clcnn_model_num_inputs(self->model->m);
    self->n_out = clcnn_model_num_outputs(self->model->m);
    self->in_info = PyMem_Calloc((size_t)self->n_in + 1, sizeof *self->in_info);
    self->inputs = PyTuple_New(self->n_in);
    self->outputs = PyTuple_New(self->n_out);
    if (!self->in_info || !self->inputs || !self->outputs) {
        PyErr_NoMemory();
        return -1;
    }
    for (int i = 0; i < self->n_in + self->n_out; i++) {
        int out = i >= self->n_in, k = out ? i - self->n_in : i;
        clcnn_tensor_info ti;
        clcnn_status st = out ? clcnn_session_output(self->s, k, &ti) : clcnn_session_input(self->s, k, &ti);
        if (st != CLCNN_OK) {
            ext_raise(st, clcnn_session_last_error(self->s));
            return -1;
        }
        if (!out)
            self->in_info[k] = ti;
        PyObject *o = ext_tensor_info(&ti);
        if (!o)
            return -1;
        PyTuple_SET_ITEM(out ? self->outputs : self->inputs, k, o);
    }
    return 0;
}

static PyObject *Session_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"model", "device", "context", "batch", "precision", "auto_tolerance",
                             "calibration", NULL};
    PyObject *model = Py_None, *device = Py_None, *context = Py_None;
    PyObject *precision = Py_None, *tolerance = Py_None, *calibration = Py_None;
    int batch = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OO$OiOOO:Session", kwlist, &model, &device, &context, &batch,
                                     &precision, &tolerance, &calibration))
        return NULL;
    if (batch < 0)
        return PyErr_Format(PyExc_ValueError, "Session(): batch must be >= 0 (0: the model's own), got %d", batch);
    clcnn_session_options o;
    clcnn_session_options_init(&o);
    o.batch = batch;
    if (ext_precision_options(precision, tolerance, calibration, &o) < 0)
        return NULL;
    /* argument types first, so a wrong one never starts a device */
    if (model != Py_None && !PyObject_TypeCheck(model, &ext_ModelType) && !PyUnicode_Check(model) &&
        !PyObject_CheckBuffer(model) && !PyObject_HasAttrString(model, "__fspath__"))
        return PyErr_Format(PyExc_TypeError,
                            "Session(): model must be a clcnn.Model, a path, a built-in name or bytes of an "
                            "ONNX model (None: the default model), got %.200s", Py_TYPE(model)->tp_name);
    ext_Session *self = (ext_Session *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    self->lock = PyThread_allocate_lock();
    if (!self->lock) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    /* A model this Session loads (from a path, name or bytes) is its own:
     * the session takes it and its plan the weights, which are then held
     * once (on the device, or as the CPU device's buffers) instead of twice. */
    const int own = !PyObject_TypeCheck(model, &ext_ModelType);
    if (!(self->context = session_context(device, context)) ||
        !(self->model = session_model(model, self->context))) {
        Py_DECREF(self);
        return NULL;
    }
    ext_Context *c = self->context;
    ext_Model *m = self->model;
    ext_calib calib;
    if (ext_calibration(calibration, m->m, batch, &calib, &o) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    /* users before the GIL is released: a concurrent close() then defers */
    ext_context_add_user(c);
    ext_model_add_user(m);
    char err[EXT_ERR_LEN] = "";
    clcnn_status st;
    clcnn_session *s = NULL;
    Py_BEGIN_ALLOW_THREADS
    PyThread_acquire_lock(c->create_lock, WAIT_LOCK);
    st = own ? clcnn_session_create_owning(c->ctx, m->m, &o, &s)
             : clcnn_session_create(c->ctx, m->m, &o, &s);
    if (st != CLCNN_OK)
        snprintf(err, sizeof err, "%s", clcnn_context_last_error(c->ctx));
    PyThread_release_lock(c->create_lock);
    Py_END_ALLOW_THREADS
    ext_calib_free(&calib); /* the library has run auto's calibration by now */
    if (st != CLCNN_OK) {
        if (own) /* destroyed with the failed session */
            ext_model_forget(m);
        ext_model_drop_user(m);
        ext_context_drop_user(c);
        Py_DECREF(self);
        return ext_raise(st, err);
    }
    self->s = s;
    self->owns_model = own;
    if (session_describe(self) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

/* Destroys x, the handle just taken out of self, and lets go of the model
 * and context. */
static void session_destroy(ext_Session *self, clcnn_session *x)
{
    if (!x)
        return;
    Py_BEGIN_ALLOW_THREADS /* releases device buffers */
    clcnn_session_destroy(x);
    Py_END_ALLOW_THREADS
    if (self->owns_model) /* destroyed with x */
        ext_model_forget(self->model);
    ext_model_drop_user(self->model);
    ext_context_drop_user(self->context);
}

static void Session_dealloc(ext_Session *self)
{
    clcnn_session *x = self->s; /* no other thread can hold a reference now */
    self->s = NULL;
    session_destroy(self, x);
    if (self->lock)
        PyThread_free_lock(self->lock);
    PyMem_Free(self->in_info);
    Py_XDECREF(self->inputs);
    Py_XDECREF(self->outputs);
    Py_XDECREF(self->model);
    Py_XDECREF(self->context);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *Session_close(ext_Session *self, PyObject *unused)
{
    if (!self->s)
        Py_RETURN_NONE;
    /* Wait for a run in another thread to finish; the GIL is taken back while
     * the lock is held, which cannot deadlock: no thread waits for a session
     * lock while holding the GIL. */
    Py_BEGIN_ALLOW_THREADS
    PyThread_acquire_lock(self->lock, WAIT_LOCK);
    Py_END_ALLOW_THREADS
    clcnn_session *x = self->s;
    self->s = NULL;
    PyThread_release_lock(self->lock);
    session_destroy(self, x);
    Py_RETURN_NONE;
}

static PyObject *Session_enter(ext_Session *self, PyObject *unused)
{
    if (session_check_open(self) < 0)
        return NULL;
    Py_INCREF(self);
    return (PyObject *)self;
}

static PyObject *Session_exit(ext_Session *self, PyObject *args)
{
    return Session_close(self, NULL);
}

static PyObject *Session_run(ext_Session *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"inputs", NULL};
    PyObject *feed, *result = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O:run", kwlist, &feed) || session_check_open(self) < 0)
        return NULL;
    int n_in = self->n_in, n_out = self->n_out;
    PyArrayObject **arrays = PyMem_Calloc((size_t)n_in + 1, sizeof *arrays);
    clcnn_tensor *ins = PyMem_Calloc((size_t)n_in + 1, sizeof *ins);
    clcnn_tensor *outs = PyMem_Calloc((size_t)n_out + 1, sizeof *outs);
    if (!arrays || !ins || !outs) {
        PyErr_NoMemory();
        goto done;
    }
    if (ext_parse_feed(feed, self->in_info, n_in, 1, arrays) < 0)
        goto done;
    for (int i = 0; i < n_in; i++) {
        PyArrayObject *a = arrays[i];
        ins[i].dtype = CLCNN_DTYPE_FLOAT32;
        ins[i].ndim = PyArray_NDIM(a);
        for (int k = 0; k < ins[i].ndim; k++)
            ins[i].dims[k] = (int64_t)PyArray_DIM(a, k);
        ins[i].data = PyArray_DATA(a);
        ins[i].bytes = (size_t)PyArray_NBYTES(a);
    }
    /* outputs: data NULL, so the library allocates them at their run-time shape */
    char err[EXT_ERR_LEN] = "";
    clcnn_status st = CLCNN_OK;
    int closed = 0;
    Py_BEGIN_ALLOW_THREADS
    PyThread_acquire_lock(self->lock, WAIT_LOCK);
    if (!self->s) { /* closed by another thread while we waited */
        closed = 1;
    } else {
        st = clcnn_session_run_tensors(self->s, ins, n_in, outs, n_out);
        if (st != CLCNN_OK)
            snprintf(err, sizeof err, "%s", clcnn_session_last_error(self->s));
    }
    PyThread_release_lock(self->lock);
    Py_END_ALLOW_THREADS
    if (closed) {
        PyErr_SetString(PyExc_ValueError, "the Session was closed by another thread before run() started");
        goto done;
    }
    if (st != CLCNN_OK) {
        ext_raise(st, err);
        goto done;
    }
    result = PyList_New(n_out);
    for (int i = 0; i < n_out; i++) {
        PyObject *a = ext_array_from_output(&outs[i]); /* takes outs[i].data */
        if (!a || !result) {
            Py_XDECREF(a);
            Py_CLEAR(result);
            continue; /* keep going: every buffer must be handed over and freed */
        }
        PyList_SET_ITEM(result, i, a);
    }
done:
    for (int i = 0; outs && i < n_out; i++)
        clcnn_free(outs[i].data); /* only where not handed to an array */
    for (int i = 0; arrays && i < n_in; i++)
        Py_XDECREF(arrays[i]);
    PyMem_Free(arrays);
    PyMem_Free(ins);
    PyMem_Free(outs);
    return result;
}

static PyObject *Session_inputs(ext_Session *self, void *unused)
{
    Py_INCREF(self->inputs);
    return self->inputs;
}

static PyObject *Session_outputs(ext_Session *self, void *unused)
{
    Py_INCREF(self->outputs);
    return self->outputs;
}

static PyObject *Session_model(ext_Session *self, void *unused)
{
    Py_INCREF(self->model);
    return (PyObject *)self->model;
}

static PyObject *Session_context(ext_Session *self, void *unused)
{
    Py_INCREF(self->context);
    return (PyObject *)self->context;
}

static PyObject *Session_device_name(ext_Session *self, void *unused)
{
    if (session_check_open(self) < 0)
        return NULL;
    const char *n = clcnn_context_device_name(self->context->ctx);
    return PyUnicode_DecodeUTF8(n, (Py_ssize_t)strlen(n), "replace");
}

static PyObject *Session_closed(ext_Session *self, void *unused)
{
    return PyBool_FromLong(self->s == NULL);
}

static PyObject *Session_precision(ext_Session *self, void *unused)
{
    return ext_session_precision(self);
}

static PyObject *Session_layer_precision(ext_Session *self, PyObject *unused)
{
    return ext_session_layer_precision(self);
}

static PyObject *Session_repr(ext_Session *self)
{
    if (!self->s)
        return PyUnicode_FromString("<clcnn.Session (closed)>");
    return PyUnicode_FromFormat("<clcnn.Session on '%s', inputs %R>",
                                clcnn_context_device_name(self->context->ctx), self->inputs);
}

static PyMethodDef Session_methods[] = {
    {"run", (PyCFunction)(void (*)(void))Session_run, METH_VARARGS | METH_KEYWORDS,
     "run($self, /, inputs)\n--\n\n"
     "Runs the model: a list of numpy.ndarray, one per output, dtype from the model.\n\n"
     "inputs: one array (a one-input model), a list of arrays in input order, or a dict\n"
     "{name: array}. Arrays must be float32 (other dtypes raise TypeError: convert with\n"
     ".astype(numpy.float32)) and have the input's shape; non-contiguous arrays are copied.\n"
     "Where an input's batch is dynamic, dim 0 may be any N >= 1 (the same for all inputs)\n"
     "and the outputs have batch N. The GIL is released while the model runs; threads\n"
     "sharing one Session take turns."},
    {"layer_precision", (PyCFunction)Session_layer_precision, METH_NOARGS,
     "layer_precision() -> list of dict, one per node of the plan in execution order: name, op\n"
     "('Cast' for a storage conversion the plan inserted), half (True: its float tensors are\n"
     "stored as IEEE half), fp16_error (auto: the node's first output's max |fp16 - fp32| /\n"
     "max |fp32| in the all-fp16 calibration run, earlier layers' error included; None: not\n"
     "measured)."},
    {"close", (PyCFunction)Session_close, METH_NOARGS,
     "close(): frees the device buffers (waits for a run in another thread)."},
    {"__enter__", (PyCFunction)Session_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)Session_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Session_getset[] = {
    {"inputs", (getter)Session_inputs, NULL, "tuple of TensorInfo, at this session's batch", NULL},
    {"outputs", (getter)Session_outputs, NULL, "tuple of TensorInfo, at this session's batch", NULL},
    {"model", (getter)Session_model, NULL, "the Model it runs", NULL},
    {"context", (getter)Session_context, NULL, "the Context it runs on", NULL},
    {"device_name", (getter)Session_device_name, NULL, "the device's name", NULL},
    {"closed", (getter)Session_closed, NULL, "True after close()", NULL},
    {"precision", (getter)Session_precision, NULL,
     "dict: requested and effective ('fp32', 'fp16'; 'auto' when layers are mixed), half_layers,\n"
     "float_layers, conversions (Casts between them), calib_error (auto: the outputs' max\n"
     "|fp16 - fp32| / max |fp32| on the calibration input; None when not measured) and note\n"
     "(why the request was not taken as is; '' otherwise)", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

PyTypeObject ext_SessionType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "clcnn.Session",
    .tp_basicsize = sizeof(ext_Session),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Session(model=None, device=None, *, context=None, batch=0, precision='fp32',\n"
              "        auto_tolerance=None, calibration=None)\n--\n\n"
              "Plans model (a clcnn.Model, a path or built-in name, bytes of an ONNX model, None: the\n"
              "default model) on a\n"
              "device ('auto', 'gpu', 'cpu', 'ref', an index, a name substring) or on a given\n"
              "Context. batch=B fixes dim 0 of every input to B for a model whose batch is not\n"
              "symbolic; with a symbolic batch, run() accepts any batch without it.\n\n"
              "A model given as a path, name, bytes or None is loaded for this Session, which owns\n"
              "it: its weights are held once, .model answers metadata only (export and another\n"
              "Session refuse it) and closes with the Session. A clcnn.Model given is borrowed.\n\n"
              "precision: how an OpenCL device stores float tensors (arithmetic is float32 and\n"
              "inputs/outputs float32 in every mode). 'fp32' (default); 'fp16' (half storage: needs\n"
              "cl_khr_fp16, else clcnn.Error CLCNN_ERR_UNSUPPORTED); 'auto' (at creation, runs fp32\n"
              "and fp16 on a calibration input and keeps fp32 for the layers whose relative error\n"
              "exceeds auto_tolerance (None: 1e-3); fp32 throughout on a device without\n"
              "cl_khr_fp16, said in .precision['note']). calibration (auto only): the input to\n"
              "calibrate on, as run() takes it, float32 at this session's shapes (None: a seeded\n"
              "uniform [-1, 1) input). The reference backend always runs fp32.",
    .tp_new = Session_new,
    .tp_dealloc = (destructor)Session_dealloc,
    .tp_repr = (reprfunc)Session_repr,
    .tp_methods = Session_methods,
    .tp_getset = Session_getset,
};
