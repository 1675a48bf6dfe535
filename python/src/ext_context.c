/* ext_context.c — clcnn.Context: one libclcnn context (an OpenCL device, or the
 * plain-C reference backend). Creation and destruction run with the GIL
 * released: OpenCL start-up, and POCL's binary-cache write at destroy, take
 * from milliseconds to seconds. */
#include "ext.h"

/* ---- library log messages -> logging.getLogger("clcnn") ---- */

static PyObject *ext_logger; /* cleared at interpreter exit (clcnn/__init__.py's atexit) */

int ext_log_init(void)
{
    PyObject *logging = PyImport_ImportModule("logging");
    if (!logging)
        return -1;
    ext_logger = PyObject_CallMethod(logging, "getLogger", "s", "clcnn");
    Py_DECREF(logging);
    return ext_logger ? 0 : -1;
}

PyObject *ext_log_shutdown(PyObject *self, PyObject *unused)
{
    Py_CLEAR(ext_logger);
    Py_RETURN_NONE;
}

/* The context's log callback. The library calls it from the thread making the
 * call, which has released the GIL: take it back for the logging call, and
 * keep any exception that thread has pending (a dealloc during unwinding). */
static void log_to_python(void *user, clcnn_log_level level, const char *msg)
{
    /* After exit cleanup, never touch the interpreter (it may be finalizing);
     * the pointer only ever goes from set to NULL, so the unlocked read is safe. */
    if (!ext_logger)
        return;
    PyGILState_STATE g = PyGILState_Ensure();
    if (ext_logger) {
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        int lv = level == CLCNN_LOG_DEBUG ? 10 : level == CLCNN_LOG_INFO ? 20 : 30; /* logging.DEBUG.. */
        PyObject *text = PyUnicode_DecodeUTF8(msg, (Py_ssize_t)strlen(msg), "replace");
        PyObject *r = text ? PyObject_CallMethod(ext_logger, "log", "iO", lv, text) : NULL;
        if (!r)
            PyErr_WriteUnraisable(ext_logger); /* a broken handler must not break inference */
        Py_XDECREF(r);
        Py_XDECREF(text);
        PyErr_Restore(type, value, tb);
    }
    PyGILState_Release(g);
}

static void context_destroy(ext_Context *c)
{
    clcnn_context *x = c->ctx;
    c->ctx = NULL;
    if (!x)
        return;
    Py_BEGIN_ALLOW_THREADS
    clcnn_context_destroy(x);
    Py_END_ALLOW_THREADS
}

void ext_context_add_user(ext_Context *c)
{
    c->users++;
}

void ext_context_drop_user(ext_Context *c)
{
    if (--c->users == 0 && c->closed)
        context_destroy(c);
}

int ext_context_check_open(ext_Context *c)
{
    if (c->closed || !c->ctx) {
        PyErr_SetString(PyExc_ValueError, "the Context is closed");
        return -1;
    }
    return 0;
}

ext_Context *ext_context_new(const char *device, int no_cache, const char *cache_dir)
{
    ext_Context *c = (ext_Context *)ext_ContextType.tp_alloc(&ext_ContextType, 0);
    if (!c)
        return NULL;
    c->device = PyUnicode_FromString(device ? device : "auto");
    c->create_lock = PyThread_allocate_lock();
    if (!c->device || !c->create_lock) {
        Py_DECREF(c);
        return (ext_Context *)PyErr_NoMemory();
    }
    clcnn_context_options o;
    clcnn_context_options_init(&o);
    o.device = device;
    o.no_cache = no_cache;
    o.cache_dir = cache_dir;
    o.log = log_to_python;
    char err[EXT_ERR_LEN] = "";
    clcnn_status st;
    clcnn_context *ctx = NULL;
    Py_BEGIN_ALLOW_THREADS
    st = clcnn_context_create(&o, &ctx, err, sizeof err);
    Py_END_ALLOW_THREADS
    if (st != CLCNN_OK) {
        Py_DECREF(c);
        return (ext_Context *)ext_raise(st, err);
    }
    c->ctx = ctx;
    return c;
}

