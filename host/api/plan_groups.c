/* plan_groups.c — the session's plan as its executed groups (summary --plan):
 * one group per node that the plan did not fuse into another, holding every
 * node fused into it (exec_cl_node_host), its launches and variants, the
 * groups it reads and its output shape, and the model layers it runs. Model
 * layers the rewrite passes removed (a BatchNorm folded into its Conv, a Pad
 * folded into its Conv, an inference Dropout) are traced to the plan node that
 * now does their work. Groups that launch are numbered as clcnn_session_profile
 * numbers its rows (first launch order), so a profile can be laid over them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clcnn_tools.h"
#include "session_internal.h"

static int find_node(const ir_graph *g, const char *name)
{
    for (int i = 0; name && name[0] && i < g->n_nodes; i++)
        if (g->nodes[i].name && strcmp(g->nodes[i].name, name) == 0)
            return i;
    return -1;
}

/* The plan node doing model node mi's work, or -1: the node of the same name,
 * else the producer of one of its outputs (BN folding hands the BN's output to
 * the Conv), else, for a node the passes removed whose output is gone too (a
 * Pad or Dropout), the plan node of its first consumer. depth bounds the walk. */
static int plan_node_of(const ir_graph *mg, const ir_graph *pg, int mi, int depth)
{
    const ir_node *n = &mg->nodes[mi];
    int p = find_node(pg, n->name);
    if (p >= 0 || depth > mg->n_nodes)
        return p;
    for (int k = 0; k < n->n_out; k++) {
        int t = n->out[k] < 0 ? -1 : ir_find_tensor(pg, mg->tensors[n->out[k]].name);
        if (t >= 0 && pg->tensors[t].producer >= 0)
            return pg->tensors[t].producer;
    }
    for (int c = mi + 1; c < mg->n_nodes && n->n_out > 0 && n->out[0] >= 0; c++)
        for (int k = 0; k < mg->nodes[c].n_in; k++)
            if (mg->nodes[c].in[k] == n->out[0])
                return plan_node_of(mg, pg, c, depth + 1);
    return -1;
}

static int is_graph_output(const ir_graph *g, int t)
{
    for (int i = 0; t >= 0 && i < g->n_outputs; i++)
        if (g->outputs[i] == t)
            return 1;
    return 0;
}

/* The group's output: of the tensors its members write that leave it (read
 * by no member, or also by a node outside it or as a graph output), the one
 * with the most elements, the last written on a tie. Most groups have one; a
 * depthwise Conv with an SE squeeze fused writes its output (read by the pool
 * inside and the gate outside) and the pool's 1 x C means: the Conv's output
 * is the one to show. */
static int group_output(const ir_graph *g, const int *root, int r)
{
    int best = -1;
    for (int n = g->n_nodes - 1; n >= 0; n--) {
        if (root[n] != r)
            continue;
        for (int k = 0; k < g->nodes[n].n_out; k++) {
            int t = g->nodes[n].out[k], inner = 0, outer = is_graph_output(g, t);
            for (int m = 0; m < g->n_nodes && t >= 0; m++)
                for (int j = 0; j < g->nodes[m].n_in; j++)
                    if (g->nodes[m].in[j] == t) {
                        inner |= root[m] == r;
                        outer |= root[m] != r;
                    }
            if (t >= 0 && (!inner || outer) &&
                (best < 0 || ir_numel(&g->tensors[t]) > ir_numel(&g->tensors[best])))
                best = t;
        }
    }
    return best;
}

typedef struct work {
    int *root;     /* plan node -> its group's root node */
    int *gid;      /* root node -> group index; -1 for fused nodes */
    int *layer_of; /* model layer -> group index; -1: traced nowhere */
    int *in_buf;   /* scratch: input groups of one group */
} work;

static void work_free(work *w)
{
    free(w->root), free(w->gid), free(w->layer_of), free(w->in_buf);
}

/* Input groups of group r (ascending, unique; -1 = a graph input) into buf. */
static int group_inputs(const ir_graph *g, const work *w, int r, int *buf)
{
    int n_in = 0;
    for (int n = 0; n < g->n_nodes; n++) {
        if (w->root[n] != r)
            continue;
        for (int k = 0; k < g->nodes[n].n_in; k++) {
            int t = g->nodes[n].in[k];
            if (t < 0 || g->tensors[t].data)
                continue;
            int p = g->tensors[t].producer, src = p < 0 ? -1 : w->gid[w->root[p]];
            if (p >= 0 && w->root[p] == r)
                continue;
            int j = n_in;
            while (j > 0 && buf[j - 1] > src)
                j--;
            if (j > 0 && buf[j - 1] == src)
                continue;
            memmove(buf + j + 1, buf + j, sizeof(int) * (size_t)(n_in - j));
            buf[j] = src;
            n_in++;
        }
    }
    return n_in;
}

