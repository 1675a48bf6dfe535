/* exec_cl.c — the OpenCL executor: plan once (plan/plan.c), then each run
 * writes the inputs (non-blocking), enqueues every launch on the one in-order
 * queue and reads the outputs with a single blocking read at the end: the only
 * host sync of an inference. A profiled run puts an event on every command
 * and, timed, host clock stamps around the phases (exec_cl_timing). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exec_cl.h"
#include "exec_out.h"
#include "../plan/plan.h"

struct exec_cl {
    rt_ctx *rt;
    const ir_graph *g;
    plan *p;
    /* only during a profiled run: one per command in queue order, the input
     * writes, then the launches, then the output reads (NULL: no command) */
    cl_event *events;
};

/* What run() records for a profiled run. Host stamps (ms, monotonic clock):
 * call start, first enqueue, sync start, sync end, return. */
enum { STAMP_START, STAMP_ENQUEUE, STAMP_SYNC, STAMP_SYNCED, STAMP_END, STAMP_COUNT };
typedef struct run_probe {
    cl_event *writes, *launches, *reads;
    double t[STAMP_COUNT];
} run_probe;

static double host_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

clcnn_status exec_cl_create(rt_ctx *rt, const ir_graph *g, const exec_cl_options *opt,
                            exec_cl **out, clcnn_err *err)
{
    if (!rt || !g || !out)
        return err_set(err, CLCNN_ERR_INVALID_ARG, "exec_cl_create: NULL argument");
    exec_cl *e = calloc(1, sizeof *e);
    if (!e)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory creating the executor");
    e->rt = rt;
    e->g = g;
    plan_options po = {0};
    if (opt) {
        po.keep_all = opt->keep_intermediates;
        po.force = opt->force_variant;
        po.packed = opt->packed;
        po.packed_user = opt->packed_user;
        po.arena_cap = opt->arena_cap;
    }
#ifdef CLCNN_TEST_HOOKS
    po.fault_node = getenv("CLCNN_FAULT_NODE"); /* test hook: see plan_options */
#endif
    clcnn_status st = plan_build(rt, g, &po, &e->p, err);
    if (st) {
        free(e);
        return st;
    }
    *out = e;
    return CLCNN_OK;
}

void exec_cl_destroy(exec_cl *e)
{
    if (!e)
        return;
    plan_free(e->p);
    free(e->events);
    free(e);
}

/* Writes the inputs without blocking: the final blocking read orders after
 * them on the in-order queue. */
static clcnn_status write_inputs(exec_cl *e, cl_command_queue q, const float *const *inputs,
                                 cl_event *events, clcnn_err *err)
{
    const ir_graph *g = e->g;
    clcnn_status st = CLCNN_OK;
    for (int i = 0; i < g->n_inputs; i++) {
        const ir_tensor *t = &g->tensors[g->inputs[i]];
        if (!inputs[i])
            return err_set(err, CLCNN_ERR_INVALID_ARG, "exec_cl_run: input %d ('%s') is NULL", i,
                           t->name);
        CL_TRY(err, st, clEnqueueWriteBuffer(q, e->p->mem[g->inputs[i]], CL_FALSE, 0, ir_nbytes(t),
                                             inputs[i], 0, NULL, events ? &events[i] : NULL));
    }
    return CLCNN_OK;
fail:
    return st;
}

static clcnn_status enqueue_launches(exec_cl *e, cl_command_queue q, cl_event *events,
                                     clcnn_err *err)
{
    const plan *p = e->p;
    clcnn_status st = CLCNN_OK;
    for (int i = 0; i < p->n_launches; i++) {
        const opcl_launch *L = &p->launches[i];
        if (L->custom) {
            if ((st = L->custom(L->custom_data, q, events ? &events[i] : NULL, err)))
                return st;
            continue;
        }
        CL_TRY(err, st, clEnqueueNDRangeKernel(q, L->k, L->dim, NULL, L->gws, L->lws, 0, NULL,
                                               events ? &events[i] : NULL));
    }
    return CLCNN_OK;
fail:
    return st;
}

/* 1 when launches a and b run one kernel function (same program and name)
 * over the same work-group shape: what an implementation compiling at first
 * launch (POCL) compiles once. */
