/* bench_report.c — renders a bench_result: the human report (summary lines,
 * where one profiled run's time went, then the per-layer table sorted by
 * device time, at most 120 columns) or one JSON object with the same facts. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench_report.h"
#include "cli.h"

static double mib(uint64_t b) { return (double)b / (1024.0 * 1024.0); }

static double profile_total(const bench_result *r)
{
    double t = 0.0;
    for (int i = 0; i < r->n_rows; i++)
        t += r->rows[i].ms;
    return t;
}

/* What neither view of clcnn_run_timing explains (clcnn_tools.h): the wall
 * time outside the host's own work and the device's span, mostly the host
 * waking up after the last command ended. Negative only when the clocks
 * disagree: printed as it is. */
static double unexplained(const clcnn_run_timing *t)
{
    return t->wall_ms - t->host_ms - t->span_ms;
}

/* The run is a profiled one: events on every command make it slower than the
 * unprofiled median above it, which the first line says. */
static void print_split(const bench_result *r)
{
    const clcnn_run_timing *t = &r->timing;
    const double rest = unexplained(t);
    printf("time split   %10.3f ms wall of one profiled run (median of %d; unprofiled median %.3f) = kernels %.3f\n",
           t->wall_ms, r->timing_runs, r->median_ms, t->kernel_ms);
    printf("             + copies %.3f (in %.3f, out %.3f) + device idle %.3f (host still enqueueing %.3f, "
           "queued %.3f)\n", t->upload_ms + t->download_ms, t->upload_ms, t->download_ms,
           t->idle_enqueue_ms + t->idle_dispatch_ms, t->idle_enqueue_ms, t->idle_dispatch_ms);
    printf("             + host outside the queue %.3f + unexplained %.3f (%.1f%%: mostly the host waking after "
           "the end)\n", t->host_ms, rest, t->wall_ms > 0 ? 100.0 * rest / t->wall_ms : 0.0);
    printf("host side    %10.3f ms in enqueue calls, %.3f blocked in the sync, %.3f other (same run)\n",
           t->enqueue_ms, t->wait_ms, t->host_ms);
}

/* Keeps the last w-1 chars of a long name behind '~': the tail is what tells nodes apart. */
static const char *clip(const char *s, int w, char *buf, size_t len)
{
    size_t n = strlen(s);
    if ((int)n <= w)
        return s;
    snprintf(buf, len, "~%s", s + n - (size_t)(w - 1));
    return buf;
}

static void print_table(const bench_result *r)
{
    double total = profile_total(r);
    int64_t macs = 0, bytes = 0;
    printf("\nper-layer profile (median of 3 profiled runs, sorted by device time; fused activations in "
           "their producer's row)\n");
    printf("%4s  %-33s %-22s %-22s %9s %6s %8s %7s\n", "#", "node", "op", "variant", "ms", "share",
           "GFLOP/s", "GB/s");
    for (int i = 0; i < r->n_rows; i++) {
        const clcnn_profile_row *w = &r->rows[i];
        char a[64], b[64], c[64], nm[256];
        macs += w->macs;
        bytes += w->bytes;
        printf("%4d  %-33s %-22s %-22s %9.3f %5.1f%% %8.2f %7.2f\n", i + 1, clip(cli_safe(w->name, nm, sizeof nm), 33, a, sizeof a),
               clip(w->op, 22, b, sizeof b), clip(w->variant, 22, c, sizeof c), w->ms,
               total > 0 ? 100.0 * w->ms / total : 0.0, w->gflops, w->gbps);
    }
    double sec = total * 1e-3;
    printf("%4s  %-33s %-22s %-22s %9.3f %5.1f%% %8.2f %7.2f\n", "", "total", "", "", total, 100.0,
           sec > 0 ? 2.0 * (double)macs / sec * 1e-9 : 0.0, sec > 0 ? (double)bytes / sec * 1e-9 : 0.0);
}

static int n_fallbacks(const bench_result *r)
{
    int n = 0;
    for (int i = 0; i < r->n_groups; i++)
        n += r->groups[i].fallback != NULL;
    return n;
}