/* Fills the fixed fields of group gi (root r) and its op chain. */
static void group_facts(const ir_graph *g, const exec_cl *cl, const work *w, int r,
                        clcnn_plan_group *grp)
{
    grp->name = g->nodes[r].name ? g->nodes[r].name : "";
    grp->profile_row = -1;
    for (int n = 0; n < g->n_nodes; n++)
        if (w->root[n] == r)
            api_append(grp->op, sizeof grp->op, "+", ir_op_name(g->nodes[n].op));
    int t = group_output(g, w->root, r);
    if (t >= 0) {
        grp->ndim = g->tensors[t].ndim;
        for (int d = 0; d < grp->ndim && d < CLCNN_MAX_DIMS; d++)
            grp->dims[d] = g->tensors[t].dims[d];
        grp->is_output = is_graph_output(g, t);
    }
    const char *v = exec_cl_node_variant(cl, r, NULL);
    if (v) /* launches overwrite this with their kernels' names */
        snprintf(grp->variant, sizeof grp->variant, "%s", v);
    /* the root's own note first, else a member's (a refused fusion is noted
     * on the node that stayed a launch of its own, usually the root) */
    exec_cl_node_variant(cl, r, &grp->fallback);
    for (int n = 0; !grp->fallback && n < g->n_nodes; n++)
        if (w->root[n] == r)
            exec_cl_node_variant(cl, n, &grp->fallback);
}

/* Launch counts, variants and profile rows, walking launches as profile.c does. */
static void launch_facts(const ir_graph *g, const exec_cl *cl, const work *w, clcnn_plan_group *grp)
{
    int rows = 0;
    for (int i = 0; i < exec_cl_kernel_count(cl); i++) {
        int node = -1;
        const char *variant = NULL;
        exec_cl_launch_info(cl, i, &node, &variant);
        if (node < 0 || node >= g->n_nodes)
            continue;
        clcnn_plan_group *x = &grp[w->gid[w->root[node]]];
        if (x->launches++ == 0) {
            x->profile_row = rows++;
            x->variant[0] = '\0';
        }
        if (variant && !strstr(x->variant, variant))
            api_append(x->variant, sizeof x->variant, "+", variant);
    }
}

static clcnn_status work_make(const clcnn_session *s, work *w)
{
    const ir_graph *g = session_graph(s), *mg = s->model->g;
    w->root = malloc(sizeof(int) * (size_t)(g->n_nodes + 1));
    w->gid = malloc(sizeof(int) * (size_t)(g->n_nodes + 1));
    w->layer_of = malloc(sizeof(int) * (size_t)(mg->n_nodes + 1));
    w->in_buf = malloc(sizeof(int) * (size_t)(g->n_tensors + 1));
    if (!w->root || !w->gid || !w->layer_of || !w->in_buf)
        return CLCNN_ERR_OUT_OF_MEMORY;
    int n_groups = 0;
    for (int n = 0; n < g->n_nodes; n++) {
        int h = exec_cl_node_host(session_cl(s), n);
        w->root[n] = h >= 0 ? h : n;
    }
    for (int n = 0; n < g->n_nodes; n++)
        w->gid[n] = w->root[n] == n ? n_groups++ : -1;
    for (int i = 0; i < mg->n_nodes; i++) {
        int p = plan_node_of(mg, g, i, 0);
        w->layer_of[i] = p >= 0 ? w->gid[w->root[p]] : -1;
    }
    return CLCNN_OK;
}

clcnn_status clcnn_session_plan_groups(const clcnn_session *s, clcnn_plan_group **groups,
                                       int *n_groups)
{
    if (!s || !groups || !n_groups)
        return CLCNN_ERR_INVALID_ARG;
    if (!session_cl(s))
        return CLCNN_ERR_UNSUPPORTED;
    const ir_graph *g = session_graph(s), *mg = s->model->g;
    work w = {0};
    clcnn_status st = work_make(s, &w);
    int n = 0, n_idx = mg->n_nodes;
    for (int i = 0; st == CLCNN_OK && i < g->n_nodes; i++)
        if (w.gid[i] >= 0) {
            n++;
            n_idx += group_inputs(g, &w, i, w.in_buf);
        }
    /* one block: the groups, then their layer and input index lists */
    clcnn_plan_group *grp =
        st ? NULL : calloc(1, sizeof *grp * (size_t)(n + 1) + sizeof(int) * (size_t)(n_idx + 1));
    if (!grp) {
        work_free(&w);
        return st ? st : CLCNN_ERR_OUT_OF_MEMORY;
    }
    int *idx = (int *)(grp + n + 1);
    for (int i = 0; i < g->n_nodes; i++) {
        if (w.gid[i] < 0)
            continue;
        clcnn_plan_group *x = &grp[w.gid[i]];
        group_facts(g, session_cl(s), &w, i, x);
        x->layers = idx;
        for (int l = 0; l < mg->n_nodes; l++)
            if (w.layer_of[l] == w.gid[i])
                idx[x->n_layers++] = l;
        idx += x->n_layers;
        x->n_inputs = group_inputs(g, &w, i, idx);
        x->inputs = idx;
        idx += x->n_inputs;
    }
    launch_facts(g, session_cl(s), &w, grp);
    work_free(&w);
    *groups = grp;
    *n_groups = n;
    return CLCNN_OK;
}

void clcnn_plan_groups_free(clcnn_plan_group *groups)
{
    free(groups);
}
