/* fuzz_qemu_img_json - what qemu-img info and check say of a customer's qcow2 (JSON that
 * carries the image's own strings), judged as berthd judges it before a conversion. Nothing may
 * crash, leak or read out of bounds; an image passed has a virtual size. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "daemon/images/qemu_img_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct berth_error err = { 0 };
	uint64_t vsize = 1;

	if (qemu_img_info_judge((const char *)data, size, "fuzz.qcow2", &vsize, &err) == 0 &&
	    vsize == 0)
		abort();
	qemu_img_check_judge((const char *)data, size, "fuzz.qcow2", &err);
	return 0;
}
