/* vm.c - the VM's lifecycle: set up once, boot (again after each guest reset), run, tear down.
 *
 * The main thread runs the event loop (console input, signals, stop requests); each vCPU
 * runs on its own thread. A guest reset tears the KVM VM down and builds a fresh one on
 * the same guest RAM (cleared), so nothing of the old boot survives except the console. */
#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "api/server.h"
#include "boot/firmware.h"
#include "boot/linux.h"
#include "bus.h"
#include "console.h"
#include "dev/acpi_pm.h"
#include "dev/bochs_display.h"
#include "dev/cmos.h"
#include "dev/debug_port.h"
#include "dev/fw_cfg.h"
#include "dev/i8042.h"
#include "dev/keymap.h"
#include "dev/pm_timer.h"
#include "dev/port92.h"
#include "dev/pvpanic.h"
#include "dev/uart.h"
#include "loop.h"
#include "memory.h"
#include "msi.h"
#include "pci/pci.h"
#include "vmm/seccomp/seccomp.h"
#include "vcpu.h"
#include "virtio/devices.h"
#include "virtio/input.h"
#include "x86/cpu.h"
#include "x86/layout.h"
#include "vnc/server.h"

#define KVM_TSS_ADDR   0xFFFBD000ULL
#define KVM_IDMAP_ADDR 0xFFFBC000ULL
/* KVM memory slots: RAM takes 0 and 1, the firmware ROM the next; the framebuffer this one. */
#define VM_SLOT_DISPLAY 3
/* The mode a directly booted kernel finds the display in. */
#define VM_SCREEN_WIDTH	 1024
#define VM_SCREEN_HEIGHT 768

struct vm {
	const struct vm_config *cfg;
	struct machine machine;
	struct vcpu_host host;
	int kvm_fd, vm_fd;
	size_t run_size;
	struct kvm_cpuid2 *cpuid;
	struct guest_mem mem;
	struct bus pio, mmio;
	struct uart uart;
	struct acpi_pm pm;
	struct i8042 i8042;
	struct pci_bus pci;
	struct msi_router msi;
	struct vm_virtio virtio;
	struct linux_boot boot; /* direct boot */
	struct firmware rom;	/* boot by firmware: the ROM and the machine it expects */
	struct fw_cfg fw_cfg;
	struct cmos cmos;
	struct debug_port debug;
	struct port92 port92;
	struct bochs_display display; /* --display */
	struct vnc_server vnc;	      /* --vnc */
	bool pit; /* KVM's PIT: for firmware and for kernels that are not Linux */
	struct vcpu *vcpus;
	struct loop loop;
	struct console console;
	struct loop_source stop_src, sig_src;
	pthread_mutex_t stop_lock;
	enum vm_stop stop;
	char stop_msg[512];
	unsigned sigterms;
	struct api_server api;
	struct kvm_clock_data clock; /* the guest's kvmclock while paused, when clock_saved */
	bool clock_saved;
	unsigned reboots;
	struct timespec started;
};

#define vm_of(ptr, member) ((struct vm *)((char *)(ptr)-offsetof(struct vm, member)))

static void vm_set_irq(struct machine *m, unsigned gsi, int level)
{
	struct vm *vm = vm_of(m, machine);
	struct kvm_irq_level irq = { .irq = gsi, .level = (uint32_t)level };

	ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq);
}

/* A stop that resets the machine: the guest's reset request, or a triple fault, on which a PC's
 * chipset resets the CPU (OSes reboot by it, on purpose or as their last resort). */
static bool vm_stop_resets(enum vm_stop why)
{
	return why == VM_RESET || why == VM_TRIPLE_FAULT;
}

static void vm_request_stop(struct vm *vm, enum vm_stop why, const char *msg)
{
	uint64_t one = 1;

	pthread_mutex_lock(&vm->stop_lock);
	/* The first reason wins, except that a stop the user asked for (a second signal, the
	 * console escape) overrides a guest reset still pending: it must not be lost to the reboot.
	 */
	if (vm->stop == VM_RUNNING ||
	    (vm_stop_resets(vm->stop) && (why == VM_KILLED || why == VM_QUIT))) {
		vm->stop = why;
		snprintf(vm->stop_msg, sizeof(vm->stop_msg), "%s", msg ? msg : "");
		if (write(vm->stop_src.fd, &one, sizeof(one)) < 0)
			perror("berth-vmm: eventfd");
	}
	pthread_mutex_unlock(&vm->stop_lock);
}

