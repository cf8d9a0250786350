// libFuzzer target for the DHCP codec: any bytes either fail to parse with an error value, or parse
// into a Packet that serializes and parses back to the same Packet (and classify never crashes).
#include "pxe/client_info.h"
#include "pxe/dhcp_packet.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace atelier::pxe;
  const auto decoded = parse_packet(ByteView(data, size));
  if (!decoded) {
    return 0;
  }
  const ClientInfo info = classify(decoded->packet, decoded->quirks);
  (void)info;
  // Room for everything the input held; a parsed packet can need a little more than its input when
  // RFC 3396 pieces were split differently, hence the margin.
  EncodeOptions options;
  options.max_size = 2 * size + 1024;
  const auto wire = serialize_packet(decoded->packet, options);
  if (!wire) {
    std::abort(); // everything parse_packet accepts must be encodable
  }
  const auto again = parse_packet(*wire);
  if (!again || again->packet != decoded->packet) {
    std::abort();
  }
  return 0;
}
