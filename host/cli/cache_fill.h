/* cache_fill.h — the background program-cache fill behind a cold `clcnn run`
 * or `clcnn classify` on POCL.
 *
 * Asking POCL for a program binary (what the disk cache stores) makes it
 * compile every kernel again for a generic work-group size: seconds for a
 * network. Done at context destroy, that held a cold `clcnn run` of
 * MobileNetV2 for ~2.2x its result time. So these two commands open their
 * context with CLCNN_CACHE_STORE_NO_DEFERRED and, once their output is out,
 * start a detached copy of themselves (same argv and working directory,
 * stdio on /dev/null, its own session, nice 10) that builds the same
 * session with CLCNN_CACHE_STORE_NOW and exits before running it — the way
 * `git gc --auto` detaches. One fill at a time per cache folder (an flock on
 * its fill.lock); a fill that finds it held exits at once. The fill compiles
 * with a POCL kernel cache of its own (a temp folder it removes): POCL
 * serialises a binary from its cache folder, and one read from the shared
 * folder while another process compiled into it came out truncated.
 *
 * CLCNN_CACHE_FILL=0 turns it off: the command then writes the cache itself
 * at exit (CLCNN_CACHE_STORE_AUTO), as before. */
#ifndef CLCNN_CLI_CACHE_FILL_H
#define CLCNN_CLI_CACHE_FILL_H

#include "clcnn.h"

/* 1 in the detached fill process (it builds the session, then returns). */
int cli_fill_child(void);
/* The store mode `run` and `classify` open their context with. */
clcnn_cache_store cli_fill_store_mode(void);
/* In the fill process, right after the context opens: nice 10, then the
 * cache folder's fill.lock. Returns the lock's descriptor (close it, or let
 * the exit do it), or -1 when the fill should end now (lock held by another
 * fill, no disk cache). */
int cli_fill_begin(clcnn_context *ctx);
/* In the fill process, once its session is made: the session's launches'
 * work-group functions compiled (clcnn_session_warm_kernels), so that the
 * lean program copies its context writes at destroy (lean_programs, which
 * cli_lean_options sets) run them specialised. Elsewhere nothing. */
void cli_fill_warm(clcnn_session *s);
/* lean_programs for the CLI's one-workload contexts (`run`, `classify`,
 * `bench`): later runs of the same model load programs without their bitcode. */
void cli_lean_options(clcnn_context_options *opt);
/* In the fill process, at its very end (after the context is destroyed):
 * removes its private POCL cache folder (see cache_fill.c) and releases the
 * lock cli_fill_begin returned (-1: none). Does nothing else elsewhere. */
void cli_fill_end(int lock);
/* /proc/self/cmdline as a NULL-terminated argv in one allocation (free it);
 * NULL when unreadable, empty, or over 1 MiB. Also prewarm.c's. */
char **cli_read_cmdline(void);
/* In the command itself, after its output: starts the fill when programs
 * built here were left unwritten. Never fails the command; says nothing. */
void cli_fill_spawn(clcnn_context *ctx);

#endif
