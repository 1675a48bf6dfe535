/* summary_plan.c — the DOT text of `clcnn summary --plan`: one box per group
 * the plan executes (op chain, kernel variant, output shape, and with
 * --profile the time share as a light-to-dark fill, legend top right).
 * To keep a whole network on one screen the groups are laid out in columns,
 * in execution order, a new column starting where the spatial size changes
 * (a stage) or a column is full; views are small dashed boxes. Each box's
 * tooltip lists the model layers it runs (the SVG shows it on hover; tests
 * read it). Writing the file and running `dot` is summary_dot.c's job. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "summary_dot.h"

/* ColorBrewer OrRd, 9 classes: light (little time) to dark (most time). */
static const char *const ramp[9] = {"#fff7ec", "#fee8c8", "#fdd49e", "#fdbb84", "#fc8d59",
                                    "#ef6548", "#d7301f", "#b30000", "#7f0000"};

/* Quotes and backslashes escaped, control characters as spaces: a name
 * cannot end the string or start a new DOT statement. */
static void esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc((unsigned char)*s < 0x20 ? ' ' : *s, f);
    }
}

/* The op chain, BatchNormalization written "BN" and broken after a '+' past
 * ~24 characters, so boxes stay narrow (the tooltip keeps the full names). */
static void op_chain(FILE *f, const char *op)
{
    size_t col = 0;
    while (*op) {
        size_t n = strcspn(op, "+");
        const int bn = n == 18 && strncmp(op, "BatchNormalization", 18) == 0;
        size_t w = bn ? 2 : n;
        if (col && col + w > 24)
            fputs("\\n", f), col = 0;
        if (bn)
            fputs("BN", f);
        else
            for (size_t i = 0; i < n; i++) /* op names: letters and digits only */
                fputc((unsigned char)op[i] < 0x20 || op[i] == '"' || op[i] == '\\' ? ' ' : op[i], f);
        col += w + 1;
        op += n;
        if (*op == '+')
            fputc(*op++, f);
    }
}

static void shape(FILE *f, int ndim, const int64_t *dims)
{
    for (int d = 0; d < ndim; d++)
        fprintf(f, d ? "x%lld" : "%lld", (long long)dims[d]);
}

/* The stage a group belongs to: its output's spatial size (H * W), or -1. */
static long long stage_of(const clcnn_plan_group *g)
{
    return g->ndim == 4 ? (long long)g->dims[2] * 1000003LL + g->dims[3] : -1;
}

/* col[i] for every group; returns the column count. A column ends at a stage
 * change once it holds a third of a full column (a lone stem conv or a short
 * head joins its neighbour), or when full; full is ~sqrt(2.5 n), which makes
 * the picture a little taller than wide for chain-like networks. */
static int columns(const summary_plan *p, int *col)
{
    int cap = (int)ceil(sqrt(2.5 * p->n_groups));
    if (cap < 8)
        cap = 8;
    int c = 0, len = 0;
    long long stage = 0;
    for (int i = 0; i < p->n_groups; i++) {
        long long s = stage_of(&p->groups[i]);
        if (len && (len >= cap || (s != stage && s >= 0 && len >= cap / 3)))
            c++, len = 0;
        if (!len || s >= 0)
            stage = s;
        col[i] = c;
        len++;
    }
    return p->n_groups ? c + 1 : 0;
}

static int ramp_index(const summary_plan *p, int i, double max_ms)
{
    double share = max_ms > 0 ? p->ms[i] / max_ms : 0.0;
    int k = (int)lround(share * 8.0);
    return k < 0 ? 0 : k > 8 ? 8 : k;
}

