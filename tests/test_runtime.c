/* test_runtime.c — the OpenCL runtime room: CL error names, device listing and
 * every device-selection path (including the error messages), the smoke
 * kernel against host C at odd sizes, and build failures carrying their log.
 * The binary cache has its own suite (test_cl_cache.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/cl_fixture.h"

/* Written out independently of rt_errors.c so a dropped or renamed entry
 * there shows up here. */
static const struct {
    cl_int code;
    const char *name;
} expected_errors[] = {
    {0, "CL_SUCCESS"}, {-1, "CL_DEVICE_NOT_FOUND"}, {-2, "CL_DEVICE_NOT_AVAILABLE"},
    {-3, "CL_COMPILER_NOT_AVAILABLE"}, {-4, "CL_MEM_OBJECT_ALLOCATION_FAILURE"},
    {-5, "CL_OUT_OF_RESOURCES"}, {-6, "CL_OUT_OF_HOST_MEMORY"},
    {-7, "CL_PROFILING_INFO_NOT_AVAILABLE"}, {-8, "CL_MEM_COPY_OVERLAP"},
    {-9, "CL_IMAGE_FORMAT_MISMATCH"}, {-10, "CL_IMAGE_FORMAT_NOT_SUPPORTED"},
    {-11, "CL_BUILD_PROGRAM_FAILURE"}, {-12, "CL_MAP_FAILURE"},
    {-13, "CL_MISALIGNED_SUB_BUFFER_OFFSET"},
    {-14, "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST"}, {-15, "CL_COMPILE_PROGRAM_FAILURE"},
    {-16, "CL_LINKER_NOT_AVAILABLE"}, {-17, "CL_LINK_PROGRAM_FAILURE"},
    {-18, "CL_DEVICE_PARTITION_FAILED"}, {-19, "CL_KERNEL_ARG_INFO_NOT_AVAILABLE"},
    {-30, "CL_INVALID_VALUE"}, {-31, "CL_INVALID_DEVICE_TYPE"}, {-32, "CL_INVALID_PLATFORM"},
    {-33, "CL_INVALID_DEVICE"}, {-34, "CL_INVALID_CONTEXT"}, {-35, "CL_INVALID_QUEUE_PROPERTIES"},
    {-36, "CL_INVALID_COMMAND_QUEUE"}, {-37, "CL_INVALID_HOST_PTR"},
    {-38, "CL_INVALID_MEM_OBJECT"}, {-39, "CL_INVALID_IMAGE_FORMAT_DESCRIPTOR"},
    {-40, "CL_INVALID_IMAGE_SIZE"}, {-41, "CL_INVALID_SAMPLER"}, {-42, "CL_INVALID_BINARY"},
    {-43, "CL_INVALID_BUILD_OPTIONS"}, {-44, "CL_INVALID_PROGRAM"},
    {-45, "CL_INVALID_PROGRAM_EXECUTABLE"}, {-46, "CL_INVALID_KERNEL_NAME"},
    {-47, "CL_INVALID_KERNEL_DEFINITION"}, {-48, "CL_INVALID_KERNEL"},
    {-49, "CL_INVALID_ARG_INDEX"}, {-50, "CL_INVALID_ARG_VALUE"}, {-51, "CL_INVALID_ARG_SIZE"},
    {-52, "CL_INVALID_KERNEL_ARGS"}, {-53, "CL_INVALID_WORK_DIMENSION"},
    {-54, "CL_INVALID_WORK_GROUP_SIZE"}, {-55, "CL_INVALID_WORK_ITEM_SIZE"},
    {-56, "CL_INVALID_GLOBAL_OFFSET"}, {-57, "CL_INVALID_EVENT_WAIT_LIST"},
    {-58, "CL_INVALID_EVENT"}, {-59, "CL_INVALID_OPERATION"}, {-60, "CL_INVALID_GL_OBJECT"},
    {-61, "CL_INVALID_BUFFER_SIZE"}, {-62, "CL_INVALID_MIP_LEVEL"},
    {-63, "CL_INVALID_GLOBAL_WORK_SIZE"}, {-64, "CL_INVALID_PROPERTY"},
    {-65, "CL_INVALID_IMAGE_DESCRIPTOR"}, {-66, "CL_INVALID_COMPILER_OPTIONS"},
    {-67, "CL_INVALID_LINKER_OPTIONS"}, {-68, "CL_INVALID_DEVICE_PARTITION_COUNT"},
    {-69, "CL_INVALID_PIPE_SIZE"}, {-70, "CL_INVALID_DEVICE_QUEUE"}, {-71, "CL_INVALID_SPEC_ID"},
    {-72, "CL_MAX_SIZE_RESTRICTION_EXCEEDED"}, {-1001, "CL_PLATFORM_NOT_FOUND_KHR"},
};
#define N_EXPECTED ((int)(sizeof expected_errors / sizeof expected_errors[0]))

