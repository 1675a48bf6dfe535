/* summary_dot.c — draws a model for `clcnn summary --dot/--svg`: one box per
 * layer, edges labelled with the producer's output shape, and layers
 * clustered by their name prefix (block, then sub-block), so "block3.se.fc1"
 * sits in block3's box inside its se box. Files appear atomically (temp file
 * + rename); `dot` is spawned with an argument vector, never through a shell. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "summary_dot.h"

extern char **environ;

/* Length of the name's first component, or 0 when it has no '.'. */
static size_t top_len(const char *name)
{
    const char *d = strchr(name, '.');
    return d ? (size_t)(d - name) : 0;
}

static size_t parent_len(const char *name)
{
    const char *d = strrchr(name, '.');
    return d ? (size_t)(d - name) : 0;
}

static void dot_escaped(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n && s[i]; i++) {
        if (s[i] == '"' || s[i] == '\\')
            fputc('\\', f);
        fputc(s[i], f);
    }
}

static void shape_label(FILE *f, int ndim, const int64_t *dims)
{
    for (int d = 0; d < ndim; d++)
        fprintf(f, d ? "x%lld" : "%lld", (long long)dims[d]);
}

static void emit_node(FILE *f, const clcnn_layer_info *L, int i, const char *indent)
{
    char p[32];
    fprintf(f, "%sn%d [label=\"", indent, i);
    dot_escaped(f, L->name, strlen(L->name));
    fprintf(f, "\\n%s", L->op);
    if (L->params)
        fprintf(f, " (%s)", cli_thousands(L->params, p, sizeof p));
    fprintf(f, "\"];\n");
}

static int same_prefix(const char *a, size_t na, const char *b, size_t nb)
{
    return na == nb && strncmp(a, b, na) == 0;
}

/* Clusters: a layer named "t.x.y" goes in cluster t, sub-cluster "t.x". */
static void emit_clusters(FILE *f, const clcnn_model *m, const clcnn_layer_info *Ls, int n)
{
    char *done = calloc((size_t)(n ? n : 1), 1);
    if (!done)
        return;
    int cid = 0;
    for (int i = 0; i < n; i++) {
        const char *ti = Ls[i].name;
        size_t tl = top_len(ti);
        if (done[i] || !tl)
            continue;
        fprintf(f, "  subgraph cluster_%d {\n    label=\"", cid++);
        dot_escaped(f, ti, tl);
        fprintf(f, "\";\n");
        for (int j = i; j < n; j++) {
            const char *tj = Ls[j].name;
            if (done[j] || !same_prefix(ti, tl, tj, top_len(tj)))
                continue;
            size_t pl = parent_len(tj);
            if (pl == tl) {
                done[j] = 1;
                emit_node(f, &Ls[j], j, "    ");
                continue;
            }
            /* a sub-block: gather every layer with the same parent path */
            fprintf(f, "    subgraph cluster_%d {\n      label=\"", cid++);
            dot_escaped(f, tj + tl + 1, pl - tl - 1);
            fprintf(f, "\";\n");
            for (int k = j; k < n; k++) {
                const char *tk = Ls[k].name;
                if (!done[k] && same_prefix(tj, pl, tk, parent_len(tk))) {
                    done[k] = 1;
                    emit_node(f, &Ls[k], k, "      ");
                }
            }
            fprintf(f, "    }\n");
        }
        fprintf(f, "  }\n");
    }
    for (int i = 0; i < n; i++)
        if (!done[i])
            emit_node(f, &Ls[i], i, "  ");
    free(done);
    (void)m;
}

static void emit_graph(FILE *f, const clcnn_model *m, const char *title)
{
    int n = clcnn_model_num_layers(m);
    clcnn_layer_info *Ls = calloc((size_t)(n ? n : 1), sizeof *Ls);
    int *consumers = calloc((size_t)(n ? n : 1), sizeof *consumers);
    if (!Ls || !consumers) {
        free(Ls);
        free(consumers);
        return;
    }
    for (int i = 0; i < n; i++)
        clcnn_model_layer(m, i, &Ls[i]);
    fprintf(f, "digraph \"");
    dot_escaped(f, title, strlen(title));
    fprintf(f, "\" {\n  rankdir=TB;\n  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n"
               "  edge [fontname=\"Helvetica\", fontsize=8];\n");
    clcnn_tensor_info in = {0};
    clcnn_model_input(m, 0, &in);
    fprintf(f, "  input [shape=ellipse, label=\"input\\n");
    shape_label(f, in.ndim, in.dims);
    fprintf(f, "\"];\n  output [shape=ellipse];\n");
    emit_clusters(f, m, Ls, n);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < Ls[i].n_inputs; k++) {
            int j = Ls[i].inputs[k];
            if (j < 0) {
                fprintf(f, "  input -> n%d [label=\"", i);
                shape_label(f, in.ndim, in.dims);
            } else {
                consumers[j]++;
                fprintf(f, "  n%d -> n%d [label=\"", j, i);
                shape_label(f, Ls[j].ndim, Ls[j].dims);
            }
            fprintf(f, "\"];\n");
        }
    for (int i = 0; i < n; i++)
        if (!consumers[i]) {
            fprintf(f, "  n%d -> output [label=\"", i);
            shape_label(f, Ls[i].ndim, Ls[i].dims);
            fprintf(f, "\"];\n");
        }
    fprintf(f, "}\n");
    free(Ls);
    free(consumers);
}

