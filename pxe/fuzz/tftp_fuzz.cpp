// libFuzzer target for the TFTP codec: parse; on success serialize, parse again and require the
// same message; run the option negotiation and the path sanitizer on whatever a request carries.
#include "pxe/tftp_negotiation.h"
#include "pxe/tftp_packet.h"
#include "pxe/tftp_path.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace atelier::pxe;
  const auto decoded = tftp::parse_message(ByteView(data, size));
  if (!decoded) {
    return 0;
  }
  const Bytes wire = tftp::serialize_message(decoded->message);
  const auto again = tftp::parse_message(wire);
  if (!again || again->message != decoded->message) {
    std::abort();
  }
  if (const auto* request = std::get_if<tftp::Request>(&decoded->message)) {
    const auto negotiation = tftp::negotiate(*request, size);
    if (negotiation.block_size < 8 || negotiation.window_size < 1) {
      std::abort();
    }
    const std::filesystem::path root = "/srv/tftp";
    if (const auto path = tftp::resolve_request_path(root, request->filename)) {
      // Whatever is accepted must stay lexically under the root.
      const auto relative = path->lexically_relative(root);
      if (relative.empty() || *relative.begin() == "..") {
        std::abort();
      }
    }
  }
  return 0;
}
