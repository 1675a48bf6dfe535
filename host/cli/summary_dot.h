/* summary_dot.h — `clcnn summary --dot/--svg`: the model as a Graphviz graph,
 * or with --plan the executed plan's fused groups (summary_plan.c). */
#ifndef CLCNN_CLI_SUMMARY_DOT_H
#define CLCNN_CLI_SUMMARY_DOT_H

#include <stdio.h>

#include "clcnn.h"
#include "clcnn_tools.h"

/* What `summary --plan` draws: the session's groups, the model they came
 * from, and with --profile each group's device time. */
typedef struct summary_plan {
    const clcnn_model *m;
    const clcnn_plan_group *groups;
    int n_groups;
    const double *ms;       /* per group, from clcnn_session_profile; NULL: no profile */
    double total_ms;        /* sum of ms */
    const char *device;     /* the device's name, for the title */
    const char *precision;  /* "fp32", "fp16", "auto" */
} summary_plan;

/* 1 when Graphviz's `dot` is an executable on PATH. */
int summary_have_dot(void);
/* Write the graph to path atomically; print the error and return -1 on failure. */
int summary_write_dot(const clcnn_model *m, const char *title, const char *path, const char *cmd);
/* Render through `dot -Tsvg` (spawned with an argv, no shell) to path, atomically. */
int summary_write_svg(const clcnn_model *m, const char *title, const char *path, const char *cmd);
/* The plan's groups as DOT (svg = 0) or SVG (svg = 1), like the two above. */
int summary_write_plan(const clcnn_model *m, const char *title, const summary_plan *p,
                       const char *path, int svg, const char *cmd);
/* Writes the plan drawing's DOT text to f (summary_plan.c). */
void summary_emit_plan(FILE *f, const char *title, const summary_plan *p);

#endif
