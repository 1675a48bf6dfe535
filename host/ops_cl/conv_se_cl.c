/* conv_se_cl.c — an SE block's two FCs (1x1 Convs on 1x1 planes) as one
 * se_fc launch (conv_pw.cl) instead of two conv_smallm/conv_mv launches: on
 * POCL a launch of these few-microsecond kernels costs about as much again in
 * device idle time, and EfficientNet-B0 has 16 such pairs. The pass
 * (passes/fuse_se_fc.c) asks conv_cl_se_fc_refusal; the plan then hands conv_cl
 * the first FC with c->fc2 set. */
#include <string.h>

#include "op_cl.h"

/* Work-items per group: a CPU runs a group as one thread's loop (16 keeps its
 * FMA chains independent), a GPU wants a few warps. */
#define SE_FC_L_CPU 16
#define SE_FC_L_GPU 64

/* se_fc's groups each compute the whole hidden layer, so each reads all of
 * the first FC's weights. On a CPU (a group a core) past this many bytes of
 * them the second read costs more than the launch that fusing saves (POCL's
 * idle time between launches, ~4 us): the FCs then run as two launches that
 * read every weight once. MnasNet's SE blocks at 14x14 and 7x7 (FC1 672 x 168
 * up to 960 x 480 floats, 0.45-1.8 MiB): se_fc 0.042-0.078 ms each, two
 * launches 0.029-0.065 (device time, clcnn bench profile; the four 0.24 ->
 * 0.19 ms, less ~4 us of idle time per added launch). Whole networks,
 * alternated rounds of 50 runs against the build before: MobileNetV3-Large
 * (its two 960 x 240) median of 6 medians 3.406 -> 3.364 ms; MnasNet within
 * the noise of a busy machine (medians 4.69 -> 4.71, fastest runs 4.27 ->
 * 4.21-4.24). EfficientNet-B0's (R = C / 24, at most 216 KiB) stay fused;
 * GPU-shaped plans keep se_fc (not measured there). */
#define SE_FC_SPLIT_BYTES (512 * 1024)

/* x (N x C x 1 x 1) -> y (N x OC x 1 x 1) by weights OC x C x 1 x 1: *c_in, *oc. */
static int fc_dims(const ir_graph *g, const ir_node *n, int64_t *c_in, int64_t *oc)
{
    if (n->op != IR_OP_CONV || n->n_in < 2 || n->in[0] < 0 || n->in[1] < 0 || n->n_out < 1 ||
        n->out[0] < 0 || ir_attr_int(n, "group", 1) != 1)
        return 0;
    const ir_tensor *x = ir_in(g, n, 0), *w = ir_in(g, n, 1), *y = ir_out(g, n, 0);
    if (x->ndim != 4 || w->ndim != 4 || y->ndim != 4 || x->dtype != IR_DT_FLOAT ||
        w->dtype != IR_DT_FLOAT || y->dtype != IR_DT_FLOAT)
        return 0;
    /* a 1x1 kernel on a 1x1 plane with a 1x1 output: no pads reached it */
    if (x->dims[2] != 1 || x->dims[3] != 1 || w->dims[2] != 1 || w->dims[3] != 1 ||
        y->dims[2] != 1 || y->dims[3] != 1 || w->dims[1] != x->dims[1] || y->dims[1] != w->dims[0] ||
        y->dims[0] != x->dims[0])
        return 0;
    if (n->n_in > 2 && n->in[2] >= 0) {
        const ir_tensor *b = ir_in(g, n, 2);
        if (b->dtype != IR_DT_FLOAT || ir_numel(b) != w->dims[0])
            return 0;
    }
    *c_in = x->dims[1];
    *oc = w->dims[0];
    return *c_in > 0 && *oc > 0; /* empty tensors: no local buffer of 0 bytes */
}

/* se_fc's work-items per group on this device, and its groups for C2 outputs:
 * enough to keep every compute unit busy, never more than the outputs fill
 * (each recomputes the hidden layer). */
static size_t se_fc_local(const opcl_ctx *c)
{
    size_t L = opcl_on_cpu(c) ? SE_FC_L_CPU : SE_FC_L_GPU;
    const size_t cap = rt_plan_device(c->rt)->max_work_group_size;
    return cap && L > cap ? cap : L;
}