/* What the plan refused (a fusion or a faster kernel), one line per group. */
static void print_fallbacks(const bench_result *r)
{
    if (!r->groups)
        return;
    printf("fallbacks    %10d  (groups where the plan refused a fusion or a faster kernel%s)\n",
           n_fallbacks(r), n_fallbacks(r) ? ":" : "");
    for (int i = 0; i < r->n_groups; i++) {
        const clcnn_plan_group *g = &r->groups[i];
        char nm[256], why[1024];
        if (g->fallback)
            printf("  %s (%s): %s\n", cli_safe(g->name, nm, sizeof nm), g->op,
                   cli_safe(g->fallback, why, sizeof why));
    }
}

void bench_print_text(const bench_result *r)
{
    char shape[96] = "";
    for (int d = 0, pos = 0; d < r->input.ndim && pos < (int)sizeof shape; d++)
        pos += snprintf(shape + pos, sizeof shape - (size_t)pos, d ? "x%lld" : "%lld",
                        (long long)r->input.dims[d]);
    printf("model        %s  (input %s, batch %d)\n", r->model, shape, r->batch);
    printf("device       %s%s\n", r->device, r->reference ? "  (reference backend)" : "");
    if (isnan(r->cold_ms))
        printf("cold start   skipped (--no-cold)\n");
    else
        printf("cold start   %10.1f ms  (process start -> first result; empty clcnn and POCL caches)\n",
               r->cold_ms);
    printf("warm start   %10.1f ms  (%s: context + load + plan + first run)\n", r->warm_ms,
           isnan(r->cold_ms) ? "on the usual kernel cache" : "new context on the filled cache");
    printf("latency      %10.3f ms median, %.3f min, %.3f max, %.3f mean  (%d runs after %d warm-up)\n",
           r->median_ms, r->min_ms, r->max_ms, r->mean_ms, r->runs, r->warmup);
    if (r->timing_runs)
        print_split(r);
    printf("throughput   %10.1f images/s  (batch / median)\n",
           r->median_ms > 0 ? r->batch * 1e3 / r->median_ms : 0.0);
    if (r->reference)
        printf("kernels      n/a (the reference backend launches none)\n");
    else
        printf("kernels      %10d per inference\n", r->kernels);
    if (r->have_memory) {
        const clcnn_memory_info *m = &r->mem;
        double saved = m->naive_act_bytes ? 100.0 * (1.0 - (double)m->act_bytes / (double)m->naive_act_bytes)
                                          : 0.0;
        printf("memory       %10.2f MiB device peak = weights %.2f + activations %.2f MiB "
               "(naive %.2f MiB: planner saves %.0f%%)\n",
               mib(m->weight_bytes + m->act_bytes), mib(m->weight_bytes), mib(m->act_bytes),
               mib(m->naive_act_bytes), saved);
    } else {
        printf("memory       n/a (%s)\n", r->reference ? "the reference backend allocates per run on the host"
                                                        : "not reported by this build");
    }
    print_fallbacks(r);
    if (r->rows)
        print_table(r);
    else if (r->profile_note)
        printf("profile      none: %s\n", r->profile_note);
}

static void json_field(const char *sep, const char *key, double v)
{
    printf("%s\"%s\": ", sep, key);
    cli_json_num(v);
}

static void json_split(const bench_result *r)
{
    const clcnn_run_timing *t = &r->timing;
    printf("{\"profiled_runs\": %d", r->timing_runs);
    json_field(", ", "wall_ms", t->wall_ms);
    json_field(", ", "kernel_ms", t->kernel_ms);
    json_field(", ", "upload_ms", t->upload_ms);
    json_field(", ", "download_ms", t->download_ms);
    json_field(", ", "idle_enqueue_ms", t->idle_enqueue_ms);
    json_field(", ", "idle_dispatch_ms", t->idle_dispatch_ms);
    json_field(", ", "host_ms", t->host_ms);
    json_field(", ", "unexplained_ms", unexplained(t));
    json_field(",\n   ", "span_ms", t->span_ms);
    json_field(", ", "enqueue_ms", t->enqueue_ms);
    json_field(", ", "wait_ms", t->wait_ms);
    printf("}");
}

