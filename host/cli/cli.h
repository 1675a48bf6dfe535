/* cli.h — what every `clcnn` command shares: its entry point signature, the
 * command table, and small helpers for flags and errors. The CLI uses only the
 * public header (clcnn.h). */
#ifndef CLCNN_CLI_H
#define CLCNN_CLI_H

#include <stdio.h>

#include "clcnn.h"

/* Exit codes: 0 ok, 1 a failure while doing the job (bad file, tolerance
 * exceeded), 2 a usage error (unknown command or flag, missing argument). */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* argv[0] is the command name; returns the process exit code. */
typedef int (*cli_cmd_fn)(int argc, char **argv);

int cmd_devices(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_classify(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_tune(int argc, char **argv);

/* One line "clcnn CMD: msg" on stderr. Returns `code` so callers can return it. */
int cli_error(int code, const char *cmd, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Writes s with control characters escaped (\n, \t, \xNN), newlines kept
 * when keep_newlines: model-supplied names reach the terminal only so. */
void cli_fput_safe(const char *s, int keep_newlines, FILE *f);
/* The same into buf (truncated to fit); returns buf. */
const char *cli_safe(const char *s, char *buf, size_t len);
/* "clcnn CMD: unknown flag '--x' (see 'clcnn CMD --help')" and CLI_USAGE. */
int cli_bad_flag(const char *cmd, const char *flag);
/* 1 when argv[i] is "--help" or "-h". */
int cli_is_help(const char *arg);
/* Takes the value of a flag "--name V" at argv[*i] (advancing *i), or NULL
 * after printing a usage error when V is missing. */
const char *cli_flag_value(int argc, char **argv, int *i, const char *cmd);

/* Creates a context for --device / --no-cache, printing any error. On `auto`,
 * says on stderr which device it picked. Returns NULL on failure. */
clcnn_context *cli_context(const char *cmd, const char *device, int no_cache);
/* The same with the program cache's store mode (cache_fill.h) and, when pw is
 * not NULL, the prewarm helper of a cold start (prewarm.h). */
struct cli_prewarm;
clcnn_context *cli_context_store(const char *cmd, const char *device, int no_cache,
                                 clcnn_cache_store store, struct cli_prewarm *pw);

/* Writes s as a JSON string literal (quotes, escapes) on stdout; NULL as "". */
void cli_json_str(const char *s);
/* Writes v as a JSON number on stdout, or null when it is not finite (JSON has no inf/NaN). */
void cli_json_num(double v);
/* Element count of a tensor. */
size_t cli_numel(const clcnn_tensor_info *t);
/* Formats dims as "1x3x224x224" into buf. */
void cli_shape_str(int ndim, const int64_t *dims, char *buf, size_t len);

/* Formats 1234567 as "1,234,567" into buf. */
const char *cli_thousands(long long v, char *buf, size_t len);

/* ---- --precision fp32|fp16|auto (cli_util.c) ------------------------------ */

/* Parses "--precision P" at argv[*i] into *p. Returns 1 when it was that flag
 * (advancing *i), 0 when argv[*i] is another flag, -1 after printing a usage error. */
int cli_precision_flag(int argc, char **argv, int *i, const char *cmd, clcnn_precision *p);
/* Says on stderr what the session runs in when it is not plain fp32 by request:
 * the library's note (e.g. no cl_khr_fp16), and for fp16/auto the split
 * ("precision auto: 41 layers fp16, 12 fp32, 6 conversions; calibration error 3.1e-04"). */
void cli_precision_report(const char *cmd, const clcnn_session *s);
/* Prints on stdout which layers store half and which float32, each with its
 * calibration error (auto), then the device memory of the plan. */
void cli_precision_table(const clcnn_session *s);

/* ---- models named on the command line (cli_model.c) ---------------------- */

/* Parses one built-in option flag at argv[*i] (--width, --depth, --classes,
 * --input-size, --seed) into opt. Returns 1 when it was one (advancing *i),
 * 0 when argv[*i] is some other flag, -1 after printing a usage error. */
int cli_builtin_flag(int argc, char **argv, int *i, const char *cmd, clcnn_builtin_options *opt);
/* An existing file is loaded as ONNX; any other word is built as a built-in
 * architecture with opt (which must be all-default for a file). Prints the
 * error and returns NULL on failure. */
clcnn_model *cli_model_open(clcnn_context *ctx, const char *cmd, const char *what,
                            const clcnn_builtin_options *opt);

#endif
