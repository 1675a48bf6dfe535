/* summary_dot.h — `clcnn summary --dot/--svg`: the model as a Graphviz graph. */
#ifndef CLCNN_CLI_SUMMARY_DOT_H
#define CLCNN_CLI_SUMMARY_DOT_H

#include "clcnn.h"

/* 1 when Graphviz's `dot` is an executable on PATH. */
int summary_have_dot(void);
/* Write the graph to path atomically; print the error and return -1 on failure. */
int summary_write_dot(const clcnn_model *m, const char *title, const char *path, const char *cmd);
/* Render through `dot -Tsvg` (spawned with an argv, no shell) to path, atomically. */
int summary_write_svg(const clcnn_model *m, const char *title, const char *path, const char *cmd);

#endif
