/*
 * signpost: a waiting-room social-needs kiosk.  Everything lives in the
 * library; see src/cli/cli.c for the commands.
 */
#include "signpost/cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
