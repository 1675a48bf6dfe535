/* act_cl.c — OpenCL side of the unary activations (Relu, LeakyRelu, Clip,
 * HardSigmoid, HardSwish, Sigmoid, Abs, Erf, Tanh,
 * Exp, Log, Sqrt, Neg, Reciprocal, Gelu, Elu, Selu, Celu, Softplus,
 * Softsign, Mish): one `unary` kernel from eltwise.cl (`clip_operands` for a
 * Clip whose bounds are fed at run time), and the activation description the
 * plan uses to fold them into a Conv or BN (constant bounds only). */
#include <math.h>
#include <stdlib.h>

#include "op_cl.h"
#include "../ops/elem.h"
#include "../ops/ops_impl.h"

/* 1 with *v when input k of n is a constant of one element (any rank, any
 * numeric dtype: exporters write Pow's exponent as float [] or [1], or int64). */
static int scalar_const(const ir_graph *g, const ir_node *n, int k, float *v)
{
    const ir_tensor *t = ir_in(g, n, k);
    if (!t || !t->data || !elem_is_numeric(t->dtype) || ir_numel(t) != 1)
        return 0;
    *v = (float)elem_get_f(t->data, t->dtype, 0);
    return 1;
}

int opcl_act_of(const ir_graph *g, const ir_node *n, opcl_act *act)
{
    opcl_act r = {OPCL_ACT_NONE, 0.0f, 0.0f};
    switch (n->op) {
    case IR_OP_RELU: r.code = OPCL_ACT_RELU; break;
    case IR_OP_LEAKYRELU:
        r.code = OPCL_ACT_LEAKY;
        r.a = ir_attr_float(n, "alpha", 0.01f);
        break;
    case IR_OP_HARDSIGMOID:
        r.code = OPCL_ACT_HSIGMOID;
        r.a = ir_attr_float(n, "alpha", 0.2f);
        r.b = ir_attr_float(n, "beta", 0.5f);
        break;
    case IR_OP_HARDSWISH: r.code = OPCL_ACT_HSWISH; break;
    case IR_OP_SIGMOID: r.code = OPCL_ACT_SIGMOID; break;
    case IR_OP_ABS: r.code = OPCL_ACT_ABS; break;
    case IR_OP_CLIP: {
        clcnn_err e = {0};
        int runtime;
        r.code = OPCL_ACT_CLIP;
        if (act_clip_bounds(g, n, &r.a, &r.b, &runtime, &e) != CLCNN_OK) {
            free(e.detail);
            return 0;
        }
        if (runtime) /* bounds known only at run time: not an epilogue constant */
            return 0;
        break;
    }
    case IR_OP_ERF: r.code = OPCL_ACT_ERF; break;
    case IR_OP_TANH: r.code = OPCL_ACT_TANH; break;
    case IR_OP_EXP: r.code = OPCL_ACT_EXP; break;
    case IR_OP_LOG: r.code = OPCL_ACT_LOG; break;
    case IR_OP_SQRT: r.code = OPCL_ACT_SQRT; break;
    case IR_OP_NEG: r.code = OPCL_ACT_NEG; break;
    case IR_OP_RECIPROCAL: r.code = OPCL_ACT_RECIP; break;
    case IR_OP_GELU: {
        clcnn_err e = {0};
        int is_tanh;
        if (act_gelu_tanh(n, &is_tanh, &e) != CLCNN_OK) {
            free(e.detail);
            return 0;
        }
        r.code = is_tanh ? OPCL_ACT_GELU_TANH : OPCL_ACT_GELU;
        break;
    }
    case IR_OP_ELU:
        r.code = OPCL_ACT_ELU;
        r.a = ir_attr_float(n, "alpha", 1.0f);
        break;
    case IR_OP_SELU:
        r.code = OPCL_ACT_SELU;
        r.a = ir_attr_float(n, "alpha", ACT_SELU_ALPHA);
        r.b = ir_attr_float(n, "gamma", ACT_SELU_GAMMA);
        break;
    case IR_OP_CELU:
        r.code = OPCL_ACT_CELU;
        r.a = ir_attr_float(n, "alpha", 1.0f);
        break;
    case IR_OP_SOFTPLUS: r.code = OPCL_ACT_SOFTPLUS; break;
    case IR_OP_SOFTSIGN: r.code = OPCL_ACT_SOFTSIGN; break;
    case IR_OP_MISH: r.code = OPCL_ACT_MISH; break;
    case IR_OP_POW: /* by a constant scalar: an activation of input 0 (fuses into Conv/BN) */
        if (!scalar_const(g, n, 1, &r.a))
            return 0;
        r.code = OPCL_ACT_POW;
        break;
    case IR_OP_PRELU: /* one constant slope: LeakyRelu's activation */
        if (!scalar_const(g, n, 1, &r.a))
            return 0;
        r.code = OPCL_ACT_LEAKY;
        break;
    default: return 0;
    }
    *act = r;
    return 1;
}