static size_t se_fc_groups(const opcl_ctx *c, int64_t C2)
{
    const size_t L = se_fc_local(c);
    const unsigned cu = rt_info(c->rt)->compute_units;
    const size_t groups = ((size_t)C2 + L - 1) / L;
    return groups > (cu ? cu : 1) ? (cu ? cu : 1) : groups;
}

const char *conv_cl_se_fc_refusal(const opcl_ctx *c, const ir_node *fc1, const ir_node *fc2)
{
    int64_t C, R, R2, C2;
    if (!fc_dims(c->g, fc1, &C, &R) || !fc_dims(c->g, fc2, &R2, &C2) || R2 != R)
        return "not two 1x1 group-1 Convs on 1x1 planes, the second taking the first's outputs";
    if (ir_node_half(c->g, fc1) != ir_node_half(c->g, fc2))
        return "the two store their tensors in different precisions";
    if ((uint64_t)R * sizeof(float) > rt_plan_device(c->rt)->local_mem_bytes / 2)
        return "the first FC's outputs do not fit half the device's local memory";
    if (opcl_forced_away(c, "se_fc"))
        return "forced away (test)";
    return NULL;
}

int conv_cl_se_fc_declined(const opcl_ctx *c, const ir_node *fc1, const ir_node *fc2)
{
    int64_t C, R, R2, C2;
    if (!opcl_on_cpu(c) || (c->force && c->force[0]) || !fc_dims(c->g, fc1, &C, &R) ||
        !fc_dims(c->g, fc2, &R2, &C2))
        return 0;
    const uint64_t w1_bytes = (uint64_t)C * (uint64_t)R * (ir_node_half(c->g, fc1) ? 2u : 4u);
    return se_fc_groups(c, C2) > 1 && w1_bytes > SE_FC_SPLIT_BYTES;
}

clcnn_status conv_cl_se_fc(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    const ir_graph *g = c->g;
    const ir_node *f2 = c->fc2;
    int64_t C, R, R2, C2;
    fc_dims(g, n, &C, &R);
    fc_dims(g, f2, &R2, &C2);
    const int N = (int)ir_in(g, n, 0)->dims[0];
    cl_mem x = c->mem[n->in[0]], w1 = c->mem[n->in[1]], w2 = c->mem[f2->in[1]];
    cl_int has_b1 = n->n_in > 2 && n->in[2] >= 0, has_b2 = f2->n_in > 2 && f2->in[2] >= 0;
    cl_mem b1 = has_b1 ? c->mem[n->in[2]] : w1, b2 = has_b2 ? c->mem[f2->in[2]] : w2; /* not read */
    cl_mem out = c->mem[c->out];
    const size_t L = se_fc_local(c), groups = se_fc_groups(c, C2);
    const int64_t per = (C2 + (int64_t)groups - 1) / (int64_t)groups;
    const cl_int d[4] = {(cl_int)C, (cl_int)R, (cl_int)C2, (cl_int)per};
    const cl_int acts[2] = {c->act.code, c->fc2_act.code};
    const cl_float af[4] = {c->act.a, c->act.b, c->fc2_act.a, c->fc2_act.b};
    char opts[128];
    conv_cl_pw_opts(opts, sizeof opts);
    cl_kernel k = NULL;
    clcnn_status st = opcl_kernel(c, "conv_pw", opts, "se_fc", &k, err);
    if (st)
        return st;
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(x), OPCL_ARG(w1), OPCL_ARG(b1), OPCL_ARG(has_b1),
                        OPCL_ARG(w2), OPCL_ARG(b2), OPCL_ARG(has_b2), OPCL_ARG(out), OPCL_ARG(d),
                        OPCL_ARG(acts), OPCL_ARG(af), OPCL_LOCAL((size_t)R * sizeof(float))))) {
        clReleaseKernel(k);
        return st;
    }
    const size_t gws[2] = {groups * L, (size_t)N}, lws[2] = {L, 1};
    return opcl_push(c, n, k, 2, gws, lws, "se_fc", err);
}
