/* tiny_pvh.S - a minimal ELF vmlinux with a PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY), for
 * berth-vmm's PVH boot on any KVM, even one that cannot run Linux (kvm_pvm).
 *
 * Entered in 32-bit protected mode with EBX pointing at hvm_start_info, it prints on COM1
 * "pvh from tiny: magic ok, version V, modules N, module0 'TEXT', rsdp ok, memmap E,
 * cmdline 'CMDLINE'" (or "pvh from tiny: bad magic") and powers off; without a module (no
 * initrd) it first waits for the ACPI power button, as berthd's VMs are stopped. Linked at 1 MiB by
 * the Makefile (ld -Ttext), which gives the note its PT_NOTE program header. */
#define PORT_COM1    0x3f8
#define PORT_PM1_CNT 0x604
#define SLP_S5	     ((5 << 10) | (1 << 13))
#define PORT_PM1_STS 0x600
#define PORT_PM1_EN  0x602
#define PWRBTN	     0x100

	.pushsection .note.Xen, "a", @note
	.balign 4
	.long 4, 4, 18		/* namesz, descsz, XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long pvh_start
	.popsection

	.text
	.code32
	.globl pvh_start
pvh_start:
	mov $stack_top, %esp		/* PVH gives no stack; this one is in the zeroed bss */
	mov %ebx, %edi			/* hvm_start_info */
	mov $msg_hello, %esi
	call puts
	cmpl $0x336ec578, (%edi)
	je 1f
	mov $msg_bad, %esi
	call puts
	jmp poweroff
1:	mov $msg_magic, %esi
	call puts
	mov 4(%edi), %eax		/* version */
	call putdigit
	mov $msg_modules, %esi
	call puts
	mov 12(%edi), %eax		/* nr_modules */
	call putdigit
	cmpl $0, 12(%edi)
	je 2f
	mov $msg_module0, %esi
	call puts
	mov 16(%edi), %ebx		/* modlist_paddr: module 0's paddr, then size */
	mov (%ebx), %esi
	mov 8(%ebx), %ecx
	call putn
	mov $msg_quote, %esi
	call puts
2:	mov $msg_rsdp, %esi
	call puts
	mov 32(%edi), %esi		/* rsdp_paddr: "RSD PTR " */
	mov $msg_no, %eax
	cmpl $0x20445352, (%esi)
	jne 3f
	mov $msg_ok, %eax
3:	mov %eax, %esi
	call puts
	mov $msg_memmap, %esi
	call puts
	mov 48(%edi), %eax		/* memmap_entries */
	call putdigit
	mov $msg_cmdline, %esi
	call puts
	mov 24(%edi), %esi		/* cmdline_paddr */
	call puts
	mov $msg_end, %esi
	call puts
	cmpl $0, 12(%edi)		/* an initrd: power off at once */
	jne poweroff
	mov $PORT_PM1_EN, %dx
	mov $PWRBTN, %ax
	out %ax, %dx
	mov $PORT_PM1_STS, %dx
9:	pause
	in %dx, %ax
	test $PWRBTN, %ax
	jz 9b
poweroff:
	mov $PORT_PM1_CNT, %dx
	mov $SLP_S5, %ax
	out %ax, %dx
4:	hlt
	jmp 4b

/* Print the NUL-terminated string at esi. */
puts:
	mov $PORT_COM1, %dx
5:	lodsb
	test %al, %al
	jz 6f
	out %al, %dx
	jmp 5b
6:	ret

/* Print ecx bytes at esi. */
putn:
	mov $PORT_COM1, %dx
	jecxz 8f
7:	lodsb
	out %al, %dx
	loop 7b
8:	ret

/* Print eax (0-9) as a digit. */
putdigit:
	mov $PORT_COM1, %dx
	add $'0', %al
	out %al, %dx
	ret

msg_hello:	.asciz "pvh from tiny: "
msg_bad:	.asciz "bad magic\n"
msg_magic:	.asciz "magic ok, version "
msg_modules:	.asciz ", modules "
msg_module0:	.asciz ", module0 '"
msg_quote:	.asciz "'"
msg_rsdp:	.asciz ", rsdp "
msg_ok:		.asciz "ok"
msg_no:		.asciz "missing"
msg_memmap:	.asciz ", memmap "
msg_cmdline:	.asciz ", cmdline '"
msg_end:	.asciz "'\n"

	.bss
	.balign 16
	.skip 4096
stack_top:
