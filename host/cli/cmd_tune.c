/* cmd_tune.c — placeholder until the command lands; says so and fails. */
#include "cli.h"

int cmd_tune(int argc, char **argv)
{
    (void)argc;
    return cli_error(CLI_FAIL, argv[0], "not implemented yet");
}