static void vm_host_stop(struct vcpu_host *h, enum vm_stop why, const char *msg)
{
	vm_request_stop(vm_of(h, host), why, msg);
}

static void vm_machine_request(struct machine *m, enum machine_request req)
{
	static const enum vm_stop map[] = {
		[MACHINE_POWEROFF] = VM_POWEROFF,
		[MACHINE_RESET] = VM_RESET,
		[MACHINE_PANIC] = VM_PANIC,
	};

	vm_request_stop(vm_of(m, machine), map[req], NULL);
}

static void vm_on_stop(struct loop_source *src, uint32_t events)
{
	struct vm *vm = src->opaque;
	uint64_t n;

	(void)events;
	if (read(src->fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		perror("berth-vmm: eventfd");
	vm->loop.stop = true;
}

static void vm_press_button(struct vm *vm)
{
	acpi_pm_power_button(&vm->pm);
	api_server_event(&vm->api, "shutting-down", NULL);
}

static void vm_on_signal(struct loop_source *src, uint32_t events)
{
	struct vm *vm = src->opaque;
	struct signalfd_siginfo si;

	(void)events;
	if (read(src->fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (vm->sigterms++ == 0) {
		fprintf(stderr,
			"berth-vmm: %s: pressed the guest's power button (send it again to stop "
			"the VM at once)\n",
			strsignal((int)si.ssi_signo));
		vm_press_button(vm);
	} else {
		vm_request_stop(vm, VM_KILLED, "stopped by a second signal");
	}
}

static void vm_on_quit(void *opaque)
{
	vm_request_stop(opaque, VM_QUIT, NULL);
}

static bool kvm_is_pvm(void)
{
	return access("/sys/module/kvm_pvm", F_OK) == 0;
}

/* kvm_pvm runs hand-made guests but emulates a stock Linux kernel for about a minute before
 * an emulation failure stops it: say so before it starts, without refusing to try. */
static void vm_warn_pvm(const struct vm *vm)
{
	const char *version = linux_boot_version(&vm->boot);

	if (vm->host.kvm_is_pvm && version[0])
		fprintf(
		    stderr,
		    "berth-vmm: warning: this host's /dev/kvm is kvm_pvm, without hardware "
		    "virtualisation (no VT-x/AMD-V): Linux %s will likely be emulated for about a "
		    "minute and then stop; run it in the test rig: tests/rig/run -- berth-vmm "
		    "...\n",
		    version);
}

static int vm_open_kvm(struct vm *vm, struct berth_error *err)
{
	int n;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		if (errno == ENOENT)
			return berr(err, 0,
				    "/dev/kvm does not exist: this host has no KVM (load kvm_intel "
				    "or kvm_amd)");
		return berr(err, errno, "cannot open /dev/kvm%s",
			    errno == EACCES ? " (join the kvm group)" : "");
	}
	if (ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		return berr(err, 0, "/dev/kvm speaks an unsupported API version");
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP) <= 0 ||
	    ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0)
		return berr(err, 0,
			    "this host's KVM lacks the in-kernel irqchip or immediate exit");
	n = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (n > 0 && vm->cfg->cpus > (unsigned)n)
		return berr(err, 0, "--cpus %u is more than this host's KVM allows (%d)",
			    vm->cfg->cpus, n);
	n = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (n <= 0)
		return berr(err, errno, "KVM_GET_VCPU_MMAP_SIZE");
	vm->run_size = (size_t)n;
	vm->host.kvm_is_pvm = kvm_is_pvm();
	vm->cpuid = cpu_guest_cpuid(vm->kvm_fd, err);
	return vm->cpuid ? 0 : -1;
}

/* What the firmware's machine has beyond direct boot's: fw_cfg, the CMOS clock, its log
 * port, port 0x92 and the PM timer (and KVM's PIT, made with the VM). */
static int vm_add_firmware_devices(struct vm *vm, struct berth_error *err)
{
	vm->port92.machine = &vm->machine;
	cmos_init(&vm->cmos, gm_low_size(&vm->mem), vm->mem.size - gm_low_size(&vm->mem),
		  vm->cfg->cpus);
	if (debug_port_open(&vm->debug, vm->cfg->firmware_log, err) ||
	    fw_cfg_init(&vm->fw_cfg, &vm->mem, err) ||
	    firmware_fw_cfg(&vm->fw_cfg, &vm->mem, vm->cfg->cpus, vm->cfg->display, err))
		return -1;
	return bus_register(&vm->pio, FW_CFG_PORT, FW_CFG_PORTS, fw_cfg_io, &vm->fw_cfg, err) ||
		       bus_register(&vm->pio, CMOS_PORT, CMOS_PORTS, cmos_io, &vm->cmos, err) ||
		       bus_register(&vm->pio, DEBUG_PORT, 1, debug_port_io, &vm->debug, err) ||
		       bus_register(&vm->pio, PORT92, 1, port92_io, &vm->port92, err) ||
		       bus_register(&vm->pio, PORT_ACPI_PM + 8, PM_TIMER_PORTS, pm_timer_io, NULL,
				    err)
		   ? -1
		   : 0;
}

static int vm_add_devices(struct vm *vm, struct berth_error *err)
{
	bus_init(&vm->pio, "port");
	bus_init(&vm->mmio, "mmio");
	uart_init(&vm->uart, &vm->machine, IRQ_COM1, &vm->console.line);
	acpi_pm_init(&vm->pm, &vm->machine, IRQ_SCI);
	pci_bus_init(&vm->pci, &vm->machine);
	i8042_init(&vm->i8042, &vm->machine, vm->cfg->display); /* a keyboard for the screen */
	if (bus_register(&vm->pio, PORT_COM1, 8, uart_io, &vm->uart, err) ||
	    bus_register(&vm->pio, PORT_I8042, 5, i8042_io, &vm->i8042, err) ||
	    bus_register(&vm->pio, PORT_ACPI_PM, ACPI_PM_PORTS, acpi_pm_io, &vm->pm, err) ||
	    bus_register(&vm->pio, PORT_PVPANIC, 1, pvpanic_io, &vm->machine, err) ||
	    pci_bus_register(&vm->pci, &vm->pio, &vm->mmio, err))
		return -1;
	return vm->cfg->firmware ? vm_add_firmware_devices(vm, err) : 0;
}

static int vm_watch_signals(struct vm *vm, struct berth_error *err)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/* Blocked before any vCPU thread exists, so every thread inherits the mask. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	vm->sig_src = (struct loop_source){ .fd = signalfd(-1, &set, SFD_CLOEXEC),
					    .fn = vm_on_signal,
					    .opaque = vm };
	if (vm->sig_src.fd < 0)
		return berr(err, errno, "signalfd");
	vm->stop_src = (struct loop_source){ .fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK),
					     .fn = vm_on_stop,
					     .opaque = vm };
	if (vm->stop_src.fd < 0)
		return berr(err, errno, "eventfd");
	vcpu_install_kick_handler();
	signal(SIGPIPE, SIG_IGN); /* a console reader that goes away must not kill the VM */
	return loop_add(&vm->loop, &vm->sig_src, err) || loop_add(&vm->loop, &vm->stop_src, err)
		   ? -1
		   : 0;
}

/* The API socket's commands (src/vmm/api, docs/api-sock.md). */
static void vm_api_status(void *opaque, struct api_status *st)
{
	struct vm *vm = opaque;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	st->state = vcpus_paused(&vm->host) ? "paused" : vm->sigterms ? "shutting-down" : "running";
	st->cpus = vm->cfg->cpus;
	st->mem = vm->cfg->mem;
	st->uptime =
	    (double)(now.tv_sec - vm->started.tv_sec) + (now.tv_nsec - vm->started.tv_nsec) / 1e9;
	st->reboots = vm->reboots;
	st->kernel = vm->cfg->kernel;
}

/* Keep the guest's kvmclock, so that paused time does not count as guest time. */
static void vm_save_clock(struct vm *vm)
{
	vm->clock_saved = ioctl(vm->vm_fd, KVM_GET_CLOCK, &vm->clock) == 0;
	if (!vm->clock_saved)
		perror("berth-vmm: KVM_GET_CLOCK (the guest's clock will jump by the pause)");
}

static int vm_api_pause(void *opaque, struct berth_error *err)
{
	struct vm *vm = opaque;
	int r = vcpus_pause(&vm->host, vm->vcpus, vm->cfg->cpus, 1000, err);

	if (r > 0)
		vm_save_clock(vm);
	return r;
}

static int vm_api_resume(void *opaque, struct berth_error *err)
{
	struct vm *vm = opaque;

	(void)err;
	if (vcpus_paused(&vm->host) && vm->clock_saved) {
		vm->clock.flags = 0; /* exactly the saved value: no KVM_CLOCK_REALTIME catch-up */
		if (ioctl(vm->vm_fd, KVM_SET_CLOCK, &vm->clock) < 0)
			perror("berth-vmm: KVM_SET_CLOCK (the guest's clock jumps by the pause)");
	}
	vm->clock_saved = false;
	return vcpus_resume(&vm->host);
}

static void vm_api_shutdown(void *opaque)
{
	struct vm *vm = opaque;

	fprintf(stderr, "berth-vmm: API: pressed the guest's power button\n");
	vm->sigterms += !vm->sigterms; /* like a first SIGTERM: the next one stops the VM */
	vm_press_button(vm);
}

static void vm_api_stop(void *opaque)
{
	vm_request_stop(opaque, VM_KILLED, "stopped through the API socket");
}

static int vm_api_disk_resize(void *opaque, unsigned disk, uint64_t *old, uint64_t *now,
			      struct berth_error *err)
{
	struct vm *vm = opaque;
	int r = vm_virtio_grow_disk(&vm->virtio, vm->cfg->ndisks, disk, old, now, err);

	if (r == 0 && *now != *old)
		fprintf(stderr, "berth-vmm: API: disk %u grew from %llu to %llu bytes\n", disk,
			(unsigned long long)*old, (unsigned long long)*now);
	return r;
}

static int vm_api_screen(void *opaque, struct screen *s, struct berth_error *err)
{
	struct vm *vm = opaque;

	if (!vm->cfg->display)
		return berr(err, 0, "this VM has no display (start berth-vmm with --display)");
	if (bochs_display_snapshot(&vm->display, s) < 0)
		return berr(err, ENOMEM, "screendump: a copy of the screen");
	return 0;
}

static const struct api_ops vm_api_ops = {
	.status = vm_api_status,
	.pause = vm_api_pause,
	.resume = vm_api_resume,
	.shutdown = vm_api_shutdown,
	.stop = vm_api_stop,
	.disk_resize = vm_api_disk_resize,
	.screen = vm_api_screen,
};

/* A key from a VNC client: its scan code, or the US key of its keysym. */
static bool vm_vnc_key(void *opaque, uint32_t keysym, uint32_t keycode, bool down)
{
	struct vm *vm = opaque;

	return i8042_key(&vm->i8042, keycode ? keycode : keymap_xt(keysym), down);
}

/* The keyboard has room for a key a VNC client was held by (from a vCPU thread). */
static void vm_keyboard_room(void *opaque)
{
	vnc_server_room(opaque);
}

/* The pointer of a VNC client: to the tablet. */
static void vm_vnc_pointer(void *opaque, uint32_t x, uint32_t y, uint32_t width, uint32_t height,
			   uint8_t buttons)
{
	struct vm *vm = opaque;

	virtio_input_pointer(vm->virtio.tablet, x, y, width, height, buttons);
}

/* With firmware, the display brings SeaBIOS's ROM for it, which puts the firmware's and the
 * boot loader's text on the screen; Linux needs none. */
static int vm_add_display(struct vm *vm, struct berth_error *err)
{
	uint8_t *rom = NULL;
	uint32_t rom_len = 0;

	if ((vm->cfg->firmware &&
	     firmware_read_option_rom(BOCHS_DISPLAY_ROM, &rom, &rom_len, err)) ||
	    bochs_display_init(&vm->display, BOCHS_DISPLAY_FB_SIZE, rom, rom_len, &vm->loop, err) ||
	    pci_bus_add(&vm->pci, &vm->display.pci, err))
		return berr_wrap(err, "--display");
	if (vm->cfg->vnc &&
	    vnc_server_open(&vm->vnc, vm->cfg->vnc, &vm->loop, &vm->display,
			    &(struct vnc_input){ vm_vnc_key, vm_vnc_pointer, vm }, err))
		return -1;
	if (vm->cfg->vnc) {
		vm->i8042.room = vm_keyboard_room;
		vm->i8042.room_opaque = &vm->vnc;
	}
	return 0;
}

/* Everything that lives across guest reboots. */
static int vm_setup(struct vm *vm, struct berth_error *err)
{
	msi_router_init(&vm->msi);
	if (vm->cfg->firmware ? firmware_open(&vm->rom, vm->cfg->firmware, err)
			      : linux_boot_open(&vm->boot, vm->cfg->kernel, vm->cfg->initrd,
						vm->cfg->cmdline, err))
		return -1;
	/* Linux keeps time without the PIT; firmware and other kernels (memtest86+) need it. */
	vm->pit = vm->cfg->firmware || !linux_boot_version(&vm->boot)[0];
	if (vm_open_kvm(vm, err) || gm_init(&vm->mem, vm->cfg->mem, err) ||
	    (vm->cfg->prealloc && gm_prealloc(&vm->mem, err)) ||
	    console_open(&vm->console, vm->cfg, err) || vm_add_devices(vm, err) ||
	    loop_init(&vm->loop, err) || vm_watch_signals(vm, err) ||
	    /* Before any device starts a thread: the socket is made under a temporary umask. */
	    (vm->cfg->api_sock &&
	     api_server_open(&vm->api, vm->cfg->api_sock, &vm->loop, &vm_api_ops, vm, err)) ||
	    vm_virtio_create(&vm->virtio, vm->cfg, &vm->mem, &vm->pci, &vm->msi, &vm->loop, err))
		return -1;
	/* After the virtio devices: the firmware's boot order names the first disk's slot. */
	if (vm->cfg->display && vm_add_display(vm, err))
		return -1;
	vm->vcpus = calloc(vm->cfg->cpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return berr(err, ENOMEM, "vCPU table");
	return console_attach(&vm->console, &vm->loop, &vm->uart, vm_on_quit, vm, err);
}

static int vm_map_memory(struct vm *vm, struct berth_error *err)
{
	unsigned i;

	for (i = 0; i < vm->mem.nregions; i++) {
		struct kvm_userspace_memory_region r = {
			.slot = i,
			.guest_phys_addr = vm->mem.regions[i].gpa,
			.memory_size = vm->mem.regions[i].size,
			.userspace_addr = (uintptr_t)vm->mem.regions[i].host,
		};

		if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
			return berr(err, errno, "cannot give guest RAM to KVM");
	}
	return 0;
}

/* Guest memory and the first instruction: the kernel at its entry point, or the firmware
 * at the reset vector (where KVM puts a new vCPU). */
static int vm_load(struct vm *vm, struct berth_error *err)
{
	struct boot_screen screen = { 0 };
	uint64_t entry;

	if (vm->cfg->firmware)
		return firmware_map(&vm->rom, vm->vm_fd, vm->mem.nregions, &vm->mem, err);
	if (vm->cfg->display) { /* no firmware to set a mode: berth-vmm does, as QEMU's -kernel */
		screen = (struct boot_screen){ .width = VM_SCREEN_WIDTH,
					       .height = VM_SCREEN_HEIGHT,
					       .stride = VM_SCREEN_WIDTH * 4 };
		bochs_display_preset(&vm->display, VM_SCREEN_WIDTH, VM_SCREEN_HEIGHT, &screen.base);
	}
	if (linux_boot_load(&vm->boot, &vm->mem, vm->cfg->cpus, vm->cfg->display ? &screen : NULL,
			    &entry, err))
		return -1;
	return linux_boot_regs(&vm->boot, vm->vcpus[0].fd, entry, err);
}

/* One boot: a fresh KVM VM with its vCPUs running the kernel from its entry point, or the
 * firmware from its reset vector.
 * The PIT is made only where needed (vm->pit): Linux on KVM keeps time with kvmclock and the
 * TSC-deadline LAPIC timer (kvmclock also turns off the IO-APIC timer check), and KVM's PIT
 * costs a kernel thread whose teardown alone took 14 ms of every VM's exit. */
static int vm_boot(struct vm *vm, struct berth_error *err)
{
	unsigned i;

	vm->stop = VM_RUNNING;
	uart_reset(&vm->uart);
	acpi_pm_reset(&vm->pm);
	i8042_reset(&vm->i8042);
	pci_bus_reset(&vm->pci);
	if (vm->cfg->firmware) {
		fw_cfg_reset(&vm->fw_cfg);
		cmos_reset(&vm->cmos);
		debug_port_reset(&vm->debug);
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return berr(err, errno, "cannot create a KVM VM");
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR) < 0 ||
	    ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &(uint64_t){ KVM_IDMAP_ADDR }) < 0)
		return berr(err, errno, "cannot reserve KVM's TSS pages");
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return berr(err, errno, "cannot create the in-kernel interrupt controllers");
	/* KVM_PIT_SPEAKER_DUMMY: KVM also models port 0x61, whose bit 5 (channel 2's output)
	 * firmware and memtest86+ time the TSC with; without it 0x61 would reach berth-vmm. */
	if (vm->pit && ioctl(vm->vm_fd, KVM_CREATE_PIT2,
			     &(struct kvm_pit_config){ .flags = KVM_PIT_SPEAKER_DUMMY }) < 0)
		return berr(err, errno, "cannot create the in-kernel PIT");
	/* No reinjection of missed ticks: in reinject mode a tick waits for the guest's
	 * acknowledgement of the last one, and SeaBIOS's serial console (flushed on the timer
	 * tick) was seen to stop for good when one was lost. */
	if (vm->pit &&
	    ioctl(vm->vm_fd, KVM_REINJECT_CONTROL, &(struct kvm_reinject_control){ 0 }) < 0)
		return berr(err, errno, "cannot set the PIT's reinjection");
	if (msi_attach(&vm->msi, vm->vm_fd, err) || vm_virtio_attach(&vm->virtio, vm->vm_fd, err))
		return -1;
	if (vm_map_memory(vm, err))
		return -1;
	if (vm->cfg->display)
		bochs_display_attach(&vm->display, vm->vm_fd, VM_SLOT_DISPLAY);
	for (i = 0; i < vm->cfg->cpus; i++) {
		if (vcpu_create(&vm->vcpus[i], &vm->host, vm->vm_fd, i, vm->run_size, err) ||
		    cpu_init(vm->vcpus[i].fd, i, vm->cpuid, err))
			return -1;
	}
	if (vm_load(vm, err))
		return -1;
	for (i = 0; i < vm->cfg->cpus; i++)
		if (vcpu_start(&vm->vcpus[i], err))
			return -1;
	vm->clock_saved = false;
	if (vcpus_paused(&vm->host)) /* reset while paused: this boot starts paused */
		vm_save_clock(vm);
	return 0;
}

