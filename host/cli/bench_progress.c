/* bench_progress.c — renders bench's progress (see bench_progress.h). Knows
 * nothing of what is measured; cmd_bench.c names the stages. */
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "bench_progress.h"
#include "cli.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

void bench_progress_init(bench_progress *p, bench_progress_mode mode, double t0_ms)
{
    p->f = stderr;
    p->tty = isatty(fileno(stderr));
    p->on = mode == BENCH_PROGRESS_ON || (mode == BENCH_PROGRESS_AUTO && p->tty);
    p->shown = 0;
    p->t0_ms = t0_ms;
    p->last_what = NULL;
    p->last_tenth = -1;
}

/* The terminal's width: a line that wraps could no longer be taken back by \r. */
static int tty_columns(FILE *f)
{
    struct winsize ws;
    if (ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 80;
}

/* One line: on a terminal it replaces the one shown (\r, then erase to the end
 * of the line: ESC [ K), cut to the terminal's width; elsewhere it is a line
 * of its own. Text from the model (its path) goes through cli_fput_safe: no
 * escape reaches the terminal. */
static void show(bench_progress *p, const char *text)
{
    char line[640];
    snprintf(line, sizeof line, "clcnn bench: [%6.1f s] %s", (now_ms() - p->t0_ms) * 1e-3, text);
    if (p->tty) {
        int cut = tty_columns(p->f) - 1; /* the last column would wrap on some terminals */
        if ((int)strlen(line) > cut) {
            while (cut > 0 && ((unsigned char)line[cut] & 0xC0) == 0x80)
                cut--; /* not inside a UTF-8 sequence */
            line[cut] = 0;
        }
        fputs("\r\033[K", p->f);
    }
    cli_fput_safe(line, 0, p->f);
    if (!p->tty)
        fputc('\n', p->f);
    p->shown = p->tty;
    fflush(p->f);
}

void bench_progress_stage(bench_progress *p, const char *fmt, ...)
{
    if (!p || !p->on)
        return;
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    p->last_what = NULL;
    show(p, text);
}

void bench_progress_count(bench_progress *p, const char *what, int i, int n)
{
    if (!p || !p->on || n <= 0)
        return;
    if (!p->tty) { /* a pipe or a log: the first, then one line a tenth (the last included) */
        const int tenth = (int)((long long)i * 10 / n);
        if (p->last_what && strcmp(what, p->last_what) == 0 && tenth == p->last_tenth)
            return;
        p->last_what = what;
        p->last_tenth = tenth;
    }
    char text[128];
    snprintf(text, sizeof text, "%s %d/%d", what, i, n);
    show(p, text);
}

void bench_progress_clear(bench_progress *p)
{
    if (!p || !p->shown)
        return;
    fputs("\r\033[K", p->f);
    fflush(p->f);
    p->shown = 0;
}
