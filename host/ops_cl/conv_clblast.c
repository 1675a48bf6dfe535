/* conv_clblast.c — pointwise Conv as CLBlast SGEMM per batch image plus the
 * bias_act.cl epilogue, pushed as one custom launch (opcl_push_custom). Built
 * without CLBlast, every entry point says "unavailable" and nothing links it. */
#include <stdio.h>
#include <stdlib.h>

#include "conv_clblast.h"
#include "../ops/ops_impl.h"

#ifdef CLCNN_HAVE_CLBLAST
#include <clblast_c.h>
#endif

#define BA_PX 4   /* bias_act elements per work-item, passed with -D */
#define BA_LWS 64 /* bias_act work-group: gws is padded to it, the kernel guards the tail */

int convpw_clblast_available(void)
{
#ifdef CLCNN_HAVE_CLBLAST
    return 1;
#else
    return 0;
#endif
}

int convpw_clblast_applicable(const ir_graph *g, const ir_node *n)
{
    if (n->op != IR_OP_CONV || n->n_in < 2 || n->n_out < 1)
        return 0;
    const ir_tensor *x = ir_in(g, n, 0), *w = ir_in(g, n, 1), *y = ir_out(g, n, 0);
    if (!x || !w || !y || x->dtype != IR_DT_FLOAT || y->dtype != IR_DT_FLOAT || x->ndim != 4 ||
        y->ndim != 4 || w->ndim != 4)
        return 0;
    for (int d = 0; d < 4; d++)
        if (x->dims[d] <= 0 || y->dims[d] <= 0)
            return 0;
    clcnn_err e = {0};
    op_win win;
    clcnn_status st = conv_geometry(g, n, &win, &e);
    err_clear(&e);
    if (st)
        return 0;
    for (int d = 0; d < 2; d++)
        if (win.k[d] != 1 || win.stride[d] != 1 || win.dil[d] != 1 || win.pad_begin[d] ||
            win.pad_end[d])
            return 0;
    return ir_attr_int(n, "group", 1) == 1;
}

void convpw_clblast_shape(const ir_graph *g, const ir_node *n, int64_t *m, int64_t *nn, int64_t *k)
{
    const ir_tensor *x = ir_in(g, n, 0), *y = ir_out(g, n, 0);
    *m = y->dims[1];
    *nn = x->dims[2] * x->dims[3];
    *k = x->dims[1];
}

#ifdef CLCNN_HAVE_CLBLAST

/* CLBlast keeps OpenCL's numbers for CL errors and its own range below -1000. */
static const char *clblast_status_name(int code)
{
    if (code > -1000)
        return rt_cl_error_name((cl_int)code);
    switch (code) {
    case CLBlastNotImplemented: return "CLBlastNotImplemented";
    case CLBlastInvalidMatrixA: return "CLBlastInvalidMatrixA";
    case CLBlastInvalidMatrixB: return "CLBlastInvalidMatrixB";
    case CLBlastInvalidMatrixC: return "CLBlastInvalidMatrixC";
    case CLBlastInvalidDimension: return "CLBlastInvalidDimension";
    case CLBlastInvalidLeadDimA: return "CLBlastInvalidLeadDimA";
    case CLBlastInvalidLeadDimB: return "CLBlastInvalidLeadDimB";
    case CLBlastInvalidLeadDimC: return "CLBlastInvalidLeadDimC";
    case CLBlastInsufficientMemoryA: return "CLBlastInsufficientMemoryA";
    case CLBlastInsufficientMemoryB: return "CLBlastInsufficientMemoryB";
    case CLBlastInsufficientMemoryC: return "CLBlastInsufficientMemoryC";
    case CLBlastInsufficientMemoryTemp: return "CLBlastInsufficientMemoryTemp";
    case CLBlastInvalidLocalMemUsage: return "CLBlastInvalidLocalMemUsage";
    case CLBlastDatabaseError: return "CLBlastDatabaseError";
    case CLBlastUnknownError: return "CLBlastUnknownError";
    case CLBlastUnexpectedError: return "CLBlastUnexpectedError";
    default: return "CLBlast error";
    }
}

/* CLBlastSgemm's type: the library is loaded at run time (rt_clblast_sym), so
 * the call goes through a pointer; the assertion holds it to the header's
 * declaration (__typeof__ does not reference the symbol). */
typedef CLBlastStatusCode (*sgemm_fn)(const CLBlastLayout, const CLBlastTranspose,
                                      const CLBlastTranspose, const size_t, const size_t,
                                      const size_t, const float, const cl_mem, const size_t,
                                      const size_t, const cl_mem, const size_t, const size_t,
                                      const float, cl_mem, const size_t, const size_t,
                                      cl_command_queue *, cl_event *);
_Static_assert(__builtin_types_compatible_p(__typeof__(&CLBlastSgemm), sgemm_fn),
               "sgemm_fn must match clblast_c.h's CLBlastSgemm");

/* Everything one replay needs; buffers are borrowed from the plan, which
 * releases them after the launches (plan_free order). */
typedef struct pw_blast {
    sgemm_fn sgemm;  /* from the context's CLBlast handle, which outlives the plan */
    cl_mem w, x, y;
    size_t m, n, k;
    int batch;
    cl_kernel epi; /* owned; NULL when there is no bias, activation or fault hook */
    size_t epi_gws, epi_lws;
} pw_blast;

static void pw_blast_free(void *p)
{
    pw_blast *b = p;
    if (!b)
        return;
    if (b->epi)
        clReleaseKernel(b->epi);
    free(b);
}

