/* prewarm.c — see prewarm.h. Linux: the helper re-executes /proc/self/exe
 * with /proc/self/cmdline; where those are missing nothing is started and the
 * command compiles everything itself, as before. */
#define _GNU_SOURCE
#include "prewarm.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "cache_fill.h"
#include "clcnn_tools.h"

extern char **environ;

#define CHILD_VAR "CLCNN_PREWARM_CHILD"
/* How long the command waits for the helper after its own work, which by then
 * is a kernel compile or two from its end; past it the helper is killed (it
 * only ever costs time: POCL renames each compiled kernel into place). */
#define WAIT_MS 5000

int cli_prewarm_child(void)
{
    const char *v = getenv(CHILD_VAR);
    return v && strcmp(v, "1") == 0;
}

/* environ plus CHILD_VAR=1 (the command never has it: cli_prewarm_options
 * sets no hook in a helper); NULL on no memory. */
static char **child_env(void)
{
    size_t n = 0;
    while (environ && environ[n])
        n++;
    char **env = malloc((n + 2) * sizeof *env);
    if (!env)
        return NULL;
    for (size_t i = 0; i < n; i++)
        env[i] = environ[i];
    env[n] = CHILD_VAR "=1";
    env[n + 1] = NULL;
    return env;
}

/* 1 when an argument names a FIFO, a device or a socket (`--input
 * /dev/stdin`, `<(...)`): the command has read it, and the helper, opening it
 * again, could wait forever for bytes that never come. */
static int reads_a_stream(char *const *argv)
{
    for (int i = 1; argv[i]; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode))
            return 1;
    }
    return 0;
}

/* The cold_build hook: called by the library inside session creation, just
 * before its first build from source. Starts the helper; never fails the
 * command (nothing started: it compiles alone). */
static void start_helper(void *user)
{
    cli_prewarm *pw = user;
    if (pw->pid > 0)
        return;
    char **argv = cli_read_cmdline(), **env = child_env();
    posix_spawn_file_actions_t fa;
    int fa_ok = 0;
    pid_t pid = 0;
    if (!argv || !env || reads_a_stream(argv))
        goto done;
    fa_ok = posix_spawn_file_actions_init(&fa) == 0;
    /* same process group: a Ctrl-C stops both */
    if (!fa_ok || posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) != 0 ||
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0) != 0 ||
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0) != 0)
        goto done;
    if (posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, env) == 0)
        pw->pid = pid;
done:
    if (fa_ok)
        posix_spawn_file_actions_destroy(&fa);
    free(argv);
    free(env);
}

void cli_prewarm_options(clcnn_context_options *opt, cli_prewarm *pw)
{
    if (cli_prewarm_child()) {
        opt->no_cache = 1; /* build from source, as the command does; write nothing */
        return;
    }
    const char *off = getenv("CLCNN_PREWARM");
    if (cli_fill_child() || opt->no_cache || (off && strcmp(off, "0") == 0))
        return;
    pw->pid = 0;
    opt->cold_build = start_helper;
    opt->cold_build_user = pw;
}

int cli_prewarm_run(clcnn_session *s)
{
    if (!cli_prewarm_child())
        return 0;
    clcnn_session_warm_kernels(s, 1); /* a failure here only costs the command time */
    return 1;
}

void cli_prewarm_wait(cli_prewarm *pw)
{
    if (!pw || pw->pid <= 0)
        return;
    const struct timespec tick = {0, 10 * 1000 * 1000};
    for (int waited = 0;; waited += 10) {
        const pid_t r = waitpid(pw->pid, NULL, WNOHANG);
        if (r == pw->pid || (r < 0 && errno != EINTR))
            break;
        if (waited >= WAIT_MS) {
            kill(pw->pid, SIGKILL);
            while (waitpid(pw->pid, NULL, 0) < 0 && errno == EINTR) {
            }
            break;
        }
        nanosleep(&tick, NULL);
    }
    pw->pid = 0;
}
