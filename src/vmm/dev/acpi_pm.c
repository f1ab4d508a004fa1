/* acpi_pm.c - PM1a status/enable/control registers (ACPI spec 4.8.3). */
#include "acpi_pm.h"

#include <string.h>

#include "vmm/x86/acpi.h"

#define PM1_PWRBTN	   (1u << 8)
#define PM1_CNT_SCI_EN	   1u
#define PM1_CNT_SLP_EN	   (1u << 13)
#define PM1_CNT_SLP_TYP(v) (((v) >> 10) & 7u)

void acpi_pm_init(struct acpi_pm *pm, struct machine *machine, unsigned sci)
{
	memset(pm, 0, sizeof(*pm));
	pthread_mutex_init(&pm->lock, NULL);
	pm->machine = machine;
	pm->sci = sci;
}

void acpi_pm_reset(struct acpi_pm *pm)
{
	pthread_mutex_lock(&pm->lock);
	pm->sts = pm->en = pm->cnt = 0;
	pm->sci_level = 0;
	pthread_mutex_unlock(&pm->lock);
}

/* Called with the lock held. */
static void acpi_pm_update_sci(struct acpi_pm *pm)
{
	int level = (pm->sts & pm->en & PM1_PWRBTN) != 0;

	if (level != pm->sci_level) {
		pm->sci_level = level;
		pm->machine->set_irq(pm->machine, pm->sci, level);
	}
}

static uint16_t acpi_pm_get(const struct acpi_pm *pm, unsigned reg)
{
	switch (reg) {
	case 0:
		return pm->sts;
	case 1:
		return pm->en;
	default:
		return pm->cnt | PM1_CNT_SCI_EN; /* always in ACPI mode */
	}
}

/* Returns true when the write asks for power-off. */
static bool acpi_pm_set(struct acpi_pm *pm, unsigned reg, uint16_t v, uint16_t mask)
{
	switch (reg) {
	case 0:
		pm->sts &= ~(v & mask); /* write 1 to clear */
		return false;
	case 1:
		pm->en = (pm->en & ~mask) | (v & mask);
		return false;
	default:
		v = (pm->cnt & ~mask) | (v & mask);
		pm->cnt = v & ~PM1_CNT_SLP_EN;
		return (v & PM1_CNT_SLP_EN) && PM1_CNT_SLP_TYP(v) == ACPI_S5_TYPE;
	}
}

void acpi_pm_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct acpi_pm *pm = opaque;
	bool poweroff = false;
	uint32_t i;

	pthread_mutex_lock(&pm->lock);
	for (i = 0; i < len; i++) {
		uint64_t byte = offset + i;
		unsigned reg = (unsigned)(byte / 2), shift = (unsigned)(byte % 2) * 8;

		if (byte >= ACPI_PM_PORTS) {
			if (!is_write)
				data[i] = 0xff;
			continue;
		}
		if (is_write)
			poweroff |= acpi_pm_set(pm, reg, (uint16_t)(data[i] << shift),
						(uint16_t)(0xff << shift));
		else
			data[i] = (uint8_t)(acpi_pm_get(pm, reg) >> shift);
	}
	acpi_pm_update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
	if (poweroff)
		pm->machine->request(pm->machine, MACHINE_POWEROFF);
}

void acpi_pm_power_button(struct acpi_pm *pm)
{
	pthread_mutex_lock(&pm->lock);
	pm->sts |= PM1_PWRBTN;
	acpi_pm_update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
}
