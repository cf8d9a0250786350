// Test helpers: the captured packets of tests/data/pxe (see docs/PXE-PROTOCOL.md, "Fixtures") and
// small builders for synthetic packets.
#pragma once

#include "pxe/dhcp_packet.h"
#include "pxe/net_types.h"

#include <string>
#include <string_view>
#include <vector>

namespace atelier::pxe::testing {

// Bytes of tests/data/pxe/NAME.hex ('#' lines are comments, the rest hex pairs). Fails the test
// (ADD_FAILURE) and returns empty bytes when the file is missing.
Bytes load_fixture(std::string_view name);
// Names (without .hex) of all fixtures whose name contains `part`, sorted.
std::vector<std::string> fixture_names(std::string_view part = "");

// Parses a fixture that must be a valid DHCP message (ADD_FAILURE otherwise).
DecodedPacket fixture_packet(std::string_view name);

// Wire bytes: 236-byte header (op, xid set, Ethernet MAC 52:54:00:12:34:56), magic cookie, then
// `options` verbatim (caller adds END). For hand-made malformed packets.
Bytes raw_message(const Bytes& options, std::uint8_t op = k_boot_request);

// A DHCPDISCOVER as EDK2 x64 sends it (arch 7, UNDI 3.0, GUID), as a Packet to tweak.
Packet edk2_discover();

} // namespace atelier::pxe::testing
