/* ext_precision.c — Session's storage precision (issue 18): the keywords
 * precision / auto_tolerance / calibration checked and turned into
 * clcnn_session_options, and Session.precision / layer_precision() read back
 * from the library. Every bad keyword is a TypeError/ValueError naming it,
 * raised before the library is called; the device decides fp16 itself (no
 * cl_khr_fp16: clcnn.Error CLCNN_ERR_UNSUPPORTED from the library). */
#include "ext.h"

#include <math.h>
#include <stdio.h>

/* The precision keyword: a str the library parses ("fp32", "fp16", "auto",
 * and its aliases), so Python and the CLI accept the same spellings. */
static int parse_precision(PyObject *obj, clcnn_precision *out)
{
    if (!PyUnicode_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "Session(): precision must be a str ('fp32', 'fp16' or 'auto'), got %.200s",
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    const char *s = PyUnicode_AsUTF8(obj);
    if (!s)
        return -1;
    if (clcnn_precision_parse(s, out) != CLCNN_OK) {
        PyErr_Format(PyExc_ValueError, "Session(): precision must be 'fp32', 'fp16' or 'auto', got %R", obj);
        return -1;
    }
    return 0;
}

static int parse_tolerance(PyObject *obj, double *out)
{
    if (PyBool_Check(obj) || !PyNumber_Check(obj) || PyComplex_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "Session(): auto_tolerance must be a float in (0, 1) or None, got %.200s",
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    double t = PyFloat_AsDouble(obj);
    if (t == -1.0 && PyErr_Occurred())
        return -1;
    if (!(t > 0 && t < 1)) { /* NaN fails too */
        PyErr_Format(PyExc_ValueError, "Session(): auto_tolerance must be in (0, 1) (None: 1e-3), got %R", obj);
        return -1;
    }
    *out = t;
    return 0;
}

int ext_precision_options(PyObject *precision, PyObject *tolerance, PyObject *calibration,
                          clcnn_session_options *o)
{
    clcnn_precision p = CLCNN_PRECISION_FP32;
    if (precision != Py_None && parse_precision(precision, &p) < 0)
        return -1;
    double tol = 0; /* 0: the library's default */
    if (tolerance != Py_None && parse_tolerance(tolerance, &tol) < 0)
        return -1;
    /* Only auto calibrates: a tolerance or input given to fp32/fp16 would be
     * silently unused, which hides a mistake. */
    if (p != CLCNN_PRECISION_AUTO && (tolerance != Py_None || calibration != Py_None)) {
        PyErr_Format(PyExc_ValueError, "Session(): %s applies to precision='auto' only (precision is '%s')",
                     tolerance != Py_None ? "auto_tolerance" : "calibration", clcnn_precision_str(p));
        return -1;
    }
    if (calibration != Py_None && !PyArray_Check(calibration) && !PyList_Check(calibration) &&
        !PyTuple_Check(calibration) && !PyDict_Check(calibration)) {
        PyErr_Format(PyExc_TypeError,
                     "Session(): calibration must be a list of float32 numpy arrays (one per input), a dict "
                     "{name: array} or None, got %.200s", Py_TYPE(calibration)->tp_name);
        return -1;
    }
    o->precision = p;
    o->auto_tolerance = tol;
    return 0;
}

/* Re-raises the pending TypeError/ValueError from the feed checks with
 * "Session(): calibration: " in front, so the message says which argument. */
static void prefix_error(void)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    PyObject *msg = value ? PyObject_Str(value) : NULL;
    if (!msg || !type) { /* nothing to rephrase: put the original back */
        Py_XDECREF(msg);
        PyErr_Restore(type, value, tb);
        return;
    }
    PyErr_Format(type, "Session(): calibration: %U", msg);
    Py_DECREF(msg);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
}

int ext_calibration(PyObject *calibration, const clcnn_model *m, int batch, ext_calib *c,
                    clcnn_session_options *o)
{
    memset(c, 0, sizeof *c);
    if (calibration == Py_None)
        return 0;
    int n = clcnn_model_num_inputs(m);
    clcnn_tensor_info *infos = PyMem_Calloc((size_t)n + 1, sizeof *infos);
    c->arrays = PyMem_Calloc((size_t)n + 1, sizeof *c->arrays);
    c->ptrs = PyMem_Calloc((size_t)n + 1, sizeof *c->ptrs);
    if (!infos || !c->arrays || !c->ptrs) {
        PyMem_Free(infos);
        ext_calib_free(c);
        PyErr_NoMemory();
        return -1;
    }
    /* The session's shapes: the model's, with dim 0 set to batch when one is
     * asked (the library re-batches every input; the header says so). */
    for (int i = 0; i < n; i++) {
        clcnn_status st = clcnn_model_input(m, i, &infos[i]);
        if (st != CLCNN_OK) {
            PyMem_Free(infos);
            ext_calib_free(c);
            ext_raise(st, "Session(): cannot read the model's inputs");
            return -1;
        }
        if (batch > 0 && infos[i].ndim > 0)
            infos[i].dims[0] = batch;
    }
    /* allow_dynamic 0: the library reads exactly the planned element count */
    int rc = ext_parse_feed(calibration, infos, n, 0, c->arrays);
    PyMem_Free(infos);
    if (rc < 0) { /* the feed checks dropped the arrays they had made */
        ext_calib_free(c);
        prefix_error();
        return -1;
    }
    c->n = n;
    for (int i = 0; i < n; i++)
        c->ptrs[i] = PyArray_DATA(c->arrays[i]);
    o->calibration = (const float *const *)c->ptrs;
    return 0;
}

void ext_calib_free(ext_calib *c)
{
    for (int i = 0; c->arrays && i < c->n; i++)
        Py_XDECREF(c->arrays[i]);
    PyMem_Free(c->arrays);
    PyMem_Free(c->ptrs);
    memset(c, 0, sizeof *c);
}

/* Takes the session's lock (the GIL released while waiting, as run() does):
 * a run of a new batch in another thread may replace the plan these read.
 * 0 with the lock held; -1 with ValueError when the session is closed. */
static int lock_open(ext_Session *self)
{
    Py_BEGIN_ALLOW_THREADS
    PyThread_acquire_lock(self->lock, WAIT_LOCK);
    Py_END_ALLOW_THREADS
    if (!self->s) {
        PyThread_release_lock(self->lock);
        PyErr_SetString(PyExc_ValueError, "the Session is closed");
        return -1;
    }
    return 0;
}

/* -1 ("not measured") as None. */
static PyObject *error_or_none(double e)
{
    if (e < 0)
        Py_RETURN_NONE;
    return PyFloat_FromDouble(e);
}

PyObject *ext_session_precision(ext_Session *self)
{
    if (lock_open(self) < 0)
        return NULL;
    clcnn_precision_info pi;
    clcnn_status st = clcnn_session_precision(self->s, &pi);
    PyThread_release_lock(self->lock);
    if (st != CLCNN_OK)
        return ext_raise(st, "Session.precision: the library could not report it");
    const char *req = clcnn_precision_str(pi.requested), *eff = clcnn_precision_str(pi.effective);
    return Py_BuildValue("{s:s,s:s,s:i,s:i,s:i,s:N,s:N}", "requested", req ? req : "?", "effective",
                         eff ? eff : "?", "half_layers", pi.half_layers, "float_layers", pi.float_layers,
                         "conversions", pi.conversions, "calib_error", error_or_none(pi.calib_error), "note",
                         PyUnicode_DecodeUTF8(pi.note, (Py_ssize_t)strlen(pi.note), "replace"));
}

static PyObject *layer_row(const clcnn_layer_precision *r)
{
    const char *name = r->name ? r->name : "";
    return Py_BuildValue("{s:N,s:s,s:O,s:N}", "name", PyUnicode_DecodeUTF8(name, (Py_ssize_t)strlen(name),
                         "replace"), "op", r->op ? r->op : "", "half", r->half ? Py_True : Py_False,
                         "fp16_error", error_or_none(r->fp16_error));
}

PyObject *ext_session_layer_precision(ext_Session *self)
{
    if (lock_open(self) < 0)
        return NULL;
    clcnn_layer_precision *rows = NULL;
    int n = 0;
    clcnn_status st = clcnn_session_layer_precision(self->s, &rows, &n);
    /* rows' names are owned by the session: build the list before unlocking */
    PyObject *list = st == CLCNN_OK ? PyList_New(n) : NULL;
    for (int i = 0; list && i < n; i++) {
        PyObject *d = layer_row(&rows[i]);
        if (!d)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, i, d);
    }
    PyThread_release_lock(self->lock);
    clcnn_free(rows);
    if (st != CLCNN_OK)
        return ext_raise(st, "Session.layer_precision(): the library could not list the layers");
    return list;
}
