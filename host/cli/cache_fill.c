/* cache_fill.c — see cache_fill.h. Linux: the fill re-executes
 * /proc/self/exe with /proc/self/cmdline; where those are missing nothing
 * is started and the next cold run simply builds again. */
#define _GNU_SOURCE
#include "cache_fill.h"

#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "clcnn_tools.h"

extern char **environ;

#define CHILD_VAR "CLCNN_CACHE_FILL_CHILD"
/* The fill's own POCL kernel cache (see child_env), removed when it ends. */
#define POCL_DIR_VAR "CLCNN_CACHE_FILL_POCL_DIR"
#define CMDLINE_MAX (1u << 20) /* an argv longer than this gets no fill */

int cli_fill_child(void)
{
    const char *v = getenv(CHILD_VAR);
    return v && strcmp(v, "1") == 0;
}

clcnn_cache_store cli_fill_store_mode(void)
{
    if (cli_fill_child())
        return CLCNN_CACHE_STORE_NOW;
    const char *off = getenv("CLCNN_CACHE_FILL");
    return off && strcmp(off, "0") == 0 ? CLCNN_CACHE_STORE_AUTO : CLCNN_CACHE_STORE_NO_DEFERRED;
}

int cli_fill_begin(clcnn_context *ctx)
{
    /* the user's next command gets the CPU first */
    if (nice(10) == -1) {
        /* nothing to do: a fill at normal priority is still correct */
    }
    const char *dir = clcnn_context_cache_dir(ctx);
    char path[4096];
    if (!dir || snprintf(path, sizeof path, "%s/fill.lock", dir) >= (int)sizeof path)
        return -1;
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return -1;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

char **cli_read_cmdline(void)
{
    FILE *f = fopen("/proc/self/cmdline", "rb");
    if (!f)
        return NULL;
    char *buf = malloc(CMDLINE_MAX + 1);
    size_t n = buf ? fread(buf, 1, CMDLINE_MAX + 1, f) : 0;
    fclose(f);
    if (n == 0 || n > CMDLINE_MAX) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    if (buf[n - 1] != '\0') /* the kernel ends every argument with a NUL */
        n++;
    size_t argc = 0;
    for (size_t i = 0; i < n; i++)
        argc += buf[i] == '\0';
    char **argv = malloc((argc + 1) * sizeof *argv + n);
    if (!argv) {
        free(buf);
        return NULL;
    }
    char *text = (char *)(argv + argc + 1);
    memcpy(text, buf, n);
    free(buf);
    size_t k = 0;
    for (size_t i = 0; i < n && k < argc; i += strlen(text + i) + 1)
        argv[k++] = text + i;
    argv[k] = NULL;
    return argv;
}

/* environ plus CHILD_VAR=1 (the parent never has it: cli_fill_spawn returns
 * early in a fill) and a POCL kernel cache of the fill's own, pocl_dir (an
 * empty folder), as POCL_CACHE_DIR and POCL_DIR_VAR: the binary POCL hands out
 * is serialised from its cache folder, and read from the shared one while the
 * user's next command compiles into it, it came out truncated once in CI (a
 * later load aborted in pocl_binary_get_kernels_metadata). The fill compiles
 * from source instead; it is in the background. *env_text owns the strings. */
static char **child_env(const char *pocl_dir, char **env_text)
{
    size_t n = 0, len = 2 * strlen(pocl_dir) + sizeof "POCL_CACHE_DIR=" + sizeof POCL_DIR_VAR "=";
    while (environ && environ[n])
        n++;
    char **env = malloc((n + 4) * sizeof *env), *text = malloc(len);
    if (!env || !text) {
        free(env);
        free(text);
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "POCL_CACHE_DIR=", 15) != 0)
            env[k++] = environ[i];
    env[k++] = CHILD_VAR "=1";
    int a = snprintf(text, len, "POCL_CACHE_DIR=%s", pocl_dir);
    snprintf(text + a + 1, len - (size_t)a - 1, POCL_DIR_VAR "=%s", pocl_dir);
    env[k++] = text;
    env[k++] = text + a + 1;
    env[k] = NULL;
    *env_text = text;
    return env;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

void cli_fill_warm(clcnn_session *s)
{
    if (cli_fill_child() && s)
        clcnn_session_warm_kernels(s, 0); /* a failure only leaves the copies generic */
}

void cli_lean_options(clcnn_context_options *opt)
{
    opt->lean_programs = 1;
}

void cli_fill_end(int lock)
{
    const char *dir = getenv(POCL_DIR_VAR);
    if (cli_fill_child() && dir && dir[0] == '/' && strstr(dir, "/clcnn-fill-pocl."))
        nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (lock >= 0)
        close(lock);
}

void cli_fill_spawn(clcnn_context *ctx)
{
    clcnn_program_stats ps;
    if (cli_fill_child() || cli_fill_store_mode() != CLCNN_CACHE_STORE_NO_DEFERRED ||
        clcnn_context_program_stats(ctx, &ps) != CLCNN_OK || !ps.disk_cache || ps.deferred == 0)
        return;
    const char *tmp = getenv("TMPDIR");
    char pocl_dir[4096], *env_text = NULL;
    if (snprintf(pocl_dir, sizeof pocl_dir, "%s/clcnn-fill-pocl.XXXXXX",
                 tmp && tmp[0] == '/' ? tmp : "/tmp") >= (int)sizeof pocl_dir ||
        !mkdtemp(pocl_dir))
        return;
    char **argv = cli_read_cmdline(), **env = child_env(pocl_dir, &env_text);
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    int fa_ok = 0, attr_ok = 0, started = 0;
    if (!argv || !env)
        goto done;
    fa_ok = posix_spawn_file_actions_init(&fa) == 0;
    attr_ok = posix_spawnattr_init(&attr) == 0;
    if (!fa_ok || !attr_ok ||
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) != 0 ||
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0) != 0 ||
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0) != 0 ||
        /* its own session: no terminal, and a Ctrl-C at the prompt later does not reach it */
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID) != 0)
        goto done;
    pid_t pid;
    /* Not waited for: this process exits next and init reaps the fill. */
    started = posix_spawn(&pid, "/proc/self/exe", &fa, &attr, argv, env) == 0;
done:
    if (!started)
        rmdir(pocl_dir);
    if (fa_ok)
        posix_spawn_file_actions_destroy(&fa);
    if (attr_ok)
        posix_spawnattr_destroy(&attr);
    free(argv);
    free(env);
    free(env_text);
}