static void vm_shutdown_boot(struct vm *vm)
{
	unsigned i;

	for (i = 0; i < vm->cfg->cpus; i++)
		vcpu_stop(&vm->vcpus[i]);
	for (i = 0; i < vm->cfg->cpus; i++)
		vcpu_destroy(&vm->vcpus[i]);
	/* Devices stop before the VM whose memory their in-flight work may still write. */
	vm_virtio_detach(&vm->virtio);
	msi_attach(&vm->msi, -1, NULL);
	if (vm->cfg->display)
		bochs_display_detach(&vm->display);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	vm->vm_fd = -1;
}

static void vm_teardown(struct vm *vm)
{
	vm_virtio_destroy(&vm->virtio);
	msi_router_destroy(&vm->msi);
	console_close(&vm->console);
	api_server_close(&vm->api);
	vnc_server_close(&vm->vnc);
	loop_destroy(&vm->loop);
	if (vm->sig_src.fd >= 0)
		close(vm->sig_src.fd);
	if (vm->stop_src.fd >= 0)
		close(vm->stop_src.fd);
	gm_destroy(&vm->mem);
	if (vm->cfg->display)
		bochs_display_destroy(&vm->display);
	pci_bus_destroy(&vm->pci);
	linux_boot_close(&vm->boot);
	if (vm->cfg->firmware) {
		firmware_close(&vm->rom);
		fw_cfg_destroy(&vm->fw_cfg);
		debug_port_close(&vm->debug);
	}
	free(vm->cpuid);
	free(vm->vcpus);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
}

