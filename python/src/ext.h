/* ext.h — what the files of the _clcnn extension share: the three Python types
 * that own libclcnn handles (Context, Model, Session), the error helpers and the
 * NumPy bridge. The Python layer (clcnn/__init__.py) adds classify and compare
 * on top; everything that touches a handle or a buffer lives here, in C.
 *
 * Lifetimes: a Session holds strong references to its Model and Context, a
 * Model to its Context, so a handle is never destroyed under a user. close()
 * on a Model or Context that still has open users only marks it closed (no new
 * users) and destroys it when the last user closes. */
#ifndef CLCNN_PY_EXT_H
#define CLCNN_PY_EXT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pythread.h>

/* One NumPy C-API table for all files of the module: ext_module.c imports it. */
#define PY_ARRAY_UNIQUE_SYMBOL clcnn_ext_ARRAY_API
#ifndef CLCNN_EXT_MAIN
#define NO_IMPORT_ARRAY
#endif
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>

#include "clcnn.h"
#include "clcnn_tools.h"

/* Library messages are one line; the buffers we copy them into are this long. */
#define EXT_ERR_LEN 1024

typedef struct {
    PyObject_HEAD
    clcnn_context *ctx;
    /* The context keeps one "last error" for creates: a create and the read of
     * its message happen under this lock, so Python threads creating models or
     * sessions on one Context each get their own message. */
    PyThread_type_lock create_lock;
    int users;          /* open Models and Sessions made on it */
    int closed;         /* close() was called: destroy when users reaches 0 */
    PyObject *device;   /* the device spec it was made with (str) */
} ext_Context;

typedef struct {
    PyObject_HEAD
    clcnn_model *m;
    ext_Context *context; /* strong reference: the model must not outlive it */
    int users;            /* open Sessions made from it */
    int closed;
} ext_Model;

typedef struct {
    PyObject_HEAD
    clcnn_session *s;
    ext_Model *model;     /* strong references: a session must not outlive either */
    ext_Context *context;
    /* The header's rule: a session is used by one thread at a time. Every call
     * on s (run, close) holds this lock, taken with the GIL released. */
    PyThread_type_lock lock;
    clcnn_tensor_info *in_info; /* the session's inputs (names owned by s) */
    int n_in, n_out;
    PyObject *inputs, *outputs; /* tuples of TensorInfo, made once */
    int owns_model; /* model was loaded for this session, which owns its handle
                       (clcnn_session_create_owning): it goes with the session */
} ext_Session;

extern PyObject *ext_Error;              /* clcnn.Error (RuntimeError) */
extern PyTypeObject ext_ContextType, ext_ModelType, ext_SessionType;
extern PyTypeObject *ext_TensorInfoType; /* clcnn.TensorInfo (struct sequence) */

/* ---- errors (ext_module.c) ---- */
/* Raises clcnn.Error(status, message); returns NULL for `return ext_raise(...)`. */
PyObject *ext_raise(clcnn_status st, const char *msg);

/* ---- library log messages (ext_context.c) ---- */
/* Looks up logging.getLogger("clcnn"); every context logs to it. */
int ext_log_init(void);
/* _log_shutdown(): stops forwarding (called at interpreter exit). */
PyObject *ext_log_shutdown(PyObject *self, PyObject *unused);

/* ---- context / model bookkeeping (ext_context.c, ext_model.c) ---- */
/* Makes a Context object for `device` (NULL: "auto"). New reference or NULL. */
ext_Context *ext_context_new(const char *device, int no_cache, const char *cache_dir);
void ext_context_add_user(ext_Context *c);
void ext_context_drop_user(ext_Context *c);
void ext_model_add_user(ext_Model *m);
void ext_model_drop_user(ext_Model *m);
/* The library destroyed m's handle (the Session that owned it ended, or its
 * create failed): m is closed, its context user dropped as on destroy. */
void ext_model_forget(ext_Model *m);
/* ValueError naming `what` when the object is closed; 0 when usable. */
int ext_context_check_open(ext_Context *c);
int ext_model_check_open(ext_Model *m);

/* ---- tensors (ext_tensor.c) ---- */
/* TensorInfo(name, shape, dtype, dynamic_batch) for one tensor. */
PyObject *ext_tensor_info(const clcnn_tensor_info *t);
/* NumPy type number of a clcnn dtype; -1 for one NumPy cannot hold. */
int ext_npy_type(clcnn_dtype t);

/* Checks a run()'s argument against infos[0..n) and returns n float32,
 * C-contiguous arrays in arrays[] (new references; copies made only where the
 * caller's array is not already float32 C-contiguous). Where allow_dynamic is
 * set and an input's batch is dynamic, dim 0 may be any N >= 1, the same for
 * every input. Raises TypeError/ValueError and returns -1 on a bad argument. */
int ext_parse_feed(PyObject *feed, const clcnn_tensor_info *infos, int n, int allow_dynamic,
                   PyArrayObject **arrays);
/* Wraps a library-allocated output (freed with clcnn_free when the array
 * dies) as a NumPy array; takes ownership of t->data also on failure. */
PyObject *ext_array_from_output(clcnn_tensor *t);

/* ---- precision (ext_precision.c) ---- */
/* Calibration arrays kept alive (and contiguous float32) across session create. */
typedef struct {
    PyArrayObject **arrays; /* new references, n of them */
    const float **ptrs;     /* their data, what clcnn_session_options.calibration points at */
    int n;
} ext_calib;
/* Checks Session()'s precision (str or None: fp32), auto_tolerance (None or a
 * float in (0, 1)) and the calibration argument's type, and sets o's precision
 * and auto_tolerance; needs no model, so a wrong keyword never starts a
 * device. -1 with TypeError/ValueError. */
int ext_precision_options(PyObject *precision, PyObject *tolerance, PyObject *calibration,
                          clcnn_session_options *o);
/* Checks calibration (None, or arrays as run() takes them) against m's inputs
 * at the session's batch (0: the model's own) and points o->calibration at c's
 * arrays; release c with ext_calib_free after clcnn_session_create. */
int ext_calibration(PyObject *calibration, const clcnn_model *m, int batch, ext_calib *c,
                    clcnn_session_options *o);
void ext_calib_free(ext_calib *c);
/* Session.precision (a dict) and Session.layer_precision() (a list of dicts). */
PyObject *ext_session_precision(ext_Session *self);
PyObject *ext_session_layer_precision(ext_Session *self);

/* ---- compare (ext_model.c) ---- */
PyObject *ext_compare(PyObject *self, PyObject *args, PyObject *kw);

#endif