static PyObject *Context_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"device", "cache", "cache_dir", NULL};
    PyObject *device = Py_None, *cache_dir = Py_None, *dev_str = NULL, *dir_bytes = NULL;
    int cache = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O$pO:Context", kwlist, &device, &cache, &cache_dir))
        return NULL;
    if (PyLong_Check(device) && !PyBool_Check(device)) {
        dev_str = PyObject_Str(device); /* an index, as `--device N` takes */
    } else if (PyUnicode_Check(device)) {
        dev_str = device;
        Py_INCREF(dev_str);
    } else if (device != Py_None) {
        return PyErr_Format(PyExc_TypeError,
                            "device must be a str ('auto', 'gpu', 'cpu', 'ref', a name substring) or an "
                            "int index, got %.200s", Py_TYPE(device)->tp_name);
    }
    if (cache_dir != Py_None && !PyUnicode_FSConverter(cache_dir, &dir_bytes)) {
        Py_XDECREF(dev_str);
        return NULL;
    }
    const char *dev = dev_str ? PyUnicode_AsUTF8(dev_str) : NULL;
    ext_Context *c = NULL;
    if (!dev_str || dev)
        c = ext_context_new(dev, !cache, dir_bytes ? PyBytes_AS_STRING(dir_bytes) : NULL);
    Py_XDECREF(dev_str);
    Py_XDECREF(dir_bytes);
    return (PyObject *)c;
}

static void Context_dealloc(ext_Context *c)
{
    context_destroy(c); /* users hold references, so none is left here */
    if (c->create_lock)
        PyThread_free_lock(c->create_lock);
    Py_XDECREF(c->device);
    Py_TYPE(c)->tp_free((PyObject *)c);
}

static PyObject *Context_close(ext_Context *c, PyObject *unused)
{
    c->closed = 1;
    if (c->users == 0)
        context_destroy(c);
    Py_RETURN_NONE;
}

static PyObject *Context_enter(ext_Context *c, PyObject *unused)
{
    if (ext_context_check_open(c) < 0)
        return NULL;
    Py_INCREF(c);
    return (PyObject *)c;
}

static PyObject *Context_exit(ext_Context *c, PyObject *args)
{
    return Context_close(c, NULL);
}

static PyObject *Context_device_name(ext_Context *c, void *unused)
{
    if (ext_context_check_open(c) < 0)
        return NULL;
    const char *n = clcnn_context_device_name(c->ctx);
    return PyUnicode_DecodeUTF8(n, (Py_ssize_t)strlen(n), "replace");
}

static PyObject *Context_is_reference(ext_Context *c, void *unused)
{
    if (ext_context_check_open(c) < 0)
        return NULL;
    return PyBool_FromLong(clcnn_context_is_reference(c->ctx));
}

static PyObject *Context_device(ext_Context *c, void *unused)
{
    Py_INCREF(c->device);
    return c->device;
}

static PyObject *Context_closed(ext_Context *c, void *unused)
{
    return PyBool_FromLong(c->closed);
}

static PyObject *Context_repr(ext_Context *c)
{
    if (c->closed || !c->ctx)
        return PyUnicode_FromFormat("<clcnn.Context device=%R (closed)>", c->device);
    return PyUnicode_FromFormat("<clcnn.Context device=%R on '%s'>", c->device,
                                clcnn_context_device_name(c->ctx));
}

static PyMethodDef Context_methods[] = {
    {"close", (PyCFunction)Context_close, METH_NOARGS,
     "close(): releases the device once no Model or Session made on it is open."},
    {"__enter__", (PyCFunction)Context_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)Context_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Context_getset[] = {
    {"device", (getter)Context_device, NULL, "the device spec it was made with", NULL},
    {"device_name", (getter)Context_device_name, NULL, "the device's name ('reference (plain C)' for ref)", NULL},
    {"is_reference", (getter)Context_is_reference, NULL, "True on the plain-C reference backend", NULL},
    {"closed", (getter)Context_closed, NULL, "True after close()", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

PyTypeObject ext_ContextType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "clcnn.Context",
    .tp_basicsize = sizeof(ext_Context),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Context(device=None, *, cache=True, cache_dir=None)\n--\n\n"
              "One device: None/'auto' (a GPU, else an OpenCL CPU, else the reference backend),\n"
              "'gpu', 'cpu', 'ref' (plain C, no OpenCL), an int index from clcnn.devices(), or a\n"
              "substring of a device name. Share one Context between Sessions to share the device\n"
              "and its compiled programs. cache=False skips the program binary cache.",
    .tp_new = Context_new,
    .tp_dealloc = (destructor)Context_dealloc,
    .tp_repr = (reprfunc)Context_repr,
    .tp_methods = Context_methods,
    .tp_getset = Context_getset,
};
