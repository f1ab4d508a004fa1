#!/usr/bin/env python3
"""frames.py - Ethernet frames made by hand on a raw socket (AF_PACKET), for the tests of
berthd's bridge rules (tests/system/daemon/net_filter_ct.sh). Every frame carries MARK (in
its UDP payload, or after its ARP packet), so that a listener can tell which came through.

  frames.py send IFACE KIND,MAC,ADDR,MARK[,SHA]...
      a broadcast frame for each spec, from Ethernet source MAC, out of IFACE:
        udp   IPv4/UDP from ADDR port 9 to 255.255.255.255 port 9
        dhcp  the same from port 67 to 68 (a DHCP server's reply)
        arp   an ARP reply (gratuitous): sender SHA (default MAC) and ADDR
        ip6   IPv6/UDP from MAC's link-local address to ff02::1
        vlan  udp inside an 802.1Q tag (VLAN 5)
  frames.py listen IFACE SECONDS END
      print "ready", then each mark seen on IFACE, one a line, until the mark END or
      SECONDS
"""
import re
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
BROADCAST = b"\xff" * 6


def mac_bytes(text):
    return bytes(int(x, 16) for x in text.split(":"))


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def udp4(src, sport, dport, payload):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                      socket.inet_aton(src), socket.inet_aton("255.255.255.255"))
    hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    return hdr + udp


def link_local(mac):
    m = bytearray(mac)
    m[0] ^= 2
    return b"\xfe\x80" + b"\0" * 6 + bytes(m[:3]) + b"\xff\xfe" + bytes(m[3:])


def frame(kind, mac, addr, mark, sha):
    src = mac_bytes(mac)
    if kind in ("udp", "dhcp", "vlan"):
        ports = (67, 68) if kind == "dhcp" else (9, 9)
        body = b"\x08\x00" + udp4(addr, ports[0], ports[1], mark)
        if kind == "vlan":
            body = b"\x81\x00" + struct.pack("!H", 5) + body
    elif kind == "arp":
        arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 2, mac_bytes(sha or mac),
                          socket.inet_aton(addr), BROADCAST, socket.inet_aton(addr))
        body = b"\x08\x06" + arp + mark
    elif kind == "ip6":
        udp = struct.pack("!HHHH", 9, 9, 8 + len(mark), 0) + mark
        body = b"\x86\xdd" + struct.pack("!IHBB16s16s", 6 << 28, len(udp), 17, 255,
                                          link_local(src), b"\xff\x02" + b"\0" * 13 + b"\1") + udp
    else:
        sys.exit("frames.py: unknown kind %r" % kind)
    out = BROADCAST + src + body
    return out + b"\0" * max(0, 60 - len(out))


def send(iface, specs):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    for spec in specs:
        kind, mac, addr, mark, sha = (spec.split(",") + [None])[:5]
        s.send(frame(kind, mac, addr, mark.encode(), sha))


def listen(iface, seconds, end):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    print("ready", flush=True)
    deadline = time.monotonic() + float(seconds)
    seen = set()
    while time.monotonic() < deadline:
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = s.recv(65536)  # on a tap, what goes to its VM is outgoing
        except socket.timeout:
            break
        for m in re.findall(rb"BERTH-[A-Za-z0-9-]+", data):
            m = m.decode()
            if m not in seen:
                seen.add(m)
                print(m, flush=True)
            if m == end:
                return


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "send":
        send(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) == 5 and sys.argv[1] == "listen":
        listen(*sys.argv[2:5])
    else:
        sys.exit(__doc__)
