#include "pxe/tftp_negotiation.h"

#include <charconv>

namespace atelier::pxe::tftp {

namespace {

// RFC 2347 values are decimal ASCII. Leading zeros are fine; signs, spaces and overflow are not.
std::optional<std::uint64_t> parse_number(std::string_view text) {
  std::uint64_t value = 0;
  if (text.empty() || text.front() == '+' || text.front() == '-') {
    return std::nullopt;
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

} // namespace

Negotiation negotiate(const Request& request, std::optional<std::uint64_t> file_size,
                      const NegotiationLimits& limits) {
  Negotiation result;
  auto refuse = [&result](const Option& option, std::string reason) {
    result.refused.push_back(RefusedOption{option.name, option.value, std::move(reason)});
  };
  for (const auto& option : request.options) {
    const auto number = parse_number(option.value);
    if (option_equals(option.name, "blksize")) {
      // RFC 2348: 8 to 65464 inclusive; anything else is not a valid request and is ignored.
      if (!number) {
        refuse(option, "blksize \"" + option.value + "\" is not a number");
      } else if (*number < k_min_block_size || *number > k_max_block_size_option) {
        refuse(option, "blksize " + option.value + " is outside the RFC 2348 range 8-65464");
      } else {
        const auto limit = std::max(limits.max_block_size, k_min_block_size);
        result.block_size = static_cast<std::uint16_t>(std::min<std::uint64_t>(*number, limit));
        result.accepted.push_back(Option{option.name, std::to_string(result.block_size)});
      }
    } else if (option_equals(option.name, "timeout")) {
      // RFC 2349 §2: 1-255 seconds, and the OACK must carry the same value or omit the option.
      if (!number || *number < 1 || *number > 255) {
        refuse(option, "timeout \"" + option.value + "\" is outside the RFC 2349 range 1-255");
      } else if (*number > limits.max_timeout_seconds) {
        // Not answered with the cap: RFC 2349 allows only the client's own value in the OACK.
        refuse(option, "timeout " + option.value + " is above this server's cap of " +
                           std::to_string(limits.max_timeout_seconds) + " s");
      } else {
        result.timeout_seconds = static_cast<std::uint8_t>(*number);
        result.accepted.push_back(Option{option.name, std::to_string(*number)});
      }
    } else if (option_equals(option.name, "tsize")) {
      // RFC 2349 §4: in an RRQ the client sends 0 and the server answers with the size. A WRQ is
      // never served (read-only server), so only RRQ answers carry it.
      if (!number) {
        refuse(option, "tsize \"" + option.value + "\" is not a number");
      } else if (request.opcode == Opcode::rrq && limits.offer_tsize && file_size) {
        result.transfer_size = *file_size;
        result.accepted.push_back(Option{option.name, std::to_string(*file_size)});
      }
    } else if (option_equals(option.name, "windowsize")) {
      // RFC 7440 §3: 1-65535 blocks; the server may answer a smaller value.
      if (!number || *number < 1 || *number > 65535) {
        refuse(option, "windowsize \"" + option.value + "\" is outside the RFC 7440 range 1-65535");
      } else {
        const auto limit = std::max<std::uint16_t>(limits.max_window_size, 1);
        result.window_size = static_cast<std::uint16_t>(std::min<std::uint64_t>(*number, limit));
        result.accepted.push_back(Option{option.name, std::to_string(result.window_size)});
      }
    } else {
      result.unknown.push_back(option.name); // RFC 2347 §3: unrecognised options are ignored
    }
  }
  return result;
}

} // namespace atelier::pxe::tftp
