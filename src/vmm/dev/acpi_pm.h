/* acpi_pm.h - the ACPI PM1a event and control registers: power-off and the power button.
 *
 * The guest powers off by writing SLP_TYP(S5)|SLP_EN to PM1a_CNT. The host presses the
 * power button by setting PWRBTN_STS, which raises the SCI while the guest enables it. */
#ifndef BERTH_VMM_DEV_ACPI_PM_H
#define BERTH_VMM_DEV_ACPI_PM_H

#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>

#include "vmm/dev/machine.h"

#define ACPI_PM_PORTS 6 /* PM1_STS, PM1_EN, PM1_CNT: 16 bits each */

struct acpi_pm {
	pthread_mutex_t lock;
	struct machine *machine;
	unsigned sci;
	uint16_t sts, en, cnt;
	int sci_level;
};

/* Set up the PM block raising its SCI on gsi sci. */
void acpi_pm_init(struct acpi_pm *pm, struct machine *machine, unsigned sci);

/* Back to power-on state (on guest reset). */
void acpi_pm_reset(struct acpi_pm *pm);

/* Bus handler for the 6 ports of the PM1a blocks. */
void acpi_pm_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

/* Press the power button: the guest's ACPI driver sees a power-button event. */
void acpi_pm_power_button(struct acpi_pm *pm);

#endif
