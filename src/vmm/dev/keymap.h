/* keymap.h - X keysyms (what a VNC client sends without QEMU's extended key event) to the
 * XT scan codes of a US keyboard. Shifted characters map to their key: the client sends
 * Shift itself. Clients with the extended key event send scan codes and need no map. */
#ifndef BERTH_VMM_DEV_KEYMAP_H
#define BERTH_VMM_DEV_KEYMAP_H

#include <stdint.h>

/* The XT scan code (0x80 | code for E0-prefixed keys) of keysym, 0 if it has none. */
unsigned keymap_xt(uint32_t keysym);

#endif