static void emit_box(FILE *f, const summary_plan *p, int i, double max_ms)
{
    const clcnn_plan_group *g = &p->groups[i];
    clcnn_layer_info L;
    fprintf(f, "    g%d [label=\"", i);
    op_chain(f, g->op);
    if (!g->launches && strcmp(g->variant, "alias") == 0) {
        fprintf(f, " (view)\\n");
        shape(f, g->ndim, g->dims);
        fprintf(f, "\", style=\"rounded,dashed\", fontsize=7");
    } else {
        fprintf(f, "\\n");
        esc(f, g->variant[0] ? g->variant : "no launch");
        if (g->launches > 1)
            fprintf(f, " x%d", g->launches);
        fprintf(f, "\\n");
        shape(f, g->ndim, g->dims);
        if (p->ms && g->profile_row >= 0) {
            int k = ramp_index(p, i, max_ms);
            fprintf(f, "\\n%.3f ms  %.1f%%\", fillcolor=\"%s\"%s", p->ms[i],
                    p->total_ms > 0 ? 100.0 * p->ms[i] / p->total_ms : 0.0, ramp[k],
                    k >= 6 ? ", fontcolor=white" : "");
        } else {
            fprintf(f, "\"");
        }
    }
    if (g->fallback) /* a refused fusion or faster kernel: red outline, the reason on hover */
        fprintf(f, ", color=\"#cb181d\", penwidth=2");
    fprintf(f, ", tooltip=\"group ");
    esc(f, g->name);
    if (g->fallback) {
        fprintf(f, "\\nfallback: ");
        esc(f, g->fallback);
    }
    fprintf(f, "\\nlayers:");
    for (int k = 0; k < g->n_layers; k++)
        if (clcnn_model_layer(p->m, g->layers[k], &L) == CLCNN_OK) {
            fprintf(f, "\\n");
            esc(f, L.name);
            fprintf(f, " (%s)", L.op);
        }
    fprintf(f, "\"];\n");
}

/* Columns as clusters labelled with their stage, each a vertical chain
 * (invisible edges) in execution order; the graph input heads column 0. */
static void emit_columns(FILE *f, const summary_plan *p, const int *col, int n_cols, double max_ms)
{
    for (int c = 0; c < n_cols; c++) {
        int first = -1, last = -1;
        for (int i = 0; i < p->n_groups; i++)
            if (col[i] == c)
                last = i, first = first < 0 ? i : first;
        fprintf(f, "  subgraph cluster_c%d {\n    label=\"", c);
        const clcnn_plan_group *a = &p->groups[first], *b = &p->groups[last];
        if (a->ndim == 4)
            fprintf(f, "%lldx%lld", (long long)a->dims[2], (long long)a->dims[3]);
        if (b->ndim == 4 && stage_of(b) != stage_of(a))
            fprintf(f, "%s%lldx%lld", a->ndim == 4 ? " .. " : "", (long long)b->dims[2],
                    (long long)b->dims[3]);
        fprintf(f, "\";\n");
        if (c == 0)
            fprintf(f, "    input;\n");
        for (int i = first; i <= last; i++)
            emit_box(f, p, i, max_ms);
        if (c == n_cols - 1)
            fprintf(f, "    output;\n");
        fprintf(f, "  }\n");
        int prev = c == 0 ? -2 : -1; /* -2: the input node */
        for (int i = first; i <= last; i++) {
            if (prev == -2)
                fprintf(f, "  input -> g%d [style=invis];\n", i);
            else if (prev >= 0)
                fprintf(f, "  g%d -> g%d [style=invis, weight=4];\n", prev, i);
            prev = i;
        }
        if (c == n_cols - 1)
            fprintf(f, "  g%d -> output [style=invis];\n", last);
    }
}

/* Column heads on one rank, left to right, then the legend (top right). */
static void emit_heads(FILE *f, const summary_plan *p, const int *col)
{
    int heads = 0;
    for (int i = 1; i < p->n_groups; i++)
        heads += col[i - 1] != col[i];
    if (!heads && !p->ms)
        return;
    fprintf(f, "  { rank=same; input;");
    for (int i = 1; i < p->n_groups; i++)
        if (col[i - 1] != col[i])
            fprintf(f, " g%d;", i);
    fprintf(f, "%s }\n  input", p->ms ? " legend;" : "");
    for (int i = 1; i < p->n_groups; i++)
        if (col[i - 1] != col[i])
            fprintf(f, " -> g%d", i);
    fprintf(f, "%s [style=invis];\n", p->ms ? " -> legend" : "");
}

