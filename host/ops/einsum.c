/* einsum.c — Einsum (opset 12): the equation parser and shape rule. Explicit
 * ("ij,jk->ik") and implicit ("ij,jk": the letters seen once, sorted, after
 * the ellipsis dims) forms, one or two inputs, an ellipsis per term
 * (broadcast numpy-style: a 1 stretches), repeated letters in a term
 * (diagonals), letters summed when the output lacks them. Three or more
 * inputs are refused. MACs: output elements x summed elements.
 * Reference: einsum_ref.c; OpenCL: host/ops_cl/einsum_cl.c. */
#include <string.h>

#include "einsum.h"
#include "ops_impl.h"

#define LETTERS 52 /* a-z, A-Z; ellipsis dims get ids from LETTERS on */

static int letter_id(char ch)
{
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a';
    if (ch >= 'A' && ch <= 'Z')
        return 26 + ch - 'A';
    return -1;
}

/* One term of the equation: letter ids of its dims, ellipsis expanded to the
 * ids LETTERS + k for ellipsis dim k (right-aligned over n_ell dims). */
typedef struct term {
    int ids[IR_MAX_DIMS + EINSUM_MAX];
    int n;
    int ell;  /* position of the ellipsis in the term's letters, -1: none */
    int nlet; /* letters written (not counting the ellipsis) */
} term;

static clcnn_status parse_term(const ir_node *n, const char *s, size_t len, term *t, clcnn_err *err)
{
    t->n = 0, t->ell = -1, t->nlet = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == ' ')
            continue;
        if (s[i] == '.') {
            if (t->ell >= 0 || i + 2 >= len || s[i + 1] != '.' || s[i + 2] != '.')
                return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "equation: a term has a malformed "
                               "or second ellipsis");
            t->ell = t->nlet;
            i += 2;
            continue;
        }
        const int id = letter_id(s[i]);
        if (id < 0 && s[i] > ' ' && s[i] < 127) /* printable ASCII: shown as is */
            return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "equation: character '%c' is not a "
                           "letter, ',', '->' or '...'", s[i]);
        if (id < 0) /* a control or non-ASCII byte never reaches the terminal raw */
            return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "equation: byte 0x%02x is not a "
                           "letter, ',', '->' or '...'", (unsigned char)s[i]);
        if (t->nlet >= IR_MAX_DIMS)
            return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "equation: a term has more than %d "
                           "letters", IR_MAX_DIMS);
        t->ids[t->nlet++] = id;
    }
    return CLCNN_OK;
}

/* Expands term t's ellipsis to n_ell dims ending at id LETTERS + max_ell - 1. */
static void expand(term *t, int n_ell, int max_ell)
{
    int out[IR_MAX_DIMS + EINSUM_MAX], k = 0;
    for (int i = 0; i < t->nlet; i++) {
        if (i == t->ell)
            for (int e = 0; e < n_ell; e++)
                out[k++] = LETTERS + max_ell - n_ell + e;
        out[k++] = t->ids[i];
    }
    if (t->ell == t->nlet)
        for (int e = 0; e < n_ell; e++)
            out[k++] = LETTERS + max_ell - n_ell + e;
    t->n = k;
    memcpy(t->ids, out, (size_t)t->n * sizeof(int));
}