static int same_compile(const opcl_launch *a, const opcl_launch *b)
{
    if (a->custom || b->custom || a->dim != b->dim)
        return 0;
    for (int d = 0; d < 3; d++)
        if (a->lws[d] != b->lws[d])
            return 0;
    cl_program pa = NULL, pb = NULL;
    char na[128] = "", nb[128] = "";
    return clGetKernelInfo(a->k, CL_KERNEL_PROGRAM, sizeof pa, &pa, NULL) == CL_SUCCESS &&
           clGetKernelInfo(b->k, CL_KERNEL_PROGRAM, sizeof pb, &pb, NULL) == CL_SUCCESS && pa == pb &&
           clGetKernelInfo(a->k, CL_KERNEL_FUNCTION_NAME, sizeof na - 1, na, NULL) == CL_SUCCESS &&
           clGetKernelInfo(b->k, CL_KERNEL_FUNCTION_NAME, sizeof nb - 1, nb, NULL) == CL_SUCCESS &&
           strcmp(na, nb) == 0;
}

clcnn_status exec_cl_warm_kernels(exec_cl *e, int reverse, int *launched, clcnn_err *err)
{
    if (!e)
        return err_set(err, CLCNN_ERR_INVALID_ARG, "exec_cl_warm_kernels: NULL executor");
    const plan *p = e->p;
    cl_command_queue q = rt_queue(e->rt);
    clcnn_status st = CLCNN_OK;
    /* the launches that first use a kernel, in plan order: a run compiles in
     * that order, so a helper going from the last of them meets it halfway
     * (a kernel used at both ends, like conv_pw, is in the first half) */
    int *first = malloc(((size_t)p->n_launches + 1) * sizeof *first), n = 0;
    if (!first)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "exec_cl_warm_kernels: out of memory");
    for (int i = 0; i < p->n_launches; i++) {
        int seen = p->launches[i].custom != NULL; /* CLBlast and the like compile their own way */
        for (int j = 0; j < n && !seen; j++)
            seen = same_compile(&p->launches[first[j]], &p->launches[i]);
        if (!seen)
            first[n++] = i;
    }
    for (int k = 0; k < n; k++) {
        const opcl_launch *L = &p->launches[first[reverse ? n - 1 - k : k]];
        /* one work-group, the plan's arguments: every kernel bounds its reads
         * and writes by the tensors' extents, never by the grid, so this
         * touches a part of what the full launch does */
        CL_TRY(err, st, clEnqueueNDRangeKernel(q, L->k, L->dim, NULL, L->lws, L->lws, 0, NULL, NULL));
    }
    CL_TRY(err, st, clFinish(q));
    free(first);
    if (launched)
        *launched = n;
    return CLCNN_OK;
fail:
    clFinish(q);
    free(first);
    return st;
}

/* Where output i's bytes (its own dtype) land: the caller's buffer when raw or
 * already float32, else a staging buffer converted to float after the sync
 * (reading an int64 tensor straight into a float buffer would write twice the
 * bytes the caller has). */
static clcnn_status stage_outputs(const ir_graph *g, void *const *outputs, int raw, void **dst,
                                  void **stage, clcnn_err *err)
{
    for (int i = 0; i < g->n_outputs; i++) {
        const ir_tensor *t = &g->tensors[g->outputs[i]];
        if (!outputs[i])
            return err_set(err, CLCNN_ERR_INVALID_ARG, "exec_cl_run: output %d ('%s') is NULL", i,
                           t->name);
        dst[i] = outputs[i];
        if (raw || t->dtype == IR_DT_FLOAT)
            continue;
        size_t nb = ir_nbytes(t);
        if (!(stage[i] = dst[i] = malloc(nb ? nb : 1)))
            return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "output '%s': out of memory (%zu bytes)",
                           t->name, nb);
    }
    return CLCNN_OK;
}

/* Reads every output into dst[]; the last device read blocks: the one host
 * sync. Outputs computed at load (a constant, a Shape result) have host data
 * and no device buffer: they are copied from the graph. A probe gets the
 * reads' events and the host stamps around the sync. */
