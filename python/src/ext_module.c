/* ext_module.c — the _clcnn module: clcnn.Error, the free functions (version,
 * devices, built-in architectures, model search) and module set-up. The types
 * live in ext_context.c, ext_model.c and ext_session.c. */
#define CLCNN_EXT_MAIN
#include "ext.h"

#include <stdlib.h>

PyObject *ext_Error;
PyTypeObject *ext_TensorInfoType;

/* ---- errors -------------------------------------------------------------- */

PyObject *ext_raise(clcnn_status st, const char *msg)
{
    const char *name = clcnn_status_str(st);
    if (!msg || !*msg)
        msg = "(the library gave no message)";
    /* File names in messages need not be UTF-8: never fail on them. */
    PyObject *text = PyUnicode_DecodeUTF8(msg, (Py_ssize_t)strlen(msg), "replace");
    if (!text)
        return NULL;
    PyObject *full = PyUnicode_FromFormat("%s: %U", name, text);
    PyObject *exc = full ? PyObject_CallOneArg(ext_Error, full) : NULL;
    Py_XDECREF(full);
    if (exc) {
        PyObject *code = PyLong_FromLong((long)st), *sname = PyUnicode_FromString(name);
        if (!code || !sname || PyObject_SetAttrString(exc, "status", sname) < 0 ||
            PyObject_SetAttrString(exc, "code", code) < 0 ||
            PyObject_SetAttrString(exc, "message", text) < 0)
            Py_CLEAR(exc);
        Py_XDECREF(code);
        Py_XDECREF(sname);
    }
    Py_DECREF(text);
    if (exc) {
        PyErr_SetObject(ext_Error, exc);
        Py_DECREF(exc);
    }
    return NULL;
}

/* ---- free functions ----------------------------------------------------------- */

static PyObject *mod_version(PyObject *self, PyObject *unused)
{
    return PyUnicode_FromString(clcnn_version());
}

static PyObject *device_dict(const clcnn_device_info *d)
{
    return Py_BuildValue("{s:i,s:s,s:s,s:s,s:s,s:I,s:I,s:K,s:K,s:n,s:O,s:O,s:s,s:s,s:s}",
                         "index", d->index, "platform", d->platform, "name", d->name, "vendor",
                         d->vendor, "type", d->type, "compute_units", d->compute_units,
                         "max_clock_mhz", d->max_clock_mhz, "global_mem_bytes",
                         (unsigned long long)d->global_mem_bytes, "local_mem_bytes",
                         (unsigned long long)d->local_mem_bytes, "max_work_group_size",
                         (Py_ssize_t)d->max_work_group_size, "image_support",
                         d->image_support ? Py_True : Py_False, "fp16",
                         d->fp16 ? Py_True : Py_False, "cl_version", d->cl_version, "c_version",
                         d->c_version, "driver_version", d->driver_version);
}

static PyObject *mod_devices(PyObject *self, PyObject *unused)
{
    int cap = 16, count = 0;
    clcnn_device_info *buf = NULL;
    char err[EXT_ERR_LEN] = "";
    clcnn_status st;
    /* The count can exceed the first guess: ask again with room for all. */
    for (;;) {
        clcnn_device_info *nb = PyMem_Realloc(buf, (size_t)cap * sizeof *buf);
        if (!nb) {
            PyMem_Free(buf);
            return PyErr_NoMemory();
        }
        buf = nb;
        Py_BEGIN_ALLOW_THREADS /* OpenCL platform start-up can take a while */
        st = clcnn_devices_list(buf, cap, &count, err, sizeof err);
        Py_END_ALLOW_THREADS
        if (st != CLCNN_OK || count <= cap)
            break;
        cap = count;
    }
    if (st != CLCNN_OK) {
        PyMem_Free(buf);
        return ext_raise(st, err);
    }
    PyObject *list = PyList_New(0);
    for (int i = 0; list && i < count; i++) {
        PyObject *d = device_dict(&buf[i]);
        if (!d || PyList_Append(list, d) < 0)
            Py_CLEAR(list);
        Py_XDECREF(d);
    }
    PyMem_Free(buf);
    return list;
}

static PyObject *mod_builtins(PyObject *self, PyObject *unused)
{
    int n = clcnn_builtin_count();
    PyObject *list = PyList_New(0);
    for (int i = 0; list && i < n; i++) {
        clcnn_arch_info a;
        clcnn_status st = clcnn_builtin_info(i, &a);
        if (st != CLCNN_OK) {
            Py_DECREF(list);
            return ext_raise(st, "clcnn_builtin_info failed for an index below clcnn_builtin_count");
        }
        PyObject *d = Py_BuildValue("{s:s,s:s,s:s}", "name", a.name, "family", a.family, "seed",
                                    a.seed ? a.seed : "");
        if (!d || PyList_Append(list, d) < 0)
            Py_CLEAR(list);
        Py_XDECREF(d);
    }
    return list;
}

