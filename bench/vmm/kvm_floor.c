/* kvm_floor.c - the least any VMM with KVM's in-kernel interrupt controllers does on this
 * host: open /dev/kvm, create a VM, its irqchip, a 64 MiB memory slot and one vCPU, then
 * exit. bench/vmm/run times it beside berth-vmm as the floor the host's kernel sets.
 *
 * Since Linux 6.18, KVM_CREATE_IRQCHIP frees the I/O buses it replaces after an SRCU grace
 * period (call_srcu), and the next memory-slot change waits for that grace period (about
 * 6.5 ms at HZ=250); set the slot first and closing the VM waits instead. */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#define MEM (64UL << 20)

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int vm = kvm < 0 ? -1 : ioctl(kvm, KVM_CREATE_VM, 0);
	void *ram = mmap(NULL, MEM, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	struct kvm_userspace_memory_region slot = {
		.memory_size = MEM,
		.userspace_addr = (unsigned long)ram,
	};

	if (vm < 0 || ram == MAP_FAILED || ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0 ||
	    ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0 || ioctl(vm, KVM_CREATE_VCPU, 0) < 0) {
		perror("kvm_floor");
		return 1;
	}
	return 0;
}
