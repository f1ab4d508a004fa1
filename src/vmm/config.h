/* config.h - what a VM is asked to be, as given on the command line. */
#ifndef BERTH_VMM_CONFIG_H
#define BERTH_VMM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

enum console_mode {
	CONSOLE_STDIO, /* guest output on stdout, input from stdin */
	CONSOLE_FILE,  /* guest output appended to a file; input only through console_sock */
	CONSOLE_NONE,  /* output only to console_sock's client, if any */
};

/* A device's I/O limits (iops=N, bps=N of --disk and --net); 0: no limit. */
struct io_limit_config {
	uint64_t iops; /* requests per second (disks only) */
	uint64_t bps;  /* bytes per second; a NIC's applies to each direction */
};

/* --disk PATH[,ro][,serial=ID][,iops=N][,bps=N] */
struct disk_config {
	const char *path;
	bool readonly;
	char serial[21]; /* VIRTIO_BLK_ID_BYTES (20) and a NUL; empty: none */
	struct io_limit_config limit;
};

/* --net tap=IFNAME[,mac=MAC][,bps=N] or
 * --net user[,mac=MAC][,hostfwd=tcp::HOSTPORT-:GUESTPORT]...[,bps=N] */
enum net_kind { NET_TAP, NET_USER };

struct net_hostfwd {
	uint16_t host_port, guest_port; /* TCP; the host side listens on 127.0.0.1 only */
};

#define VM_MAX_HOSTFWDS 16

struct net_config {
	enum net_kind kind;
	char ifname[16];    /* NET_TAP: IFNAMSIZ */
	uint8_t mac[6];	    /* given or generated (locally administered) */
	unsigned nhostfwds; /* NET_USER */
	struct net_hostfwd hostfwds[VM_MAX_HOSTFWDS];
	struct io_limit_config limit; /* bps only: each of tx and rx */
};

#define VM_MAX_DISKS 8
#define VM_MAX_NICS  4

struct vm_config {
	const char *kernel;	  /* NULL when booting by firmware */
	const char *firmware;	  /* --firmware [PATH]: the ROM to boot by; NULL: direct boot */
	const char *firmware_log; /* --firmware-log PATH: its debug port's log; NULL: stderr */
	const char *initrd;	  /* NULL: none */
	const char *decompress;	  /* --decompress DIR: the bzImage's vmlinux cached there; NULL */
	const char *cmdline;
	uint64_t mem; /* bytes */
	unsigned cpus;
	enum console_mode console;
	const char *console_path; /* CONSOLE_FILE only */
	uint64_t console_max;	  /* CONSOLE_FILE: cap on the log in bytes (caplog), 0: none */
	const char *console_sock; /* --console-sock PATH, NULL: none (not with CONSOLE_STDIO) */
	int console_sock_fd;	  /* --console-sock-fd N: its listening socket, made by a jailer;
				     -1: berth-vmm makes it */
	bool no_reboot;
	unsigned ndisks, nnics;
	struct disk_config disks[VM_MAX_DISKS];
	struct net_config nics[VM_MAX_NICS];
	bool rng;	      /* a virtio-rng device (default on; --no-rng turns it off) */
	bool display;	      /* --display: a bochs-display graphics adapter (default off) */
	const char *api_sock; /* --api-sock PATH, NULL: none */
	const char *vnc;      /* --vnc PATH: VNC server on a Unix socket, NULL: none */
	bool prealloc;	      /* --prealloc: all RAM resident (and locked) before the guest runs */
	const char *log_path; /* --log PATH: our stdout and stderr, NULL: left as they are */
	uint64_t log_max;     /* its cap in bytes (caplog), 0: none */
	bool seccomp;	      /* per-thread system-call filters (default on; --no-seccomp: off) */
};

#define VM_DEFAULT_MEM	   (512ULL << 20)
#define VM_MIN_MEM	   (32ULL << 20)
#define VM_MAX_CPUS	   255
#define VM_DEFAULT_CMDLINE "console=ttyS0 reboot=k panic=-1"

#endif