static void test_error_names(void **state)
{
    (void)state;
    for (int i = 0; i < N_EXPECTED; i++)
        assert_string_equal(rt_cl_error_name(expected_errors[i].code), expected_errors[i].name);
    /* Every named code in a wide range: distinct, CL_-prefixed, and exactly the
     * expected set (so the table has no extra or duplicate entries either). */
    const char *seen[4096];
    int n_named = 0;
    for (cl_int c = -3000; c <= 100; c++) {
        const char *s = rt_cl_error_name(c);
        assert_non_null(s);
        if (strcmp(s, "CL_UNKNOWN_ERROR") == 0)
            continue;
        assert_int_equal(strncmp(s, "CL_", 3), 0);
        for (int j = 0; j < n_named; j++)
            assert_string_not_equal(seen[j], s);
        seen[n_named++] = s;
    }
    assert_int_equal(n_named, N_EXPECTED);
    const cl_int unknown[] = {1, -20, -29, -73, -1000, -1002, -9999, 12345};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        assert_string_equal(rt_cl_error_name(unknown[i]), "CL_UNKNOWN_ERROR");
}

/* Lists devices into a malloc'd array; NULL (and a skip message) when none. */
static clcnn_device_info *list_devices(int *n)
{
    clcnn_err err = {0};
    *n = -1;
    clfx_check(rt_devices_list(NULL, 0, n, &err), &err, "rt_devices_list(count)");
    assert_true(*n >= 0);
    if (*n == 0) {
        print_message("skipping: no OpenCL devices on this machine\n");
        return NULL;
    }
    clcnn_device_info *d = calloc((size_t)*n, sizeof *d);
    assert_non_null(d);
    int again = 0;
    clfx_check(rt_devices_list(d, *n, &again, &err), &err, "rt_devices_list");
    assert_int_equal(again, *n);
    return d;
}

static void test_devices_list(void **state)
{
    (void)state;
    clcnn_err err = {0};
    assert_int_equal(rt_devices_list(NULL, 0, NULL, &err), CLCNN_ERR_INVALID_ARG);
    assert_int_equal(rt_devices_list(NULL, 3, &(int){0}, &err), CLCNN_ERR_INVALID_ARG);
    int n;
    clcnn_device_info *d = list_devices(&n);
    if (!d) {
        skip();
        return;
    }
    for (int i = 0; i < n; i++) {
        assert_int_equal(d[i].index, i);
        assert_true(d[i].name[0] && d[i].platform[0]);
        assert_true(!strcmp(d[i].type, "gpu") || !strcmp(d[i].type, "cpu") ||
                    !strcmp(d[i].type, "accelerator") || !strcmp(d[i].type, "other"));
        assert_true(d[i].compute_units > 0);
        assert_true(d[i].global_mem_bytes > 0 && d[i].local_mem_bytes > 0);
        assert_true(d[i].max_work_group_size > 0);
        assert_int_equal(strncmp(d[i].cl_version, "OpenCL ", 7), 0);
        assert_int_equal(strncmp(d[i].c_version, "OpenCL C ", 9), 0);
        assert_true(d[i].fp16 == 0 || d[i].fp16 == 1);
        print_message("device %d: %s (%s, %s), %s\n", i, d[i].name, d[i].type, d[i].platform,
                      d[i].cl_version);
    }
    /* A short buffer still reports the full count and fills what fits. */
    clcnn_device_info one;
    int cnt = 0;
    clfx_check(rt_devices_list(&one, 1, &cnt, &err), &err, "rt_devices_list(cap 1)");
    assert_int_equal(cnt, n);
    assert_string_equal(one.name, d[0].name);
    free(d);
}

/* Creates a context for spec and checks which device it chose. */
static void expect_pick(const char *spec, const clcnn_device_info *want)
{
    rt_ctx *rt = NULL;
    clcnn_err err = {0};
    clfx_check(rt_create(spec, NULL, &rt, &err), &err, spec ? spec : "(NULL spec)");
    assert_non_null(rt);
    assert_int_equal(rt_info(rt)->index, want->index);
    assert_string_equal(rt_info(rt)->name, want->name);
    assert_non_null(rt_cl_context(rt));
    assert_non_null(rt_queue(rt));
    assert_non_null(rt_device(rt));
    cl_command_queue_properties props = 0;
    assert_int_equal(clGetCommandQueueInfo(rt_queue(rt), CL_QUEUE_PROPERTIES, sizeof props, &props,
                                           NULL),
                     CL_SUCCESS);
    assert_true(props & CL_QUEUE_PROFILING_ENABLE);
    assert_false(props & CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE);
    rt_destroy(rt);
}

