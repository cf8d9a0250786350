#!/usr/bin/env python3
"""Turn a capture from capture-fixtures.sh into hex fixtures for tests/pxe (standard library only).

Usage: pcap_to_fixtures.py SCENARIO.pcap OUTDIR [--list] [--stages=ipxe,pxe,http]

Writes one file per first occurrence of each kind of packet (DHCP message type x sender role,
port-4011 exchange, TFTP opcode x direction, plus the last TFTP DATA block), named
SCENARIO-NN-KIND.hex. One boot can pass through several firmware stages (iPXE fails, EDK2 PXE runs,
then HTTP boot); --stages keeps only the packets of the stages listed (a stage starts with a client
DHCP packet from that firmware and covers the replies and TFTP after it). Each file: '#' comment lines saying where the bytes come from, then the UDP
payload as hex, 16 bytes per line. tests/pxe/fixtures.cpp reads this format.
"""
import datetime
import os
import struct
import subprocess
import sys

SITE, PROXY = "198.18.0.1", "198.18.0.2"
DHCP_TYPES = {1: "discover", 2: "offer", 3: "request", 4: "decline", 5: "ack", 6: "nak", 7: "release",
              8: "inform"}
TFTP_OPS = {1: "rrq", 2: "wrq", 3: "data", 4: "ack", 5: "error", 6: "oack"}


def pkg_version(name):
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", name], capture_output=True,
                              text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != 1:
        raise SystemExit(f"{path}: link type {linktype}, expected Ethernet (1)")
    off, frame = 24, 0
    while off + 16 <= len(data):
        sec, usec, caplen, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        frame += 1
        yield frame, sec, data[off:off + caplen]
        off += caplen


def udp_packets(path):
    for frame, sec, eth in read_pcap(path):
        if len(eth) < 14 or struct.unpack("!H", eth[12:14])[0] != 0x0800:
            continue
        ip = eth[14:]
        ihl = (ip[0] & 0x0F) * 4
        if ip[9] != 17:
            continue
        src, dst = ".".join(map(str, ip[12:16])), ".".join(map(str, ip[16:20]))
        total = struct.unpack("!H", ip[2:4])[0]
        udp = ip[ihl:total]
        sport, dport, ulen = struct.unpack("!HHH", udp[:6])
        yield frame, sec, src, sport, dst, dport, udp[8:ulen]


def role(addr):
    return {SITE: "site", PROXY: "proxy"}.get(addr, "client")


def classify(src, sport, dst, dport, payload):
    if 67 in (sport, dport) or 68 in (sport, dport) or 4011 in (sport, dport):
        if len(payload) < 240 or payload[236:240] != b"\x63\x82\x53\x63":
            return None
        mtype, vclass, uclass, i = None, b"", b"", 240
        while i + 1 < len(payload) and payload[i] != 255:
            if payload[i] == 0:
                i += 1
                continue
            value = payload[i + 2:i + 2 + payload[i + 1]]
            if payload[i] == 53:
                mtype = value[0]
            elif payload[i] == 60:
                vclass = value
            elif payload[i] == 77:
                uclass = value
            i += 2 + payload[i + 1]
        name = DHCP_TYPES.get(mtype, f"type{mtype}")
        via = "pxe4011" if 4011 in (sport, dport) else "dhcp"
        who = role(src)
        if who == "client":  # tell apart the firmware stages that share one capture
            who = ("ipxe" if b"iPXE" in uclass else "http" if vclass.startswith(b"HTTPClient")
                   else "pxe" if vclass.startswith(b"PXEClient") else "client")
        return f"{via}-{name}-{who}"
    if len(payload) >= 2:
        op = struct.unpack("!H", payload[:2])[0]
        if op in TFTP_OPS and (dport == 69 or role(src) == "proxy" or role(dst) == "proxy"):
            return f"tftp-{TFTP_OPS[op]}-{role(src)}"
    return None


def main():
    pcap, outdir = sys.argv[1], sys.argv[2]
    listing = "--list" in sys.argv
    stages = next((a.split("=", 1)[1].split(",") for a in sys.argv if a.startswith("--stages=")), None)
    stage = None
    scenario = os.path.basename(pcap).removesuffix(".pcap")
    versions = (f"qemu-system-x86 {pkg_version('qemu-system-x86')}, seabios {pkg_version('seabios')}, "
                f"ovmf {pkg_version('ovmf')}, ipxe-qemu {pkg_version('ipxe-qemu')}, "
                f"dnsmasq {pkg_version('dnsmasq')}")
    # First occurrence of each kind; EDK2 sends two different RRQs (the first only to learn tsize,
    # then aborts with ERROR 8), so the first two RRQs and OACKs are kept.
    seen, chosen, last_data = {}, [], None
    keep = {"tftp-rrq-client": 2, "tftp-oack-proxy": 2}
    for frame, sec, src, sport, dst, dport, payload in udp_packets(pcap):
        kind = classify(src, sport, dst, dport, payload)
        if kind is not None and kind.startswith(("dhcp-", "pxe4011-")) and role(src) == "client":
            stage = kind.rsplit("-", 1)[1]
        if listing:
            print(frame, src, sport, dst, dport, len(payload), kind, stage)
        if kind is None or (stages is not None and stage not in stages):
            continue
        if kind.startswith("tftp-data"):
            last_data = (frame, sec, src, sport, dst, dport, payload, kind + "-last")
        if seen.get(kind, 0) >= keep.get(kind, 1):
            continue
        seen[kind] = seen.get(kind, 0) + 1
        chosen.append((frame, sec, src, sport, dst, dport, payload, kind))
    if last_data and last_data[0] != next((c[0] for c in chosen if c[7].startswith("tftp-data")), None):
        chosen.append(last_data)
    if listing:
        return
    os.makedirs(outdir, exist_ok=True)
    for n, (frame, sec, src, sport, dst, dport, payload, kind) in enumerate(chosen, 1):
        when = datetime.datetime.fromtimestamp(sec, datetime.timezone.utc).strftime("%Y-%m-%d")
        path = os.path.join(outdir, f"{scenario}-{n:02d}-{kind}.hex")
        with open(path, "w") as f:
            f.write(f"# REAL capture, scenario {scenario}, frame {frame} of pcap/{scenario}.pcap, {when}\n")
            f.write(f"# {src}:{sport} -> {dst}:{dport}, UDP payload {len(payload)} bytes\n")
            f.write("# Captured by pxe/tools/capture-fixtures.sh (docs/PXE-PROTOCOL.md, 'Capturing fixtures')\n")
            f.write(f"# Debian 12 packages: {versions}\n")
            for i in range(0, len(payload), 16):
                f.write(" ".join(f"{b:02x}" for b in payload[i:i + 16]) + "\n")
        print(path)


if __name__ == "__main__":
    main()