static clcnn_status pw_blast_run(void *data, cl_command_queue q, cl_event *ev, clcnn_err *err)
{
    const pw_blast *b = data;
    clcnn_status st = CLCNN_OK;
    cl_event last = NULL;
    for (int i = 0; i < b->batch; i++) {
        cl_event e = NULL;
        /* row-major C[M,N] = A[M,K] * B[K,N]: weights (Cout x Cin) times image i (Cin x HW) */
        CLBlastStatusCode rc = b->sgemm(
            CLBlastLayoutRowMajor, CLBlastTransposeNo, CLBlastTransposeNo, b->m, b->n, b->k, 1.0f,
            b->w, 0, b->k, b->x, (size_t)i * b->k * b->n, b->n, 0.0f, b->y,
            (size_t)i * b->m * b->n, b->n, &q, ev ? &e : NULL);
        if (rc != CLBlastSuccess) {
            if (last)
                clReleaseEvent(last);
            return err_set(err, CLCNN_ERR_CL, "CLBlastSgemm(M=%zu, N=%zu, K=%zu) failed: %s (%d)",
                           b->m, b->n, b->k, clblast_status_name(rc), (int)rc);
        }
        if (last)
            clReleaseEvent(last);
        last = e;
    }
    if (b->epi) {
        cl_event e = NULL;
        CL_TRY(err, st, clEnqueueNDRangeKernel(q, b->epi, 1, NULL, &b->epi_gws, &b->epi_lws, 0,
                                               NULL, ev ? &e : NULL));
        if (last)
            clReleaseEvent(last);
        last = e;
    }
    if (ev)
        *ev = last; /* profiling sees the last command only (see conv_clblast.h) */
    else if (last)
        clReleaseEvent(last);
    return CLCNN_OK;
fail:
    if (last)
        clReleaseEvent(last);
    return st;
}

clcnn_status convpw_clblast_push(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    if (!convpw_clblast_applicable(c->g, n))
        return err_set(err, CLCNN_ERR_INTERNAL,
                       "convpw_clblast_push: node '%s' is not a 1x1/stride-1/unpadded Conv",
                       n->name);
    if (c->fp16) /* SGEMM is float32 only; conv_cl never picks it for an fp16 node */
        return err_set(err, CLCNN_ERR_INTERNAL,
                       "convpw_clblast_push: node '%s' runs in fp16, CLBlast SGEMM reads float32",
                       n->name);
    clcnn_status st = CLCNN_OK;
    sgemm_fn sgemm = (sgemm_fn)rt_clblast_sym(c->rt, "CLBlastSgemm", err);
    if (!sgemm)
        return err->status;
    pw_blast *b = calloc(1, sizeof *b);
    if (!b)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory planning node '%s'", n->name);
    b->sgemm = sgemm;
    int64_t m, nn, k;
    convpw_clblast_shape(c->g, n, &m, &nn, &k);
    b->m = (size_t)m;
    b->n = (size_t)nn;
    b->k = (size_t)k;
    b->batch = (int)ir_in(c->g, n, 0)->dims[0];
    b->w = c->mem[n->in[1]];
    b->x = c->mem[n->in[0]];
    b->y = c->mem[c->out];
    const int has_bias = n->n_in > 2 && n->in[2] >= 0;
    const int hook = c->build_opts && *c->build_opts; /* fault hook lives in the epilogue */
    if (has_bias || c->act.code != OPCL_ACT_NONE || c->res || hook) {
        char opts[32];
        snprintf(opts, sizeof opts, "-DBA_PX=%d", BA_PX);
        if ((st = opcl_kernel(c, "bias_act", opts, "bias_act", &b->epi, err)))
            goto fail;
        cl_mem bias = has_bias ? c->mem[n->in[2]] : b->w; /* any valid buffer; not read */
        const cl_int hb = has_bias, C = (cl_int)m, HW = (cl_int)nn,
                     total = (cl_int)(m * nn * b->batch), act = c->act.code,
                     has_res = c->res != NULL;
        if ((st = OPCL_ARGS(b->epi, err, OPCL_ARG(b->y), OPCL_ARG(bias), OPCL_ARG(hb), OPCL_ARG(C),
                            OPCL_ARG(HW), OPCL_ARG(total), OPCL_ARG(act), OPCL_ARG(c->act.a),
                            OPCL_ARG(c->act.b),
                            ((opcl_argval){sizeof(cl_mem), c->res ? &c->res : &b->y}),
                            OPCL_ARG(has_res))))
            goto fail;
        size_t max_wg = 0;
        if (clGetKernelWorkGroupInfo(b->epi, rt_device(c->rt), CL_KERNEL_WORK_GROUP_SIZE,
                                     sizeof max_wg, &max_wg, NULL) != CL_SUCCESS || !max_wg)
            max_wg = 1;
        b->epi_lws = max_wg < BA_LWS ? max_wg : BA_LWS;
        const size_t items = ((size_t)total + BA_PX - 1) / BA_PX;
        b->epi_gws = (items + b->epi_lws - 1) / b->epi_lws * b->epi_lws;
    }
    return opcl_push_custom(c, n, pw_blast_run, b, pw_blast_free, "conv_clblast", err);
fail:
    pw_blast_free(b);
    return st;
}

#else /* !CLCNN_HAVE_CLBLAST */

clcnn_status convpw_clblast_push(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    (void)c;
    return err_set(err, CLCNN_ERR_UNSUPPORTED,
                   "node '%s': clcnn was built without CLBlast (libclblast-dev)", n->name);
}

#endif