static int first_of(const clcnn_device_info *d, int n, const char *type)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(d[i].type, type))
            return i;
    return -1;
}

static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return n == 0;
}

static void test_select_ok(void **state)
{
    (void)state;
    int n;
    clcnn_device_info *d = list_devices(&n);
    if (!d) {
        skip();
        return;
    }
    int gpu = first_of(d, n, "gpu"), cpu = first_of(d, n, "cpu");
    const clcnn_device_info *autod = &d[gpu >= 0 ? gpu : cpu >= 0 ? cpu : 0];
    expect_pick("auto", autod);
    expect_pick(NULL, autod);
    expect_pick("", autod);
    if (cpu >= 0)
        expect_pick("cpu", &d[cpu]);
    char idx[16];
    snprintf(idx, sizeof idx, "%d", n - 1);
    expect_pick(idx, &d[n - 1]);
    /* A case-flipped middle slice of the last device's name. */
    char sub[64] = "";
    size_t len = strlen(d[n - 1].name);
    size_t from = len / 4, take = len / 2 ? len / 2 : len;
    snprintf(sub, sizeof sub, "%.*s", (int)take, d[n - 1].name + from);
    for (char *p = sub; *p; p++)
        *p = (char)((*p >= 'a' && *p <= 'z') ? *p - 32 : (*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
    rt_ctx *rt = NULL;
    clcnn_err err = {0};
    clfx_check(rt_create(sub, NULL, &rt, &err), &err, sub);
    /* The first device whose name contains it, which may precede n-1. */
    assert_true(contains_nocase(rt_info(rt)->name, sub));
    rt_destroy(rt);
    rt_destroy(NULL);
    free(d);
}

/* Every message naming "no device" must list every device found. */
static void assert_lists_devices(const char *msg, const clcnn_device_info *d, int n)
{
    for (int i = 0; i < n; i++) {
        char want[200];
        snprintf(want, sizeof want, "%d: %s (%s, %s)", d[i].index, d[i].name, d[i].type,
                 d[i].platform);
        if (!strstr(msg, want))
            fail_msg("message lacks '%s': %s", want, msg);
    }
}

static void expect_no_device(const char *spec, const char *msg_start,
                             const clcnn_device_info *d, int n)
{
    rt_ctx *rt = (rt_ctx *)&rt; /* must be reset to NULL */
    clcnn_err err = {0};
    assert_int_equal(rt_create(spec, NULL, &rt, &err), CLCNN_ERR_NO_DEVICE);
    assert_null(rt);
    assert_int_equal(err.status, CLCNN_ERR_NO_DEVICE);
    if (strncmp(err.msg, msg_start, strlen(msg_start)) != 0)
        fail_msg("spec '%s': message should start '%s': %s", spec, msg_start, err.msg);
    assert_lists_devices(err.msg, d, n);
    print_message("'%s' -> %s\n", spec, err.msg);
}

static void test_select_errors(void **state)
{
    (void)state;
    int n;
    clcnn_device_info *d = list_devices(&n);
    if (!d) {
        skip();
        return;
    }
    char idx[16];
    snprintf(idx, sizeof idx, "%d", n);
    expect_no_device(idx, "device index", d, n);
    expect_no_device("99999999999999999999", "device index", d, n);
    expect_no_device("no-such-device-xyzzy", "no OpenCL device name contains 'no-such-device-xyzzy'",
                     d, n);
    if (first_of(d, n, "gpu") < 0)
        expect_no_device("gpu", "no OpenCL GPU found; devices: ", d, n);
    else
        expect_pick("gpu", &d[first_of(d, n, "gpu")]);
    if (first_of(d, n, "cpu") < 0)
        expect_no_device("cpu", "no OpenCL CPU found; devices: ", d, n);
    assert_int_equal(rt_create("auto", NULL, NULL, NULL), CLCNN_ERR_INVALID_ARG);
    free(d);
}

static void test_smoke_odd_sizes(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    const int sizes[] = {1, 7, 64, 65, 1000003};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        clfx_check_smoke(rt, sizes[i]);
    rt_destroy(rt);
}

static void test_two_contexts(void **state)
{
    (void)state;
    rt_ctx *a = clfx_create();
    if (!a) {
        skip();
        return;
    }
    rt_ctx *b = clfx_create();
    clfx_check_smoke(a, 13);
    clfx_check_smoke(b, 17);
    rt_destroy(a);
    clfx_check_smoke(b, 3); /* b must not depend on anything a owned */
    rt_destroy(b);
}

static void test_program_memo(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    clcnn_err err = {0};
    cl_program p1 = NULL, p2 = NULL, p3 = NULL;
    clfx_check(rt_program(rt, "smoke", NULL, &p1, &err), &err, "smoke");
    clfx_check(rt_program(rt, "smoke", "", &p2, &err), &err, "smoke again");
    clfx_check(rt_program(rt, "smoke", "-DCLCNN_UNUSED=1", &p3, &err), &err, "smoke -D");
    assert_ptr_equal(p1, p2);     /* NULL and "" options are the same build */
    assert_ptr_not_equal(p1, p3); /* options are part of the key */
    size_t len = 0;
    const char *src = rt_kernel_source("smoke", &len);
    assert_non_null(src);
    assert_int_equal(len, strlen(src));
    assert_non_null(strstr(src, "__kernel void axpb"));
    assert_null(rt_kernel_source("no_such_kernel", &len));
    int found = 0;
    for (int i = 0; rt_kernel_name(i); i++)
        found |= !strcmp(rt_kernel_name(i), "smoke");
    assert_true(found);
    assert_null(rt_kernel_name(-1));
    cl_program p = NULL;
    assert_int_equal(rt_program(rt, "no_such_kernel", NULL, &p, &err), CLCNN_ERR_INVALID_ARG);
    assert_non_null(strstr(err.msg, "kernels_cl/no_such_kernel.cl"));
    assert_null(p);
    err_clear(&err);
    rt_destroy(rt);
}

/* rt_program_joined: several files as one program (both files' kernels in
 * it), found again by the same names and options, one build per distinct
 * list; a failed build's first error line names the file and its own line
 * (the #line rt_program_joined puts before each file); bad lists refused. */
static void test_program_joined(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    clcnn_err err = {0};
    const char *two[] = {"smoke", "pool"}, *swapped[] = {"pool", "smoke"};
    cl_program p = NULL, again = NULL, other = NULL, single = NULL;
    clfx_check(rt_program_joined(rt, two, 2, "", &p, &err), &err, "smoke+pool");
    clfx_check(rt_program_joined(rt, two, 2, NULL, &again, &err), &err, "smoke+pool again");
    clfx_check(rt_program_joined(rt, swapped, 2, "", &other, &err), &err, "pool+smoke");
    clfx_check(rt_program(rt, "smoke", NULL, &single, &err), &err, "smoke");
    assert_ptr_equal(p, again);
    assert_ptr_not_equal(p, other);
    assert_ptr_not_equal(p, single);
    const char *kernels[] = {"axpb", "global_pool"};
    for (int i = 0; i < 2; i++) {
        cl_int rc = CL_SUCCESS;
        cl_kernel k = clCreateKernel(p, kernels[i], &rc);
        assert_int_equal(rc, CL_SUCCESS);
        clReleaseKernel(k);
    }
    /* conv_dw.cl's #error for a tile width it has no code for */
    const char *src = rt_kernel_source("conv_dw", NULL);
    const char *hash = strstr(src, "#error");
    assert_non_null(hash);
    int line = 1;
    for (const char *c = src; c < hash; c++)
        line += *c == '\n';
    char want[64];
    snprintf(want, sizeof want, "conv_dw.cl:%d:", line);
    const char *bad[] = {"pool", "conv_dw"};
    cl_program none = NULL;
    assert_int_equal(rt_program_joined(rt, bad, 2, "-DDW_PX=5", &none, &err), CLCNN_ERR_KERNEL_BUILD);
    if (!strstr(err.msg, want))
        fail_msg("want '%s' in: %s", want, err.msg);
    assert_non_null(strstr(err.msg, "kernels_cl/pool.cl+kernels_cl/conv_dw.cl"));
    assert_null(none);
    err_clear(&err);
    const char *unknown[] = {"smoke", "no_such_kernel"};
    assert_int_equal(rt_program_joined(rt, unknown, 2, "", &none, &err), CLCNN_ERR_INVALID_ARG);
    assert_non_null(strstr(err.msg, "kernels_cl/no_such_kernel.cl"));
    err_clear(&err);
    assert_int_equal(rt_program_joined(rt, two, 0, "", &none, &err), CLCNN_ERR_INVALID_ARG);
    err_clear(&err);
    const char *nine[9] = {"smoke", "smoke", "smoke", "smoke", "smoke", "smoke", "smoke", "smoke", "smoke"};
    assert_int_equal(rt_program_joined(rt, nine, 9, "", &none, &err), CLCNN_ERR_INVALID_ARG);
    err_clear(&err);
    assert_null(none);
    rt_destroy(rt);
}

static void test_build_failure(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    static const char bad[] = "__kernel void broken(__global float *x)\n"
                              "{\n    x[0] = clcnn_undeclared_identifier;\n}\n";
    clcnn_err err = {0};
    cl_program p = NULL;
    assert_int_equal(rt_program_from_source(rt, bad, strlen(bad), NULL, &p, &err),
                     CLCNN_ERR_KERNEL_BUILD);
    assert_null(p);
    assert_int_equal(err.status, CLCNN_ERR_KERNEL_BUILD);
    assert_non_null(strstr(err.msg, "failed: CL_BUILD_PROGRAM_FAILURE ("));
    assert_non_null(err.detail);
    assert_non_null(strstr(err.detail, "clcnn_undeclared_identifier"));
    assert_null(strchr(err.msg, '\n')); /* the message stays one line */
    print_message("build failure: %s\n", err.msg);
    /* The same broken source again: still an error, never a cached success. */
    assert_int_equal(rt_program_from_source(rt, bad, strlen(bad), NULL, &p, &err),
                     CLCNN_ERR_KERNEL_BUILD);
    err_clear(&err);
    /* A bad option is also a build failure with a readable name. */
    assert_int_equal(rt_program(rt, "smoke", "-cl-no-such-option-xyz", &p, &err),
                     CLCNN_ERR_KERNEL_BUILD);
    assert_non_null(strstr(err.msg, "building kernels_cl/smoke.cl failed: CL_"));
    print_message("bad option: %s\n", err.msg);
    err_clear(&err);
    rt_destroy(rt);
}

/* Runs a shell command, capturing stdout; returns the exit status. */
static int run_cli(const char *cmd, char *out, size_t cap)
{
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    size_t n = fread(out, 1, cap - 1, f);
    out[n] = '\0';
    int rc = pclose(f);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* `clcnn devices` end to end: table, JSON, usage error, no-platform case. */
static void test_cli_devices(void **state)
{
    (void)state;
    const char *exe = CLCNN_BINARY_DIR "/clcnn";
    if (access(exe, X_OK) != 0) {
        print_message("skipping: %s not built\n", exe);
        skip();
        return;
    }
    int n;
    clcnn_device_info *d = list_devices(&n);
    if (!d) {
        skip();
        return;
    }
    static char out[1 << 16];
    char cmd[1024], want[300];
    snprintf(cmd, sizeof cmd, "'%s' devices", exe);
    assert_int_equal(run_cli(cmd, out, sizeof out), 0);
    for (int i = 0; i < n; i++) {
        snprintf(want, sizeof want, "[%d] %s\n", i, d[i].name);
        assert_non_null(strstr(out, want));
        assert_non_null(strstr(out, d[i].driver_version));
    }
    snprintf(cmd, sizeof cmd, "'%s' devices --json", exe);
    assert_int_equal(run_cli(cmd, out, sizeof out), 0);
    assert_int_equal(out[0], '[');
    for (int i = 0; i < n; i++) {
        snprintf(want, sizeof want, "\"index\": %d,", i);
        assert_non_null(strstr(out, want));
        snprintf(want, sizeof want, "\"max_work_group_size\": %zu,", d[i].max_work_group_size);
        assert_non_null(strstr(out, want));
    }
    snprintf(cmd, sizeof cmd, "'%s' devices --no-such-flag 2>&1", exe);
    assert_int_equal(run_cli(cmd, out, sizeof out), 2);
    assert_non_null(strstr(out, "unknown flag '--no-such-flag'"));
    /* The ICD loader with no vendor files: CL_PLATFORM_NOT_FOUND_KHR -> none. */
    snprintf(cmd, sizeof cmd, "OCL_ICD_VENDORS=/nonexistent-clcnn '%s' devices --json 2>&1", exe);
    assert_int_equal(run_cli(cmd, out, sizeof out), 1);
    assert_non_null(strstr(out, "[]"));
    assert_non_null(strstr(out, "no OpenCL devices found"));
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_names),   cmocka_unit_test(test_devices_list),
        cmocka_unit_test(test_select_ok),     cmocka_unit_test(test_select_errors),
        cmocka_unit_test(test_smoke_odd_sizes), cmocka_unit_test(test_two_contexts),
        cmocka_unit_test(test_program_memo),  cmocka_unit_test(test_program_joined),
        cmocka_unit_test(test_build_failure),
        cmocka_unit_test(test_cli_devices),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