static PyObject *mod_find_model(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"name", NULL};
    PyObject *name = Py_None, *bytes = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:find_model", kwlist, &name))
        return NULL;
    if (name != Py_None) {
        if (!PyUnicode_Check(name) && !PyBytes_Check(name) && !PyObject_HasAttrString(name, "__fspath__"))
            return PyErr_Format(PyExc_TypeError, "find_model(): name must be a str or os.PathLike, got %.200s",
                                Py_TYPE(name)->tp_name);
        if (!PyUnicode_FSConverter(name, &bytes))
            return NULL;
    }
    char path[4096], err[EXT_ERR_LEN] = "";
    clcnn_status st = clcnn_model_find(bytes ? PyBytes_AS_STRING(bytes) : NULL, path, sizeof path, err,
                                       sizeof err);
    Py_XDECREF(bytes);
    if (st != CLCNN_OK)
        return ext_raise(st, err);
    return PyUnicode_DecodeFSDefault(path);
}

static PyMethodDef mod_methods[] = {
    {"version", mod_version, METH_NOARGS, "version() -> str: the linked library's version."},
    {"devices", mod_devices, METH_NOARGS,
     "devices() -> list of dict: every OpenCL device (empty without any platform)."},
    {"builtins", mod_builtins, METH_NOARGS,
     "builtins() -> list of dict: the built-in architectures (name, family, seed)."},
    {"find_model", (PyCFunction)(void (*)(void))mod_find_model, METH_VARARGS | METH_KEYWORDS,
     "find_model(name=None) -> str: the file a model name resolves to through the search path\n"
     "(None: the default model). Raises clcnn.Error (CLCNN_ERR_IO) when none is found."},
    {"compare", (PyCFunction)(void (*)(void))ext_compare, METH_VARARGS | METH_KEYWORDS,
     "compare(context, model, inputs) -> list of dict: clcnn_compare on an OpenCL context."},
    {"_log_shutdown", ext_log_shutdown, METH_NOARGS,
     "_log_shutdown(): stop forwarding library messages to logging (interpreter exit)."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef mod_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_clcnn",
    .m_doc = "The C core of the clcnn package (use `import clcnn`).",
    .m_size = -1, /* the Error and type objects are per-process statics */
    .m_methods = mod_methods,
};

static PyStructSequence_Field tinfo_fields[] = {
    {"name", "the tensor's name in the model"},
    {"shape", "tuple of ints; None at dim 0 when the batch is dynamic"},
    {"dtype", "numpy.dtype of the elements"},
    {"dynamic_batch", "True when dim 0 was symbolic in the file: run() accepts any batch"},
    {NULL, NULL}};
static PyStructSequence_Desc tinfo_desc = {"clcnn.TensorInfo", "A model input or output.", tinfo_fields, 4};

static int add_type(PyObject *m, PyTypeObject *t, const char *name)
{
    if (PyType_Ready(t) < 0)
        return -1;
    Py_INCREF(t);
    if (PyModule_AddObject(m, name, (PyObject *)t) < 0) {
        Py_DECREF(t);
        return -1;
    }
    return 0;
}

PyMODINIT_FUNC PyInit__clcnn(void)
{
    import_array();
    PyObject *m = PyModule_Create(&mod_def);
    if (!m)
        return NULL;
    ext_Error = PyErr_NewExceptionWithDoc(
        "clcnn.Error",
        "A libclcnn call failed. str() is 'STATUS: message'; .status is the status name\n"
        "('CLCNN_ERR_IO'), .code its number, .message the library's one-line message.",
        PyExc_RuntimeError, NULL);
    ext_TensorInfoType = PyStructSequence_NewType(&tinfo_desc);
    if (!ext_Error || !ext_TensorInfoType || ext_log_init() < 0)
        goto fail;
    Py_INCREF(ext_Error);
    if (PyModule_AddObject(m, "Error", ext_Error) < 0)
        goto fail;
    Py_INCREF(ext_TensorInfoType);
    if (PyModule_AddObject(m, "TensorInfo", (PyObject *)ext_TensorInfoType) < 0)
        goto fail;
    if (add_type(m, &ext_ContextType, "Context") < 0 || add_type(m, &ext_ModelType, "Model") < 0 ||
        add_type(m, &ext_SessionType, "Session") < 0)
        goto fail;
    if (PyModule_AddStringConstant(m, "DEFAULT_MODEL", CLCNN_DEFAULT_MODEL) < 0 ||
        PyModule_AddStringConstant(m, "HEADER_VERSION", CLCNN_VERSION) < 0)
        goto fail;
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