/* What a drawing is made of: the model's layers (summary_write_dot/svg) or
 * the plan's groups (summary_write_plan). */
typedef struct drawing {
    const clcnn_model *m;
    const char *title;
    const summary_plan *plan; /* NULL: draw the model's layers */
} drawing;

static void emit_drawing(FILE *f, const drawing *d)
{
    if (d->plan)
        summary_emit_plan(f, d->title, d->plan);
    else
        emit_graph(f, d->m, d->title);
}

/* Writes the graph to a fresh temp file next to `path`; its name goes to tmp. */
static int dot_to_temp(const drawing *d, const char *path, char *tmp, size_t tmp_len, const char *cmd)
{
    snprintf(tmp, tmp_len, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return cli_error(CLI_FAIL, cmd, "cannot write '%s': %s", path, strerror(errno)), -1;
    fchmod(fd, 0644); /* mkstemp's 0600 would make the result private */
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        unlink(tmp);
        return cli_error(CLI_FAIL, cmd, "cannot write '%s': %s", path, strerror(errno)), -1;
    }
    emit_drawing(f, d);
    int bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        unlink(tmp);
        return cli_error(CLI_FAIL, cmd, "cannot write '%s': write failed", path), -1;
    }
    return 0;
}

static int write_dot(const drawing *d, const char *path, const char *cmd)
{
    char tmp[4096];
    if (strlen(path) > sizeof tmp - 16)
        return cli_error(CLI_FAIL, cmd, "path too long: '%s'", path), -1;
    if (dot_to_temp(d, path, tmp, sizeof tmp, cmd))
        return -1;
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return cli_error(CLI_FAIL, cmd, "cannot write '%s': %s", path, strerror(e)), -1;
    }
    return 0;
}

int summary_have_dot(void)
{
    const char *path = getenv("PATH");
    if (!path)
        return 0;
    char buf[4096];
    while (*path) {
        size_t n = strcspn(path, ":");
        if (n && n + 5 < sizeof buf) {
            snprintf(buf, sizeof buf, "%.*s/dot", (int)n, path);
            struct stat sb;
            if (stat(buf, &sb) == 0 && S_ISREG(sb.st_mode) && access(buf, X_OK) == 0)
                return 1;
        }
        path += n + (path[n] == ':');
    }
    return 0;
}

static int write_svg(const drawing *d, const char *path, const char *cmd)
{
    char dot_tmp[4096], svg_tmp[4096];
    if (strlen(path) > sizeof dot_tmp - 16)
        return cli_error(CLI_FAIL, cmd, "path too long: '%s'", path), -1;
    if (dot_to_temp(d, path, dot_tmp, sizeof dot_tmp, cmd))
        return -1;
    snprintf(svg_tmp, sizeof svg_tmp, "%s.svgXXXXXX", path);
    int fd = mkstemp(svg_tmp);
    if (fd < 0) {
        int e = errno;
        unlink(dot_tmp);
        return cli_error(CLI_FAIL, cmd, "cannot write '%s': %s", path, strerror(e)), -1;
    }
    fchmod(fd, 0644);
    close(fd);
    char *args[] = {"dot", "-Tsvg", "-o", svg_tmp, dot_tmp, NULL};
    pid_t pid;
    int status = 0, rc = posix_spawnp(&pid, "dot", NULL, NULL, args, environ);
    if (rc == 0 && waitpid(pid, &status, 0) < 0)
        rc = errno;
    unlink(dot_tmp);
    if (rc != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        unlink(svg_tmp);
        return cli_error(CLI_FAIL, cmd, "Graphviz 'dot -Tsvg' failed for '%s'%s%s", path,
                         rc ? ": " : "", rc ? strerror(rc) : ""), -1;
    }
    if (rename(svg_tmp, path) != 0) {
        int e = errno;
        unlink(svg_tmp);
        return cli_error(CLI_FAIL, cmd, "cannot write '%s': %s", path, strerror(e)), -1;
    }
    return 0;
}

int summary_write_dot(const clcnn_model *m, const char *title, const char *path, const char *cmd)
{
    const drawing d = {m, title, NULL};
    return write_dot(&d, path, cmd);
}

int summary_write_svg(const clcnn_model *m, const char *title, const char *path, const char *cmd)
{
    const drawing d = {m, title, NULL};
    return write_svg(&d, path, cmd);
}

int summary_write_plan(const clcnn_model *m, const char *title, const summary_plan *p,
                       const char *path, int svg, const char *cmd)
{
    const drawing d = {m, title, p};
    return svg ? write_svg(&d, path, cmd) : write_dot(&d, path, cmd);
}