static clcnn_status read_outputs(exec_cl *e, cl_command_queue q, void *const *dst, run_probe *pr,
                                 clcnn_err *err)
{
    const ir_graph *g = e->g;
    clcnn_status st = CLCNN_OK;
    int last = -1;
    for (int i = 0; i < g->n_outputs; i++)
        if (!g->tensors[g->outputs[i]].data)
            last = i;
    for (int i = 0; i < g->n_outputs; i++) {
        const ir_tensor *t = &g->tensors[g->outputs[i]];
        if (t->data) {
            memcpy(dst[i], t->data, ir_nbytes(t));
            continue;
        }
        if (!e->p->mem[g->outputs[i]])
            return err_set(err, CLCNN_ERR_INTERNAL, "output '%s' has no device buffer", t->name);
        if (pr && i == last)
            pr->t[STAMP_SYNC] = host_ms();
        CL_TRY(err, st, clEnqueueReadBuffer(q, e->p->mem[g->outputs[i]], i == last ? CL_TRUE : CL_FALSE,
                                            0, ir_nbytes(t), dst[i], 0, NULL, pr ? &pr->reads[i] : NULL));
        if (pr && i == last)
            pr->t[STAMP_SYNCED] = host_ms();
    }
    if (last < 0) {
        if (pr)
            pr->t[STAMP_SYNC] = host_ms();
        CL_TRY(err, st, clFinish(q));
        if (pr)
            pr->t[STAMP_SYNCED] = host_ms();
    }
    return CLCNN_OK;
fail:
    return st;
}

static clcnn_status run(exec_cl *e, const float *const *inputs, void *const *outputs, int raw,
                        run_probe *pr, clcnn_err *err)
{
    if (pr)
        pr->t[STAMP_START] = host_ms();
    const ir_graph *g = e->g;
    cl_command_queue q = rt_queue(e->rt);
    if (g->n_inputs && !inputs)
        return err_set(err, CLCNN_ERR_INVALID_ARG, "exec_cl_run: inputs is NULL");
    if (g->n_outputs && !outputs)
        return err_set(err, CLCNN_ERR_INVALID_ARG, "exec_cl_run: outputs is NULL");
    const size_t n_out = (size_t)g->n_outputs + 1;
    void **dst = calloc(n_out, sizeof *dst), **stage = calloc(n_out, sizeof *stage);
    clcnn_status st = !dst || !stage ? err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "exec_cl_run: out of memory")
                                     : stage_outputs(g, outputs, raw, dst, stage, err);
    int enqueued = 0;
    if (pr)
        pr->t[STAMP_ENQUEUE] = host_ms();
    if (st == CLCNN_OK && (st = write_inputs(e, q, inputs, pr ? pr->writes : NULL, err)) == CLCNN_OK) {
        enqueued = 1;
        if ((st = enqueue_launches(e, q, pr ? pr->launches : NULL, err)) == CLCNN_OK)
            st = read_outputs(e, q, dst, pr, err);
    }
    if (st != CLCNN_OK && enqueued)
        clFinish(q); /* host buffers must not be touched by the device after we return */
    for (int i = 0; st == CLCNN_OK && i < g->n_outputs; i++)
        if (stage[i])
            exec_to_float(g->tensors[g->outputs[i]].dtype, stage[i],
                          ir_numel(&g->tensors[g->outputs[i]]), outputs[i]);
    for (int i = 0; stage && i < g->n_outputs; i++)
        free(stage[i]);
    free(stage);
    free(dst);
    if (pr)
        pr->t[STAMP_END] = host_ms();
    return st;
}

clcnn_status exec_cl_run(exec_cl *e, const float *const *inputs, float *const *outputs,
                         clcnn_err *err)
{
    if (!e)
        return err_set(err, CLCNN_ERR_INVALID_ARG, "exec_cl_run: NULL executor");
    return run(e, inputs, (void *const *)outputs, 0, NULL, err);
}

clcnn_status exec_cl_run_raw(exec_cl *e, const float *const *inputs, void *const *outputs,
                             clcnn_err *err)
{
    if (!e)
        return err_set(err, CLCNN_ERR_INVALID_ARG, "exec_cl_run_raw: NULL executor");
    return run(e, inputs, outputs, 1, NULL, err);
}

