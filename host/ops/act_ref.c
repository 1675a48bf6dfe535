/* act_ref.c — reference activations, one formula per op, evaluated in double:
 * relu max(0,x); leaky x<0 ? alpha*x : x; clip min(max(x,lo),hi) (so lo > hi
 * gives hi, as ONNX says; lo/hi fed at run time are read from their buffers);
 * relu and clip let NaN through, as onnxruntime does;
 * hardsigmoid max(0,min(1,alpha*x+beta)); hardswish x*max(0,min(1,x/6+1/2));
 * sigmoid 1/(1+exp(-x)); abs |x|; erf, tanh, exp, log, sqrt, neg, 1/x as C
 * computes them; gelu x/2 (1+erf(x/sqrt2)) or, approximate=tanh, x/2 (1+tanh(
 * sqrt(2/pi) (x+0.044715x^3))); elu x<0 ? alpha(e^x-1) : x; selu gamma (x>0 ?
 * x : alpha(e^x-1)); celu max(0,x)+min(0,alpha(e^(x/alpha)-1)) computed as x>0 ? x :
 * alpha(e^(x/alpha)-1), the same value that lets NaN through; softplus
 * log(1+e^x) (written so e^x cannot overflow); softsign x/(1+|x|); mish
 * x tanh(softplus(x)). */
#include <math.h>

#include "ops_impl.h"

/* log(1 + e^v): the two halves keep e^(+-v) <= 1, so nothing overflows. */
static double softplus(double v)
{
    return v > 0 ? v + log1p(exp(-v)) : log1p(exp(v));
}

clcnn_status act_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    const float *x = bufs[n->in[0]];
    float *y = bufs[n->out[0]];
    int64_t cnt = ir_numel(ir_in(g, n, 0));
    float lo = 0, hi = 0;
    double alpha = 0, beta = 0;
    int gelu_tanh = 0;
    if (n->op == IR_OP_CLIP) {
        int runtime;
        clcnn_status st = act_clip_bounds(g, n, &lo, &hi, &runtime, err);
        if (st)
            return st;
        if (runtime & 1) /* bounds fed at run time: one float32 each */
            lo = *(const float *)bufs[n->in[1]];
        if (runtime & 2)
            hi = *(const float *)bufs[n->in[2]];
    } else if (n->op == IR_OP_LEAKYRELU) {
        alpha = ir_attr_float(n, "alpha", 0.01f);
    } else if (n->op == IR_OP_HARDSIGMOID) {
        alpha = ir_attr_float(n, "alpha", 0.2f);
        beta = ir_attr_float(n, "beta", 0.5f);
    } else if (n->op == IR_OP_ELU || n->op == IR_OP_CELU) {
        alpha = ir_attr_float(n, "alpha", 1.0f);
    } else if (n->op == IR_OP_SELU) {
        alpha = ir_attr_float(n, "alpha", ACT_SELU_ALPHA);
        beta = ir_attr_float(n, "gamma", ACT_SELU_GAMMA);
    } else if (n->op == IR_OP_GELU) {
        clcnn_status st = act_gelu_tanh(n, &gelu_tanh, err);
        if (st)
            return st;
    }
    for (int64_t i = 0; i < cnt; i++) {
        double v = x[i], r;
        switch (n->op) {
        case IR_OP_RELU: r = v < 0 ? 0 : v; break; /* NaN stays NaN */
        case IR_OP_LEAKYRELU: r = v < 0 ? alpha * v : v; break;
        case IR_OP_CLIP: /* max first, then min: ONNX's order */
            r = v < lo ? lo : v;
            r = r > hi ? hi : r;
            break;
        case IR_OP_HARDSIGMOID: r = fmax(0.0, fmin(1.0, alpha * v + beta)); break;
        case IR_OP_HARDSWISH: r = v * fmax(0.0, fmin(1.0, v / 6.0 + 0.5)); break;
        case IR_OP_SIGMOID: r = 1.0 / (1.0 + exp(-v)); break;
        case IR_OP_ABS: r = fabs(v); break;
        case IR_OP_ERF: r = erf(v); break;
        case IR_OP_TANH: r = tanh(v); break;
        case IR_OP_EXP: r = exp(v); break;
        case IR_OP_LOG: r = log(v); break;
        case IR_OP_SQRT: r = sqrt(v); break;
        case IR_OP_NEG: r = -v; break;
        case IR_OP_RECIPROCAL: r = 1.0 / v; break;
        case IR_OP_GELU:
            r = gelu_tanh ? 0.5 * v * (1.0 + tanh(sqrt(2.0 / M_PI) * (v + 0.044715 * v * v * v)))
                          : 0.5 * v * (1.0 + erf(v / sqrt(2.0)));
            break;
        case IR_OP_ELU: r = v < 0 ? alpha * expm1(v) : v; break;
        case IR_OP_SELU: r = beta * (v > 0 ? v : alpha * expm1(v)); break;
        case IR_OP_CELU: r = v > 0 ? v : alpha * expm1(v / alpha); break; /* NaN stays NaN */
        case IR_OP_SOFTPLUS: r = softplus(v); break;
        case IR_OP_SOFTSIGN: r = v / (1.0 + fabs(v)); break;
        case IR_OP_MISH: r = v * tanh(softplus(v)); break;
        default: return op_fail(err, CLCNN_ERR_INTERNAL, n, "not an activation");
        }
        y[i] = (float)r;
    }
    return CLCNN_OK;
}