static void emit_legend(FILE *f, const summary_plan *p, double max_ms)
{
    fprintf(f, "  legend [shape=plaintext, style=\"\", label=<<table border=\"0\" cellborder=\"1\" "
               "cellspacing=\"0\" cellpadding=\"2\"><tr><td colspan=\"2\"><b>device time</b> "
               "(%.2f ms)</td></tr>", p->total_ms);
    for (int k = 8; k >= 0; k--) {
        double hi = max_ms * (k + 0.5) / 8.0, lo = k ? max_ms * (k - 0.5) / 8.0 : 0.0;
        if (hi > max_ms)
            hi = max_ms;
        fprintf(f, "<tr><td bgcolor=\"%s\">    </td><td align=\"left\">%.1f-%.1f%%</td></tr>", ramp[k],
                p->total_ms > 0 ? 100.0 * lo / p->total_ms : 0.0,
                p->total_ms > 0 ? 100.0 * hi / p->total_ms : 0.0);
    }
    fprintf(f, "</table>>];\n");
}

/* Data edges, labelled with the producer's output shape. Edges inside a
 * column keep their rank constraint; the others would pull columns apart. */
static void emit_edges(FILE *f, const summary_plan *p, const int *col)
{
    clcnn_tensor_info in = {0};
    clcnn_model_input(p->m, 0, &in);
    for (int i = 0; i < p->n_groups; i++) {
        const clcnn_plan_group *g = &p->groups[i];
        for (int k = 0; k < g->n_inputs; k++) {
            int s = g->inputs[k];
            fprintf(f, s < 0 ? "  input -> g%d [xlabel=\"" : "  g%d -> g%d [xlabel=\"", s < 0 ? i : s, i);
            if (s < 0 && clcnn_model_num_inputs(p->m) == 1) /* else: which input is not known */
                shape(f, in.ndim, in.dims);
            else
                shape(f, p->groups[s].ndim, p->groups[s].dims);
            fprintf(f, "\"%s];\n", (s < 0 ? col[i] == 0 : col[s] == col[i]) ? "" : ", constraint=false");
        }
        if (g->is_output) {
            fprintf(f, "  g%d -> output [xlabel=\"", i);
            shape(f, g->ndim, g->dims);
            fprintf(f, "\", constraint=false];\n");
        }
    }
}

void summary_emit_plan(FILE *f, const char *title, const summary_plan *p)
{
    int *col = calloc((size_t)p->n_groups + 1, sizeof *col);
    if (!col)
        return;
    int n_cols = columns(p, col), launches = 0, views = 0;
    double max_ms = 0;
    for (int i = 0; i < p->n_groups; i++) {
        launches += p->groups[i].launches;
        views += !p->groups[i].launches;
        if (p->ms && p->ms[i] > max_ms)
            max_ms = p->ms[i];
    }
    fprintf(f, "digraph \"");
    esc(f, title);
    fprintf(f, "\" {\n  graph [rankdir=TB, newrank=true, nodesep=0.08, ranksep=0.14, "
               "fontname=\"Helvetica\", fontsize=9, labelloc=t, labeljust=l, label=\"");
    esc(f, title);
    fprintf(f, ": %d groups (%d without launches) from %d layers, %d launches; ", p->n_groups, views,
            clcnn_model_num_layers(p->m), launches);
    esc(f, p->device);
    fprintf(f, ", %s\"];\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", "
               "fontname=\"Helvetica\", fontsize=8, margin=\"0.04,0.01\", height=0.2, width=0.3];\n"
               "  edge [fontname=\"Helvetica\", fontsize=6, arrowsize=0.4, color=\"#666666\"];\n",
            p->precision);
    clcnn_tensor_info in = {0};
    clcnn_model_input(p->m, 0, &in);
    fprintf(f, "  input [shape=ellipse, style=\"\", label=\"input\\n");
    shape(f, in.ndim, in.dims);
    fprintf(f, "\"];\n  output [shape=ellipse, style=\"\"];\n");
    if (n_cols) {
        emit_columns(f, p, col, n_cols, max_ms);
        emit_heads(f, p, col);
    }
    if (p->ms)
        emit_legend(f, p, max_ms);
    emit_edges(f, p, col);
    fprintf(f, "}\n");
    free(col);
}
