/* prewarm.h — a helper process that compiles half of a cold session's
 * kernels on POCL while the command compiles the other half.
 *
 * POCL compiles each kernel at its first launch (0.06-0.4 s each on a 2-core
 * machine), one after another in queue order, in one thread of one process:
 * its compiler holds a process-wide lock. Most of a cold start is that. But
 * it keeps what it compiled in an on-disk kernel cache that other processes
 * read. So when the library is about to build the context's first program
 * from source (clcnn_context_options.cold_build: nothing in clcnn's program
 * cache, and a driver that compiles lazily), `run`, `classify` and `bench`
 * start a copy of themselves (same argv, working directory and environment,
 * plus CLCNN_PREWARM_CHILD=1, stdio on /dev/null) that builds the same
 * session without the program cache, launches its kernels once each from the
 * last (clcnn_session_warm_kernels) and exits. The command's first run then
 * finds the later kernels compiled; the two meet in the middle. The command
 * waits for the helper before destroying its context (a binary POCL
 * serialises from its cache folder must not be read while the helper writes
 * there), at most 5 s, then kills it. No helper when an argument names a
 * FIFO or device (`--input /dev/stdin`): it would wait for bytes the command
 * already read.
 *
 * CLCNN_PREWARM=0 turns it off; --no-cache does too (every start builds
 * from source then, and POCL's own cache may well hold the kernels). */
#ifndef CLCNN_CLI_PREWARM_H
#define CLCNN_CLI_PREWARM_H

#include <sys/types.h>

#include "clcnn.h"

typedef struct cli_prewarm {
    pid_t pid; /* the helper, 0 when none was started */
} cli_prewarm;

/* 1 in the helper process. */
int cli_prewarm_child(void);
/* Sets opt for the command (the cold_build hook, with pw) or for the helper
 * (no program cache). Call on the options of the context whose session the
 * command runs; pw must outlive that context. */
void cli_prewarm_options(clcnn_context_options *opt, cli_prewarm *pw);
/* In the helper, once the session is up: launches its kernels from the last.
 * Returns 1 there (the command then ends without running), 0 elsewhere. */
int cli_prewarm_run(clcnn_session *s);
/* Waits for the helper, if one was started (before the context is destroyed). */
void cli_prewarm_wait(cli_prewarm *pw);

#endif
