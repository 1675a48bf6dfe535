/* test_op_registry.c — every op in op_list.h is fully registered: its
 * descriptor (host/ops/<family>.c) has a shape rule, a reference, a sane
 * opset range and an attribute list; the OpenCL table (host/ops_cl/optab_cl.c)
 * has a plan function exactly for the ops whose descriptor says OP_CL_KERNEL;
 * docs/ops.md has a table row naming it; and some test under tests/ names it in
 * quotes; and host/ops/ (definitions and references) includes nothing of
 * OpenCL, which lives a room below in host/ops_cl/. Each failure names the op
 * (or file) and what it lacks; all are listed before the case fails. */
#include <ctype.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/ir.h"
#include "ops/op.h"
#include "ops_cl/op_cl.h"

/* Whole file, NUL-terminated (NULL: unreadable). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long len = ftell(f);
        if (len >= 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)len + 1))) {
            size_t got = fread(buf, 1, (size_t)len, f);
            buf[got] = '\0';
        }
    }
    fclose(f);
    return buf;
}

static int word_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

/* 1 when some line of text starting with '|' holds name as a whole word. */
static int has_table_row(const char *text, const char *name)
{
    const size_t len = strlen(name);
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        if (!end)
            end = line + strlen(line);
        if (*line == '|')
            for (const char *p = line; p + len <= end; p++)
                if (strncmp(p, name, len) == 0 && (p == line || !word_char(p[-1])) &&
                    (p + len == end || !word_char(p[len])))
                    return 1;
        line = *end ? end + 1 : end;
    }
    return 0;
}

/* 1 when text holds name in double or single quotes ("Gather", 'Gather'). */
static int has_quoted(const char *text, const char *name)
{
    char q[2][96];
    snprintf(q[0], sizeof q[0], "\"%s\"", name);
    snprintf(q[1], sizeof q[1], "'%s'", name);
    return strstr(text, q[0]) || strstr(text, q[1]);
}

/* The op tests: tests/py_ops*.py and tests/test_*.c, read once. */
typedef struct test_files {
    char *text[256];
    int n;
} test_files;

static void load_tests(test_files *t)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests", CLCNN_SOURCE_DIR);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    t->n = 0;
    while ((e = readdir(d)) && t->n < 256) {
        const char *s = e->d_name;
        size_t len = strlen(s);
        int py = strncmp(s, "py_ops", 6) == 0 && len > 3 && strcmp(s + len - 3, ".py") == 0;
        int c = strncmp(s, "test_", 5) == 0 && len > 2 && strcmp(s + len - 2, ".c") == 0;
        /* this file names every op itself only through ir_op_name: never counted */
        if ((!py && !c) || strcmp(s, "test_op_registry.c") == 0)
            continue;
        char path[1400];
        snprintf(path, sizeof path, "%s/%s", dir, s);
        if ((t->text[t->n] = slurp(path)))
            t->n++;
    }
    closedir(d);
    assert_true(t->n > 0);
}

static void free_tests(test_files *t)
{
    for (int i = 0; i < t->n; i++)
        free(t->text[i]);
}

/* The checkers themselves: a row or quote that is not there is not found. */
static void test_checkers_can_fail(void **state)
{
    (void)state;
    const char *doc = "Conv in prose\n| ConvTranspose | x |\n| Relu, Clip | y |\n";
    assert_false(has_table_row(doc, "Conv")); /* prose line and a longer word only */
    assert_true(has_table_row(doc, "ConvTranspose"));
    assert_true(has_table_row(doc, "Clip"));
    assert_false(has_table_row(doc, "Cli"));
    assert_true(has_quoted("make(\"Gather\", x)", "Gather"));
    assert_true(has_quoted("op='Gather'", "Gather"));
    assert_false(has_quoted("GatherND and \"Gathers\"", "Gather"));
}

