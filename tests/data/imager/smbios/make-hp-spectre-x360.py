#!/usr/bin/env python3
"""Writes hp-spectre-x360-15-df0xxx/{smbios_entry_point,DMI}: an SMBIOS 3.2 table with the contents a
real HP Spectre x360 Convertible 15-df0xxx (2019, BIOS F.28) published, as decoded by dmidecode 3.2 in
a public forum post (see ../SOURCES.md). Encoded here field by field from that decoded dump, at the
structure lengths the dump gives; the serial numbers and the UUID are replaced by made-up ones (the
post's were a person's machine). What the real table has and QEMU's do not:
  - a 3.x entry point with a 3.2.1 version, 26-byte type 0 with the ROM size in the old byte,
  - type 3 "Convertible" (0x1F) with placeholder strings ("Chassis Serial Number"),
  - two DDR4 SODIMM type 17 of 40 bytes with trailing blanks in the part number and the
    "9876543210" asset tag filler,
  - a type 22 battery in SBDS form: serial and date only as words, chemistry "LION" as a string,
    84080 mWh stored as 42040 x multiplier 2,
  - a type 4 whose Max Speed (8300 MHz) is the firmware's own nonsense,
  - type 11 OEM strings that are a single blank, and HP's OEM type 221 structures.
Run from this directory: python3 make-hp-spectre-x360.py
"""
import os
import struct

structures = []


def structure(stype, handle, formatted, strings=()):
    """formatted: the bytes after the 4-byte header; strings: the string set."""
    length = 4 + len(formatted)
    body = struct.pack("<BBH", stype, length, handle) + bytes(formatted)
    if strings:
        body += b"".join(s.encode("latin-1") + b"\0" for s in strings) + b"\0"
    else:
        body += b"\0\0"
    structures.append(body)


# Type 0, 26 bytes: vendor 1, version 2, segment F000, date 3, ROM (0xCF+1) x 64 KiB = 13312 kB,
# characteristics (PCI, upgradeable, shadowing, CD boot, selectable boot, EDD, floppy and int
# services), ext. 1 (ACPI, USB legacy, smart battery), ext. 2 (BBS, F-key netboot, targeted
# content distribution, UEFI), BIOS 15.28, EC 10.47, extended ROM size 0.
characteristics = sum(1 << b for b in (7, 11, 12, 15, 16, 19, 23, 24, 25, 26, 27, 28, 29))
structure(0, 0x0000,
          struct.pack("<BBHBBQBBBBBBH", 1, 2, 0xF000, 3, 0xCF, characteristics, 0x83, 0x0F, 15, 28, 10, 47, 0),
          ["AMI", "F.28", "04/08/2019"])
# Type 1, 27 bytes. The version string is one blank, as the firmware wrote it.
uuid = bytes.fromhex("3544433537303830393031355a354444")  # made up, ASCII-looking like HP's
structure(1, 0x0001, struct.pack("<BBBB", 1, 2, 3, 4) + uuid + struct.pack("<BBB", 6, 5, 6),
          ["HP", "HP Spectre x360 Convertible 15-df0xxx", " ", "5CD0000ATL", "4WW36UA#ABA",
           "103C_5335KV HP Spectre"])
# Type 2, 15 bytes: board 8518 v10.47, features 0x09, chassis handle 3, motherboard, no objects.
structure(2, 0x0002, struct.pack("<BBBBBBBHBB", 1, 2, 3, 4, 5, 0x09, 6, 0x0003, 0x0A, 0),
          ["HP", "8518", "10.47", "PHSKL000ATL0001", "Base Board Asset Tag", "Base Board Chassis Location"])
# Type 3, 22 bytes: Convertible, no lock; states safe, security none; one power cord; SKU string 0.
structure(3, 0x0003, struct.pack("<BBBBBBBBBIBBBBB", 1, 0x1F, 2, 3, 0, 3, 3, 3, 3, 0, 0, 1, 0, 0, 0),
          ["HP", "Chassis Version", "Chassis Serial Number"])
# Type 8 (two of the port connectors), 9 bytes each: skipped by the decoder.
structure(8, 0x0004, struct.pack("<BBBBB", 1, 0, 2, 0x0F, 0x0E), ["Mouse", "PS2Mouse"])
structure(8, 0x0009, struct.pack("<BBBBB", 1, 0, 2, 0x12, 0x10), ["Right USB 3.1 GEN2", "Right Type C"])
# Type 11, 5 bytes: 13 OEM strings, the last seven a single blank.
structure(11, 0x000F, struct.pack("<B", 13),
          ["$HP$", "ABS 70/71 79 7A 7B 7C", "BCU_Y", "BATT_CARE",
           "FBYTE#3K6b7B7N7WaBaHapaqasawbVbhbzcbd6dUdpdqfPhZj6.5h;BUILDID#18", "WW2S5T604#SABA#DABA;"]
          + [" "] * 7)