clcnn_status einsum_parse(const ir_graph *g, const ir_node *n, einsum_spec *s, clcnn_err *err)
{
    const ir_attr *a = ir_attr_find(n, "equation");
    if (!a || a->type != IR_ATTR_STRING || !a->s)
        return op_fail(err, CLCNN_ERR_GRAPH, n, "attribute equation (a string) is required");
    const char *eq = a->s, *arrow = strstr(eq, "->");
    if (n->n_in < 1 || n->n_in > 2)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "%d inputs; Einsum is implemented for 1 or 2",
                       n->n_in);
    memset(s, 0, sizeof *s);
    s->n_in = n->n_in;
    term in[2], out;
    const char *p = eq, *end = arrow ? arrow : eq + strlen(eq);
    clcnn_status st;
    for (int k = 0; k < s->n_in; k++) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *e = comma ? comma : end;
        if ((k == s->n_in - 1) != (comma == NULL))
            return op_fail(err, CLCNN_ERR_SHAPE, n, "equation '%s' has a term count other than "
                           "the %d inputs", eq, s->n_in);
        if ((st = parse_term(n, p, (size_t)(e - p), &in[k], err)))
            return st;
        p = e + 1;
    }
    /* ellipsis dims: each input's rank minus its letters; broadcast right-aligned */
    int max_ell = 0, n_ell[2] = {0, 0};
    int64_t ell_ext[IR_MAX_DIMS];
    for (int k = 0; k < s->n_in; k++) {
        const ir_tensor *x = ir_in(g, n, k);
        n_ell[k] = x->ndim - in[k].nlet;
        if (n_ell[k] < 0 || (in[k].ell < 0 && n_ell[k] != 0))
            return op_fail(err, CLCNN_ERR_SHAPE, n, "equation term %d has %d letters for input "
                           "'%s' of rank %d", k, in[k].nlet, x->name, x->ndim);
        if (n_ell[k] > max_ell)
            max_ell = n_ell[k];
    }
    for (int e = 0; e < max_ell; e++)
        ell_ext[e] = 1;
    int64_t ext[LETTERS + IR_MAX_DIMS] = {0};
    int seen[LETTERS + IR_MAX_DIMS] = {0}; /* times a letter appears over the inputs */
    for (int k = 0; k < s->n_in; k++) {
        const ir_tensor *x = ir_in(g, n, k);
        expand(&in[k], n_ell[k], max_ell);
        for (int d = 0; d < in[k].n; d++) {
            const int id = in[k].ids[d];
            const int64_t v = x->dims[d];
            if (id >= LETTERS) {
                int64_t *w = &ell_ext[id - LETTERS];
                if (*w != 1 && v != 1 && *w != v)
                    return op_fail(err, CLCNN_ERR_SHAPE, n, "ellipsis dims do not broadcast "
                                   "(%lld vs %lld)", (long long)*w, (long long)v);
                if (v != 1)
                    *w = v;
                continue;
            }
            if (seen[id] && ext[id] != v)
                return op_fail(err, CLCNN_ERR_SHAPE, n, "letter '%c' has extents %lld and %lld",
                               id < 26 ? 'a' + id : 'A' + id - 26, (long long)ext[id],
                               (long long)v);
            ext[id] = v, seen[id]++;
        }
    }
    for (int e = 0; e < max_ell; e++)
        ext[LETTERS + e] = ell_ext[e], seen[LETTERS + e] = 1;
    /* the output term: explicit, or ellipsis dims then the letters seen once, sorted */
    if (arrow) {
        if ((st = parse_term(n, arrow + 2, strlen(arrow + 2), &out, err)))
            return st;
        if (out.ell < 0 && max_ell > 0)
            return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "equation '%s': ellipsis dims summed "
                           "away (no '...' in the output) are not implemented", eq);
        expand(&out, max_ell, max_ell);
    } else {
        out.n = 0;
        for (int e = 0; e < max_ell; e++)
            out.ids[out.n++] = LETTERS + e;
        for (int id = 0; id < LETTERS; id++) /* ids run a-z then A-Z; numpy sorts A-Z first */
            if (seen[(id + 26) % LETTERS] == 1 && out.n < IR_MAX_DIMS)
                out.ids[out.n++] = (id + 26) % LETTERS;
    }
    if (out.n > IR_MAX_DIMS)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "output rank above %d", IR_MAX_DIMS);
    int in_out[LETTERS + IR_MAX_DIMS] = {0};
    for (int d = 0; d < out.n; d++) {
        const int id = out.ids[d];
        if (!seen[id] || in_out[id])
            return op_fail(err, CLCNN_ERR_SHAPE, n, "equation '%s': an output letter is %s", eq,
                           in_out[id] ? "repeated" : "in no input");
        in_out[id] = 1;
        s->out_ext[s->n_out] = ext[id], s->out_dims[d] = ext[id];
        for (int k = 0; k < s->n_in; k++)
            s->out_st[k][s->n_out] = 0;
        s->n_out++;
    }
    int sum_slot[LETTERS + IR_MAX_DIMS] = {0}, out_slot[LETTERS + IR_MAX_DIMS] = {0};
    for (int d = 0; d < out.n; d++)
        out_slot[out.ids[d]] = d;
    for (int id = 0; id < LETTERS + max_ell; id++) {
        if (!seen[id] || in_out[id])
            continue;
        if (s->n_sum == EINSUM_MAX)
            return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "more than %d summed letters", EINSUM_MAX);
        sum_slot[id] = s->n_sum;
        s->sum_ext[s->n_sum++] = ext[id];
    }
    for (int k = 0; k < s->n_in; k++) { /* strides: a repeated letter adds up (diagonal) */
        const ir_tensor *x = ir_in(g, n, k);
        int64_t xs[IR_MAX_DIMS];
        op_strides(x->ndim, x->dims, xs);
        for (int d = 0; d < in[k].n; d++) {
            const int id = in[k].ids[d];
            const int64_t v = x->dims[d] == 1 && ext[id] != 1 ? 0 : xs[d]; /* broadcast */
            if (in_out[id])
                s->out_st[k][out_slot[id]] += v;
            else
                s->sum_st[k][sum_slot[id]] += v;
        }
    }
    return CLCNN_OK;
}

static clcnn_status einsum_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    einsum_spec s;
    if ((st = op_check_arity(n, 1, 2, 1, 1, err)) || (st = op_need_float(g, n, 0, err)) ||
        (st = op_need_float(g, n, 1, err)) || (st = einsum_parse(g, n, &s, err)))
        return st;
    op_set_out(g, n, 0, IR_DT_FLOAT, s.n_out, s.out_dims);
    return CLCNN_OK;
}

static int64_t einsum_macs(const ir_graph *g, const ir_node *n)
{
    einsum_spec s;
    if (einsum_parse(g, n, &s, NULL))
        return 0;
    int64_t m = ir_numel(ir_out(g, n, 0));
    for (int k = 0; k < s.n_sum; k++)
        m *= s.sum_ext[k];
    return m;
}

const op_def op_def_EINSUM = {
    .opset_min = 12, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"equation", OP_A_STRING}),
    .infer = einsum_infer, .ref = einsum_ref, .macs = einsum_macs, .cl = OP_CL_KERNEL,
};