static void json_rows(const bench_result *r)
{
    double total = profile_total(r);
    printf("{\"total_ms\": ");
    cli_json_num(total);
    printf(", \"rows\": [");
    for (int i = 0; i < r->n_rows; i++) {
        const clcnn_profile_row *w = &r->rows[i];
        printf("%s\n    {\"name\": ", i ? "," : "");
        cli_json_str(w->name);
        printf(", \"op\": ");
        cli_json_str(w->op);
        printf(", \"variant\": ");
        cli_json_str(w->variant);
        printf(", \"launches\": %d, \"ms\": ", w->launches);
        cli_json_num(w->ms);
        printf(", \"share\": ");
        cli_json_num(total > 0 ? w->ms / total : 0.0);
        printf(", \"macs\": %lld, \"bytes\": %lld, \"gflops\": ", (long long)w->macs, (long long)w->bytes);
        cli_json_num(w->gflops);
        printf(", \"gbps\": ");
        cli_json_num(w->gbps);
        printf("}");
    }
    printf("]}");
}

/* The plan's fallback notes as [{"group", "op", "reason"}, ...]; null without groups. */
static void json_fallbacks(const bench_result *r)
{
    if (!r->groups) {
        printf("null");
        return;
    }
    printf("[");
    for (int i = 0, k = 0; i < r->n_groups; i++) {
        const clcnn_plan_group *g = &r->groups[i];
        if (!g->fallback)
            continue;
        printf("%s\n  {\"group\": ", k++ ? "," : "");
        cli_json_str(g->name);
        printf(", \"op\": ");
        cli_json_str(g->op);
        printf(", \"reason\": ");
        cli_json_str(g->fallback);
        printf("}");
    }
    printf("]");
}

void bench_print_json(const bench_result *r)
{
    printf("{\"model\": ");
    cli_json_str(r->model);
    printf(", \"device\": ");
    cli_json_str(r->device);
    printf(", \"backend\": \"%s\", \"batch\": %d, \"input_shape\": [", r->reference ? "reference" : "opencl",
           r->batch);
    for (int d = 0; d < r->input.ndim; d++)
        printf("%s%lld", d ? ", " : "", (long long)r->input.dims[d]);
    printf("], \"runs\": %d, \"warmup\": %d,\n \"cold_start_ms\": ", r->runs, r->warmup);
    cli_json_num(r->cold_ms);
    printf(", \"warm_start_ms\": ");
    cli_json_num(r->warm_ms);
    printf(",\n \"latency_ms\": {\"median\": ");
    cli_json_num(r->median_ms);
    printf(", \"min\": ");
    cli_json_num(r->min_ms);
    printf(", \"max\": ");
    cli_json_num(r->max_ms);
    printf(", \"mean\": ");
    cli_json_num(r->mean_ms);
    printf("},\n \"time_split\": ");
    if (r->timing_runs)
        json_split(r);
    else
        printf("null");
    printf(", \"images_per_s\": ");
    cli_json_num(r->median_ms > 0 ? r->batch * 1e3 / r->median_ms : 0.0);
    printf(",\n \"kernels_per_inference\": ");
    if (r->reference)
        printf("null");
    else
        printf("%d", r->kernels);
    printf(", \"memory\": ");
    if (r->have_memory)
        printf("{\"weight_bytes\": %llu, \"activation_bytes\": %llu, \"naive_activation_bytes\": %llu, "
               "\"peak_bytes\": %llu}",
               (unsigned long long)r->mem.weight_bytes, (unsigned long long)r->mem.act_bytes,
               (unsigned long long)r->mem.naive_act_bytes,
               (unsigned long long)(r->mem.weight_bytes + r->mem.act_bytes));
    else
        printf("null");
    printf(",\n \"fallbacks\": ");
    json_fallbacks(r);
    printf(",\n \"profile\": ");
    if (r->rows)
        json_rows(r);
    else
        printf("null");
    printf(", \"profile_note\": ");
    if (r->rows || !r->profile_note)
        printf("null");
    else
        cli_json_str(r->profile_note);
    printf("}\n");
}