/* Reads an event's QUEUED, START and END stamps (ns on the device clock); 0
 * when it has no START/END (no command, or a driver that reports none). A
 * QUEUED the driver cannot give, or gives after START, reads as START. */
static int event_stamps(cl_event ev, cl_ulong st[3])
{
    if (!ev ||
        clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_START, sizeof st[1], &st[1], NULL) != CL_SUCCESS ||
        clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END, sizeof st[2], &st[2], NULL) != CL_SUCCESS ||
        st[2] < st[1])
        return 0;
    if (clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_QUEUED, sizeof st[0], &st[0], NULL) != CL_SUCCESS ||
        !st[0] || st[0] > st[1])
        st[0] = st[1];
    return 1;
}

/* The device view of exec_cl_timing: walks the commands in queue order with a
 * cursor on the device clock, so every instant of [first queued, last ended]
 * is counted once: busy in a command (its kind), or idle before the next one,
 * split at the moment the host enqueued it (before: the device waited for the
 * host; after: queued but not started, the driver's dispatch). Overlapping
 * commands (an out-of-order driver) count their overlap once. */
static void device_view(cl_event *ev, int n, int first_launch, int first_read, exec_cl_timing *tm)
{
    double cur = -1.0, t0 = -1.0;
    cl_ulong base = 0; /* the first stamp: ms after it keep their precision as doubles */
    for (int i = 0; i < n; i++) {
        cl_ulong st[3];
        if (!event_stamps(ev[i], st))
            continue;
        if (cur < 0)
            base = st[0];
        const double queued = (double)(cl_long)(st[0] - base) * 1e-6;
        const double start = (double)(cl_long)(st[1] - base) * 1e-6, end = (double)(cl_long)(st[2] - base) * 1e-6;
        if (cur < 0)
            cur = t0 = queued;
        const double s = start > cur ? start : cur;
        const double by_host = (queued < s ? queued : s) - cur;
        if (by_host > 0)
            tm->idle_enqueue_ms += by_host;
        tm->idle_dispatch_ms += s - cur - (by_host > 0 ? by_host : 0.0);
        const double busy = end > s ? end - s : 0.0;
        *(i < first_launch ? &tm->upload_ms : i < first_read ? &tm->kernel_ms : &tm->download_ms) += busy;
        if (end > cur)
            cur = end;
    }
    tm->span_ms = cur > t0 ? cur - t0 : 0.0;
}

clcnn_status exec_cl_run_timed(exec_cl *e, const float *const *inputs, float *const *outputs,
                               double *kernel_ms, exec_cl_timing *timing, clcnn_err *err)
{
    if (!e || !kernel_ms || !timing)
        return err_set(err, CLCNN_ERR_INVALID_ARG, "exec_cl_run_timed: NULL argument");
    const int n_in = e->g->n_inputs, n = e->p->n_launches, n_out = e->g->n_outputs;
    const int n_ev = n_in + n + n_out;
    if (!e->events && !(e->events = calloc((size_t)n_ev + 1, sizeof *e->events)))
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory for profiling events");
    run_probe pr = {.writes = e->events, .launches = e->events + n_in, .reads = e->events + n_in + n};
    clcnn_status st = run(e, inputs, (void *const *)outputs, 0, &pr, err);
    memset(timing, 0, sizeof *timing);
    for (int i = 0; i < n; i++) {
        cl_ulong t[3];
        kernel_ms[i] = st == CLCNN_OK && event_stamps(pr.launches[i], t) ? (double)(t[2] - t[1]) * 1e-6 : 0.0;
    }
    if (st == CLCNN_OK) {
        const double *h = pr.t;
        timing->wall_ms = h[STAMP_END] - h[STAMP_START];
        timing->pre_ms = h[STAMP_ENQUEUE] - h[STAMP_START];
        timing->enqueue_ms = h[STAMP_SYNC] - h[STAMP_ENQUEUE];
        timing->wait_ms = h[STAMP_SYNCED] - h[STAMP_SYNC];
        timing->post_ms = h[STAMP_END] - h[STAMP_SYNCED];
        device_view(e->events, n_ev, n_in, n_in + n, timing);
    }
    for (int i = 0; i < n_ev; i++) {
        if (e->events[i])
            clReleaseEvent(e->events[i]);
        e->events[i] = NULL;
    }
    return st;
}

