/* tiny.S - a minimal bzImage whose 64-bit entry does one thing and stops.
 *
 * It exercises berth-vmm on any KVM, even one that cannot run Linux (kvm_pvm), and is the
 * guest of the start-to-exit benchmark. Built once per ACTION_* variant:
 *   poweroff  ACPI S5 power-off           hello   "hello from tiny" on COM1, then power-off
 *   reset     i8042 reset (reboot)        triple  triple fault
 *   panic     pvpanic "panicked"          button  wait for the ACPI power button, then power-off
 *   badio     unclaimed port and MMIO accesses, then "badio ok" and power-off
 *   spin      loop forever (for SIGTERM escalation)
 *   flood     print to COM1 for ever (for a console nobody reads)
 *   echo      send back every byte COM1 receives, for ever (polling; for console input)
 */
#define PORT_COM1     0x3f8
#define PORT_COM1_LSR 0x3fd
#define PORT_PM1_STS  0x600
#define PORT_PM1_EN   0x602
#define PORT_PM1_CNT  0x604
#define SLP_S5        ((5 << 10) | (1 << 13))
#define PWRBTN        0x100

	.section .text
	.code16
	.org 0x1f1
setup_sects:	.byte 1
root_flags:	.word 0
syssize:	.long (payload_end - payload) / 16
ram_size:	.word 0
vid_mode:	.word 0xffff
root_dev:	.word 0
boot_flag:	.word 0xaa55
jump:		.byte 0xeb, start16 - (jump + 2)	/* real-mode entry for BIOS-style loaders */
header:		.ascii "HdrS"
version:	.word 0x020f
		.long 0		/* realmode_swtch */
		.word 0		/* start_sys_seg */
		.word 0		/* kernel_version */
		.byte 0		/* type_of_loader */
loadflags:	.byte 1		/* LOADED_HIGH */
		.word 0		/* setup_move_size */
code32_start:	.long 0x100000
		.long 0, 0	/* ramdisk_image, ramdisk_size */
		.long 0		/* bootsect_kludge */
		.word 0		/* heap_end_ptr */
		.byte 0, 0	/* ext_loader_ver, ext_loader_type */
		.long 0		/* cmd_line_ptr */
initrd_max:	.long 0x7fffffff
		.long 0x200000	/* kernel_alignment */
		.byte 0		/* relocatable_kernel */
		.byte 0		/* min_alignment */
xloadflags:	.word 1		/* XLF_KERNEL_64 */
cmdline_size:	.long 255
		.long 0		/* hardware_subarch */
		.quad 0		/* hardware_subarch_data */
		.long 0, 0	/* payload_offset, payload_length */
		.quad 0		/* setup_data */
pref_address:	.quad 0x100000
init_size:	.long 0x10000
		.long 0		/* handover_offset */
		.long 0		/* kernel_info_offset */

	/* Real-mode setup entry, where a loader such as QEMU's option ROM jumps: power off at
	 * once, like the 32-bit entry below (with QEMU, an isa-debug-exit device on port 0x604
	 * ends the run). */
start16:
	mov $PORT_PM1_CNT, %dx
	mov $SLP_S5, %ax
	out %ax, %dx
1:	hlt
	jmp 1b

	.org 0x400		/* (setup_sects + 1) * 512: the protected-mode part, loaded at 1 MiB */
payload:
	.code64
	/* 32-bit entry (code32_start), used by loaders such as QEMU's: power off at once. These
	 * instructions encode the same in 32- and 64-bit mode. With QEMU, give the guest an
	 * isa-debug-exit device on port 0x604 to end the run. */
	mov $PORT_PM1_CNT, %dx
	mov $SLP_S5, %ax
	out %ax, %dx
1:	hlt
	jmp 1b

	.org 0x600		/* 64-bit entry: load address + 0x200 */
entry64:
#if defined(ACTION_hello) || defined(ACTION_badio)
#if defined(ACTION_badio)
	mov $0x1234, %dx
	in %dx, %al
	out %al, %dx
	mov $0xd0000000, %ebx
	movl $1, (%rbx)
	movl (%rbx), %eax
#endif
	lea message(%rip), %rsi
	mov $PORT_COM1, %dx
1:	lodsb
	test %al, %al
	jz poweroff
	out %al, %dx
	jmp 1b
#elif defined(ACTION_reset)
	mov $0x64, %dx
	mov $0xfe, %al
	out %al, %dx
	jmp halt
#elif defined(ACTION_triple)
	lidt empty_idt(%rip)
	int3
#elif defined(ACTION_panic)
	mov $0x505, %dx
	mov $1, %al
	out %al, %dx
	jmp halt
#elif defined(ACTION_button)
	mov $PORT_PM1_EN, %dx
	mov $PWRBTN, %ax
	out %ax, %dx
	mov $PORT_PM1_STS, %dx
1:	pause
	in %dx, %ax
	test $PWRBTN, %ax
	jz 1b
	jmp poweroff
#elif defined(ACTION_spin)
1:	pause
	jmp 1b
#elif defined(ACTION_flood)
	mov $PORT_COM1, %dx
	mov $'x', %al
1:	out %al, %dx
	jmp 1b
#elif defined(ACTION_echo)
1:	mov $PORT_COM1_LSR, %dx
	in %dx, %al
	test $1, %al		/* data ready */
	jnz 2f
	mov $200, %ecx		/* idle: fewer exits while nothing comes */
3:	pause
	loop 3b
	jmp 1b
2:	mov $PORT_COM1, %dx
	in %dx, %al
	out %al, %dx
	jmp 1b
#endif
poweroff:
	mov $PORT_PM1_CNT, %dx
	mov $SLP_S5, %ax
	out %ax, %dx
halt:
	hlt
	jmp halt

empty_idt:
	.word 0
	.quad 0
message:
#if defined(ACTION_badio)
	.asciz "badio ok\n"
#else
	.asciz "hello from tiny\n"
#endif
	.balign 16
	.org 0x800
payload_end:
