/* cmd_devices.c — `clcnn devices`: every OpenCL platform and device with the
 * fields `--device` selection and kernel tuning care about, as a table or as
 * JSON. Uses only the public header. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: clcnn devices [--json]\n"
            "\n"
            "Lists every OpenCL device of every platform. The index is what\n"
            "'--device N' takes; '--device gpu|cpu|auto' or a substring of a device,\n"
            "platform or vendor name (pocl, intel, oclgrind) also work.\n"
            "\n"
            "  --json   one JSON array of device objects on stdout\n"
            "  --help   this text\n"
            "\n"
            "Exit status: 0 when at least one device is found; 1 when none is (the\n"
            "message \"no OpenCL devices found\" goes to stderr; --json still prints []) or the\n"
            "query fails; 2 on a usage error.\n");
}

static const char *bytes_str(unsigned long long b, char *buf, size_t len)
{
    if (b >= (1ull << 30))
        snprintf(buf, len, "%.1f GiB", (double)b / (double)(1ull << 30));
    else if (b >= (1ull << 20))
        snprintf(buf, len, "%.1f MiB", (double)b / (double)(1ull << 20));
    else
        snprintf(buf, len, "%.1f KiB", (double)b / 1024.0);
    return buf;
}

static void print_table(const clcnn_device_info *d, int n)
{
    char a[32], b[32];
    for (int i = 0; i < n; i++) {
        if (i == 0 || strcmp(d[i].platform, d[i - 1].platform) != 0)
            printf("%splatform: %s\n", i ? "\n" : "", d[i].platform);
        printf("  [%d] %s\n", d[i].index, d[i].name);
        printf("      %-16s %s\n", "platform", d[i].platform);
        printf("      %-16s %s\n", "type", d[i].type);
        printf("      %-16s %s\n", "vendor", d[i].vendor);
        printf("      %-16s %u\n", "compute units", d[i].compute_units);
        printf("      %-16s %u MHz\n", "max clock", d[i].max_clock_mhz);
        printf("      %-16s %s (%llu bytes)\n", "global memory",
               bytes_str((unsigned long long)d[i].global_mem_bytes, a, sizeof a),
               (unsigned long long)d[i].global_mem_bytes);
        printf("      %-16s %s (%llu bytes)\n", "local memory",
               bytes_str((unsigned long long)d[i].local_mem_bytes, b, sizeof b),
               (unsigned long long)d[i].local_mem_bytes);
        printf("      %-16s %zu\n", "max work-group", d[i].max_work_group_size);
        printf("      %-16s %s\n", "image support", d[i].image_support ? "yes" : "no");
        printf("      %-16s %s\n", "fp16", d[i].fp16 ? "yes" : "no");
        printf("      %-16s %s\n", "device version", d[i].cl_version);
        printf("      %-16s %s\n", "OpenCL C", d[i].c_version);
        printf("      %-16s %s\n", "driver version", d[i].driver_version);
    }
}

/* A JSON string literal: quotes, backslashes and control bytes escaped. */
static void json_field_str(const char *key, const char *v, int last)
{
    printf("    \"%s\": ", key);
    cli_json_str(v);
    printf(last ? "\n" : ",\n");
}

static void print_json(const clcnn_device_info *d, int n)
{
    printf("[");
    for (int i = 0; i < n; i++) {
        printf("%s\n  {\n", i ? "," : "");
        printf("    \"index\": %d,\n", d[i].index);
        json_field_str("platform", d[i].platform, 0);
        json_field_str("name", d[i].name, 0);
        json_field_str("vendor", d[i].vendor, 0);
        json_field_str("type", d[i].type, 0);
        printf("    \"compute_units\": %u,\n", d[i].compute_units);
        printf("    \"max_clock_mhz\": %u,\n", d[i].max_clock_mhz);
        printf("    \"global_mem_bytes\": %llu,\n", (unsigned long long)d[i].global_mem_bytes);
        printf("    \"local_mem_bytes\": %llu,\n", (unsigned long long)d[i].local_mem_bytes);
        printf("    \"max_work_group_size\": %zu,\n", d[i].max_work_group_size);
        printf("    \"image_support\": %s,\n", d[i].image_support ? "true" : "false");
        printf("    \"fp16\": %s,\n", d[i].fp16 ? "true" : "false");
        json_field_str("cl_version", d[i].cl_version, 0);
        json_field_str("c_version", d[i].c_version, 0);
        json_field_str("driver_version", d[i].driver_version, 1);
        printf("  }");
    }
    printf("%s]\n", n ? "\n" : "");
}

int cmd_devices(int argc, char **argv)
{
    const char *cmd = argv[0];
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            usage(stdout);
            return CLI_OK;
        }
        if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else
            return cli_bad_flag(cmd, argv[i]);
    }
    char err[1024] = "";
    int n = 0;
    if (clcnn_devices_list(NULL, 0, &n, err, sizeof err) != CLCNN_OK)
        return cli_error(CLI_FAIL, cmd, "%s", err);
    clcnn_device_info *d = n ? calloc((size_t)n, sizeof *d) : NULL;
    if (n && !d)
        return cli_error(CLI_FAIL, cmd, "out of memory for %d devices", n);
    int got = n;
    if (n && clcnn_devices_list(d, n, &got, err, sizeof err) != CLCNN_OK) {
        free(d);
        return cli_error(CLI_FAIL, cmd, "%s", err);
    }
    if (got < n)
        n = got; /* a device vanished between the two calls */
    if (json)
        print_json(d, n);
    else if (n)
        print_table(d, n);
    free(d);
    if (n == 0)
        return cli_error(CLI_FAIL, cmd, "no OpenCL devices found");
    return CLI_OK;
}