clcnn_status exec_cl_run_profiled(exec_cl *e, const float *const *inputs, float *const *outputs,
                                  double *kernel_ms, clcnn_err *err)
{
    if (!e || !kernel_ms)
        return err_set(err, CLCNN_ERR_INVALID_ARG, "exec_cl_run_profiled: NULL argument");
    exec_cl_timing unused;
    return exec_cl_run_timed(e, inputs, outputs, kernel_ms, &unused, err);
}

clcnn_status exec_cl_read_tensor(exec_cl *e, int t, float *dst, clcnn_err *err)
{
    if (!e || !dst || t < 0 || t >= e->g->n_tensors)
        return err_set(err, CLCNN_ERR_INVALID_ARG, "exec_cl_read_tensor: bad argument (tensor %d)", t);
    const ir_tensor *x = &e->g->tensors[t];
    if (!e->p->readable[t])
        return err_set(err, CLCNN_ERR_INVALID_ARG,
                       "tensor '%s' is not kept by the plan (fused away, or its buffer reused; "
                       "create the executor with keep_intermediates)", x->name);
    if (x->dtype != IR_DT_FLOAT)
        return err_set(err, CLCNN_ERR_INVALID_ARG, "tensor '%s' is not float32", x->name);
    clcnn_status st = CLCNN_OK;
    if (x->half) {
        /* the halves land in the front half of dst, then widen from the back:
         * float j overwrites halves 2j and 2j+1, both already read (j >= 1) */
        const size_t cnt = (size_t)ir_numel(x);
        CL_TRY(err, st, clEnqueueReadBuffer(rt_queue(e->rt), e->p->mem[t], CL_TRUE, 0,
                                            cnt * sizeof(uint16_t), dst, 0, NULL, NULL));
        for (size_t j = cnt; j-- > 0;) {
            uint16_t h;
            memcpy(&h, (const char *)dst + j * sizeof h, sizeof h);
            dst[j] = ir_half_to_float(h);
        }
        return CLCNN_OK;
    }
    CL_TRY(err, st, clEnqueueReadBuffer(rt_queue(e->rt), e->p->mem[t], CL_TRUE, 0, ir_nbytes(x), dst,
                                        0, NULL, NULL));
    return CLCNN_OK;
fail:
    return st;
}

int exec_cl_kernel_count(const exec_cl *e)
{
    return e ? e->p->n_launches : 0;
}

void exec_cl_launch_info(const exec_cl *e, int i, int *node, const char **variant)
{
    const int ok = e && i >= 0 && i < e->p->n_launches;
    if (node)
        *node = ok ? e->p->launches[i].node : -1;
    if (variant)
        *variant = ok ? e->p->launches[i].variant : NULL;
}

int exec_cl_const_copied(const exec_cl *e, int t)
{
    return e && t >= 0 && t < e->g->n_tensors && e->p->dev_copy[t];
}

const char *exec_cl_node_variant(const exec_cl *e, int node, const char **fallback)
{
    const int ok = e && node >= 0 && node < e->g->n_nodes;
    if (fallback)
        *fallback = ok ? e->p->fallback[node] : NULL;
    return ok ? e->p->variant[node] : NULL;
}

int exec_cl_node_host(const exec_cl *e, int node)
{
    if (!e || node < 0 || node >= e->g->n_nodes)
        return -1;
    /* bounded walk: a chain is at most as long as the graph */
    for (int steps = 0; steps < e->g->n_nodes && e->p->fused_into[node] >= 0; steps++)
        node = e->p->fused_into[node];
    return node;
}

void exec_cl_memory(const exec_cl *e, size_t *weight_bytes, size_t *act_bytes,
                    size_t *naive_act_bytes)
{
    if (weight_bytes)
        *weight_bytes = e ? e->p->const_bytes : 0;
    if (act_bytes)
        *act_bytes = e ? e->p->act_bytes : 0;
    if (naive_act_bytes)
        *naive_act_bytes = e ? e->p->naive_act_bytes : 0;
}
