/* cmd_host.c - what the host offers: `host` (capacity, reserved, free) and `plan list`. */
#include "cli/commands.h"
#include "cli/render.h"

int cmd_host(int argc, char **argv, struct plan *p, struct berth_error *err)
{
	return plan_get("host", "/1.0/host", render_host, argc, argv, p, err);
}

int cmd_plan_list(int argc, char **argv, struct plan *p, struct berth_error *err)
{
	return plan_get("plan list", "/1.0/plans", render_plans, argc, argv, p, err);
}