/* Clip with a bound fed at run time (eltwise.cl clip_operands): the kernel
 * reads that bound from its input's buffer; a constant or absent bound is
 * passed by value, and its buffer slot gets x, which the kernel then never reads. */
static clcnn_status clip_operands_cl(opcl_ctx *c, const ir_node *n, float lo, float hi, int runtime,
                                     clcnn_err *err)
{
    cl_kernel k = NULL;
    clcnn_status st;
    cl_int cnt = (cl_int)ir_numel(ir_out(c->g, n, 0)), which = runtime;
    if (cnt == 0) { /* nothing to write: a zero NDRange is invalid */
        c->variant = "clip_operands";
        return CLCNN_OK;
    }
    cl_mem x = c->mem[n->in[0]];
    cl_mem lo_m = (runtime & 1) ? c->mem[n->in[1]] : x, hi_m = (runtime & 2) ? c->mem[n->in[2]] : x;
    if (!lo_m || !hi_m)
        return op_fail(err, CLCNN_ERR_INTERNAL, n, "a bound of Clip has no device buffer");
    if ((st = opcl_kernel(c, "eltwise", NULL, "clip_operands", &k, err)))
        return st;
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(x), OPCL_ARG(c->mem[c->out]), OPCL_ARG(cnt), OPCL_ARG(lo_m),
                        OPCL_ARG(hi_m), OPCL_ARG(which), OPCL_ARG(lo), OPCL_ARG(hi)))) {
        clReleaseKernel(k);
        return st;
    }
    size_t gws[1] = {(size_t)cnt};
    return opcl_push(c, n, k, 1, gws, NULL, "clip_operands", err);
}

clcnn_status act_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    opcl_act act;
    clcnn_status st;
    if (n->op == IR_OP_CLIP) {
        /* the bounds must be readable: report why, not just "unsupported" */
        float lo, hi;
        int runtime;
        if ((st = act_clip_bounds(c->g, n, &lo, &hi, &runtime, err)))
            return st;
        if (runtime)
            return clip_operands_cl(c, n, lo, hi, runtime, err);
    }
    if (!opcl_act_of(c->g, n, &act))
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "not an activation the unary kernel knows");
    return opcl_unary(c, n, c->mem[n->in[0]], act.code, act.a, act.b, err);
}

clcnn_status opcl_unary(opcl_ctx *c, const ir_node *n, cl_mem x, cl_int code, float a, float b,
                        clcnn_err *err)
{
    cl_kernel k = NULL;
    clcnn_status st = opcl_kernel(c, "eltwise", NULL, "unary", &k, err);
    if (st)
        return st;
    cl_int cnt = (cl_int)ir_numel(ir_out(c->g, n, 0)), per = opcl_eltwise_per(c);
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(x), OPCL_ARG(c->mem[c->out]), OPCL_ARG(cnt), OPCL_ARG(code),
                        OPCL_ARG(a), OPCL_ARG(b), OPCL_ARG(per)))) {
        clReleaseKernel(k);
        return st;
    }
    size_t gws[1] = {(size_t)(cnt + per - 1) / per};
    return opcl_push(c, n, k, 1, gws, NULL, "unary", err);
}