/* The exit status for how the VM stopped, with a line on stderr when it was not a clean end. */
static int vm_outcome(const struct vm *vm)
{
	switch (vm->stop) {
	case VM_POWEROFF:
	case VM_QUIT:
		return VM_EXIT_OK;
	case VM_RESET:
		fprintf(stderr, "berth-vmm: the guest rebooted; exiting (--no-reboot)\n");
		return VM_EXIT_OK;
	case VM_PANIC:
		fprintf(stderr, "berth-vmm: the guest kernel panicked\n");
		return VM_EXIT_GUEST;
	case VM_KILLED:
		fprintf(stderr, "berth-vmm: %s\n", vm->stop_msg);
		return VM_EXIT_KILLED;
	default:
		fprintf(stderr, "berth-vmm: %s\n", vm->stop_msg);
		return VM_EXIT_GUEST;
	}
}

int vm_run(const struct vm_config *cfg)
{
	struct berth_error err = { 0 };
	struct vm vm = {
		.cfg = cfg,
		.machine = { .set_irq = vm_set_irq, .request = vm_machine_request },
		.host = { .pio = &vm.pio,
			  .mmio = &vm.mmio,
			  .stop = vm_host_stop,
			  .pause = { .lock = PTHREAD_MUTEX_INITIALIZER,
				     .cond = PTHREAD_COND_INITIALIZER } },
		.kvm_fd = -1,
		.vm_fd = -1,
		.loop = { .epfd = -1 },
		.sig_src = { .fd = -1 },
		.stop_src = { .fd = -1 },
		.stop_lock = PTHREAD_MUTEX_INITIALIZER,
		.debug = { .log = { .fd = -1 } }, /* closed safely if set-up stops before it */
	};
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &vm.started);
	/* Compiled before any thread starts; the main thread's filter goes on once every file
	 * is open, before the first boot (docs/berth-vmm.md, seccomp). */
	if ((cfg->seccomp && vmm_seccomp_prepare(cfg, &err)) || vm_setup(&vm, &err) ||
	    vmm_seccomp_enter(VMM_THREAD_MAIN, &err)) {
		vm_teardown(&vm);
		berr_print("berth-vmm", &err);
		return VM_EXIT_SETUP;
	}
	vm_warn_pvm(&vm);
	for (;;) {
		if (vm_boot(&vm, &err) || loop_run(&vm.loop, &err)) {
			vm_shutdown_boot(&vm);
			vm_teardown(&vm);
			berr_print("berth-vmm", &err);
			return VM_EXIT_SETUP;
		}
		vm_shutdown_boot(&vm);
		if (!vm_stop_resets(vm.stop) || cfg->no_reboot)
			break;
		if (vm.stop == VM_TRIPLE_FAULT)
			fprintf(stderr, "berth-vmm: %s; a PC resets on that: booting it again\n",
				vm.stop_msg);
		else
			fprintf(stderr, "berth-vmm: the guest rebooted; booting it again\n");
		vm.reboots++;
		api_server_event(&vm.api, "rebooted", NULL);
		gm_clear(&vm.mem);
		vm.loop.stop = false;
	}
	rc = vm_outcome(&vm);
	api_server_event(&vm.api, "stopped", json_pack("{s:i}", "status", rc));
	vm_teardown(&vm);
	return rc;
}