# Type 22, 26 bytes, SBDS form: location 1, manufacturer 2, date 0, serial 0, name 3, chemistry 2
# (Unknown: see the SBDS string), capacity 42040 x 2 mWh, 11550 mV, SBDS version 4, max error 0xFF,
# SBDS serial 0x0469, SBDS date 2018-11-09, SBDS chemistry 5, multiplier 2, OEM 0x0008050A.
sbds_date = ((2018 - 1980) << 9) | (11 << 5) | 9
structure(22, 0x0010,
          struct.pack("<BBBBBBHHBBHHBBI", 1, 2, 0, 0, 3, 0x02, 42040, 11550, 4, 0xFF, 0x0469, sbds_date, 5, 2,
                      0x0008050A),
          ["Primary", "333-27-09-A", "SU06084XL", "1.1", "LION"])
# Type 16, 23 bytes: system board, system memory, no ECC, 32 GB (in kB), 2 devices.
structure(16, 0x001D, struct.pack("<BBBIHHQ", 3, 3, 3, 32 * 1024 * 1024, 0xFFFE, 2, 0))


def sodimm(handle, locator, bank, serial):
    # 40 bytes: array 0x1D, no error info, 64/64 bits, 8192 MB, SODIMM, no set, DDR4 synchronous,
    # 2667 MT/s, rank 1, configured 2400 MT/s, 1.2 V min/max/configured.
    formatted = struct.pack("<HHHHHBBBBBHHBBBBBIHHHH", 0x001D, 0xFFFE, 64, 64, 8192, 0x0D, 0, 1, 2, 0x1A, 0x0080,
                            2667, 3, 4, 5, 6, 1, 0, 2400, 1200, 1200, 1200)
    structure(17, handle, formatted, [locator, bank, "Samsung", serial, "9876543210", "M471A1K43DB1-CTD    "])


sodimm(0x001E, "Bottom - Slot 1 (left)", "BANK 0", "94A60001")
sodimm(0x001F, "Bottom - Slot 2 (right)", "BANK 2", "94A60002")
# Type 221 (HP OEM, 26 bytes): opaque to the decoder.
structure(221, 0x0022, bytes([0x02, 0x01, 0x00, 0x03, 0x00, 0x07, 0x00, 0x47, 0x50, 0x00, 0x00, 0x00, 0x00,
                              0x02, 0x00, 0x00, 0x9A, 0x00, 0x03, 0x00, 0x00, 0x00]))
# Type 4, 48 bytes: socket 1, central processor, family Core i7 (0xC6), manufacturer 2, CPUID, version
# 3, 0.8 V, 100 MHz external clock, max 8300 MHz (sic), current 2574 MHz, populated + enabled,
# BGA1528, caches 0x27-0x29, serial/asset/part 4/5/6, 4 cores, 4 enabled, 8 threads, characteristics
# 0x00EC, family 2 0xC6, the 3.0 word counts.
cpuid = bytes.fromhex("EB060800FFFBEBBF")
structure(4, 0x002A,
          struct.pack("<BBBB", 1, 3, 0xC6, 2) + cpuid
          + struct.pack("<BBHHHBBHHHBBBBBBHHHHH", 3, 0x88, 100, 8300, 2574, 0x41, 0x3C, 0x0027, 0x0028, 0x0029,
                        4, 5, 6, 4, 4, 8, 0x00EC, 0x00C6, 4, 4, 8),
          ["U3E1", "Intel(R) Corporation", "Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz", "To Be Filled By O.E.M.",
           "To Be Filled By O.E.M.", "To Be Filled By O.E.M."])
structure(127, 0x0034, b"")

table = b"".join(structures)
# _SM3_ entry point, 24 bytes: version 3.2, docrev 1, entry point revision 1, table maximum size,
# table address (as the post's dmidecode printed it).
entry = bytearray(struct.pack("<5sBBBBBBBIQ", b"_SM3_", 0, 0x18, 3, 2, 1, 1, 0, len(table), 0x4FA89000))
entry[5] = (-sum(entry)) & 0xFF
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hp-spectre-x360-15-df0xxx")
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "smbios_entry_point"), "wb") as f:
    f.write(bytes(entry))
with open(os.path.join(out, "DMI"), "wb") as f:
    f.write(table)
print(f"{out}: {len(structures)} structures, {len(table)} bytes")