static void test_descriptors_complete(void **state)
{
    (void)state;
    int bad = 0;
    for (int op = 0; op < IR_OP_COUNT; op++) {
        const op_def *d = op_get((ir_op)op);
        const char *name = ir_op_name((ir_op)op);
        if (!d) {
            print_error("op %s: no descriptor\n", name);
            bad++;
            continue;
        }
        if (!d->infer)
            print_error("op %s: no shape rule (infer)\n", name), bad++;
        if (!d->ref)
            print_error("op %s: no reference (ref)\n", name), bad++;
        if (d->opset_min < 1 || d->opset_min > d->opset_max || d->opset_max > OP_OPSET_LATEST)
            print_error("op %s: opset range %d..%d (must be 1 <= min <= max <= %d)\n", name,
                        d->opset_min, d->opset_max, OP_OPSET_LATEST), bad++;
        if (!d->attrs) {
            print_error("op %s: no attribute list (OP_NO_ATTRS when it has none)\n", name);
            bad++;
        } else {
            for (const op_attr_spec *a = d->attrs; a->name; a++) {
                if ((int)a->type < (int)OP_A_INT || (int)a->type > (int)OP_A_TENSOR)
                    print_error("op %s: attribute %s has type %d\n", name, a->name, (int)a->type), bad++;
                for (const op_attr_spec *b = a + 1; b->name; b++)
                    if (strcmp(a->name, b->name) == 0)
                        print_error("op %s: attribute %s listed twice\n", name, a->name), bad++;
            }
        }
        if ((int)d->cl < (int)OP_CL_KERNEL || (int)d->cl > (int)OP_CL_REF_ONLY)
            print_error("op %s: cl kind %d\n", name, (int)d->cl), bad++;
        if (d->fold != OP_FOLD_CONST && d->fold != OP_FOLD_NEVER)
            print_error("op %s: fold kind %d\n", name, (int)d->fold), bad++;
    }
    assert_int_equal(bad, 0);
}

static void test_opencl_table_matches(void **state)
{
    (void)state;
    int bad = 0;
    for (int op = 0; op < IR_OP_COUNT; op++) {
        const op_def *d = op_get((ir_op)op);
        const char *name = ir_op_name((ir_op)op);
        const int has_fn = opcl_get((ir_op)op) != NULL;
        if (d->cl == OP_CL_KERNEL && !has_fn)
            print_error("op %s: descriptor says OP_CL_KERNEL but optab_cl.c has no plan function\n",
                        name), bad++;
        if (d->cl != OP_CL_KERNEL && has_fn)
            print_error("op %s: optab_cl.c has a plan function but the descriptor says kind %d\n",
                        name, (int)d->cl), bad++;
        if (opcl_is_alias((ir_op)op) != (d->cl == OP_CL_ALIAS))
            print_error("op %s: opcl_is_alias disagrees with the descriptor\n", name), bad++;
    }
    assert_int_equal(bad, 0);
}

static void test_docs_row_per_op(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/docs/ops.md", CLCNN_SOURCE_DIR);
    char *doc = slurp(path);
    assert_non_null(doc);
    int bad = 0;
    for (int op = 0; op < IR_OP_COUNT; op++)
        if (!has_table_row(doc, ir_op_name((ir_op)op)))
            print_error("op %s: no table row in docs/ops.md names it\n", ir_op_name((ir_op)op)),
                bad++;
    free(doc);
    assert_int_equal(bad, 0);
}

static void test_test_case_per_op(void **state)
{
    (void)state;
    test_files t;
    load_tests(&t);
    int bad = 0;
    for (int op = 0; op < IR_OP_COUNT; op++) {
        const char *name = ir_op_name((ir_op)op);
        int found = 0;
        for (int i = 0; i < t.n && !found; i++)
            found = has_quoted(t.text[i], name);
        if (!found)
            print_error("op %s: no tests/py_ops*.py or tests/test_*.c names \"%s\"\n", name, name),
                bad++;
    }
    free_tests(&t);
    assert_int_equal(bad, 0);
}

/* host/ops/ is the backend-free room: no OpenCL header, directly or through
 * the runtime or the OpenCL launches. */
static void test_ops_room_has_no_opencl(void **state)
{
    (void)state;
    static const char *const banned[] = {"CL/", "OpenCL/", "ops_cl/", "runtime/", "plan/", "exec/"};
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/host/ops", CLCNN_SOURCE_DIR);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int files = 0, bad = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 3 || (strcmp(e->d_name + len - 2, ".c") != 0 && strcmp(e->d_name + len - 2, ".h") != 0))
            continue;
        char path[1400];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        char *text = slurp(path);
        assert_non_null(text);
        files++;
        for (const char *p = strstr(text, "#include"); p; p = strstr(p + 1, "#include")) {
            const char *end = strchr(p, '\n');
            for (size_t b = 0; b < sizeof banned / sizeof banned[0]; b++) {
                const char *hit = strstr(p, banned[b]);
                if (hit && (!end || hit < end))
                    print_error("host/ops/%s: %.*s\n", e->d_name,
                                (int)(end ? end - p : (ptrdiff_t)strlen(p)), p), bad++;
            }
        }
        free(text);
    }
    closedir(d);
    assert_true(files > 10);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checkers_can_fail),
        cmocka_unit_test(test_descriptors_complete),
        cmocka_unit_test(test_opencl_table_matches),
        cmocka_unit_test(test_docs_row_per_op),
        cmocka_unit_test(test_test_case_per_op),
        cmocka_unit_test(test_ops_room_has_no_opencl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
