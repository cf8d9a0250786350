#include "imager/purge/nvme_identify.h"

#include <fmt/format.h>

namespace atelier::imager {
namespace {

constexpr std::size_t k_identify_bytes = 4096;
constexpr std::size_t k_sanitize_log_bytes = 512;

std::uint64_t le(std::span<const std::uint8_t> d, std::size_t offset, std::size_t bytes) {
  std::uint64_t v = 0;
  for (std::size_t i = bytes; i-- > 0;) {
    v = (v << 8U) | d[offset + i];
  }
  return v;
}

// NVMe strings are ASCII, space padded, first character first.
std::string nvme_string(std::span<const std::uint8_t> d, std::size_t offset, std::size_t bytes,
                        int& replaced) {
  std::string text;
  for (std::size_t i = offset; i < offset + bytes; ++i) {
    const auto c = d[i];
    if (c == 0) {
      text.push_back(' ');
    } else if (c < 0x20 || c > 0x7E) {
      text.push_back('?'); // leniency rule: as for ATA strings, counted in replaced_characters
      ++replaced;
    } else {
      text.push_back(static_cast<char>(c));
    }
  }
  const auto begin = text.find_first_not_of(' ');
  if (begin == std::string::npos) {
    return {};
  }
  return text.substr(begin, text.find_last_not_of(' ') - begin + 1);
}

std::optional<std::string> wrong_size(std::span<const std::uint8_t> d, std::size_t expected,
                                      std::string_view what) {
  if (d.size() < expected) {
    return fmt::format("{}: {} bytes, expected {}", what, d.size(), expected);
  }
  bool zeros = true;
  for (std::size_t i = 0; i < expected && zeros; ++i) {
    zeros = d[i] == 0;
  }
  if (zeros) {
    return fmt::format("{}: all bytes are zero (no data returned)", what);
  }
  return std::nullopt;
}

} // namespace

std::expected<NvmeController, std::string>
parse_nvme_identify_controller(std::span<const std::uint8_t> d) {
  if (auto problem = wrong_size(d, k_identify_bytes, "Identify Controller data")) {
    return std::unexpected(*problem);
  }
  NvmeController c;
  c.vid = static_cast<std::uint16_t>(le(d, 0, 2));
  c.ssvid = static_cast<std::uint16_t>(le(d, 2, 2));
  c.serial = nvme_string(d, 4, 20, c.replaced_characters);
  c.model = nvme_string(d, 24, 40, c.replaced_characters);
  c.firmware = nvme_string(d, 64, 8, c.replaced_characters);
  c.version = static_cast<std::uint32_t>(le(d, 80, 4));
  c.oacs = static_cast<std::uint16_t>(le(d, 256, 2));
  const std::uint64_t capacity = le(d, 280, 8);
  if (capacity != 0) {
    c.total_capacity_bytes = capacity;
  }
  c.sanicap = static_cast<std::uint32_t>(le(d, 328, 4));
  c.namespaces = static_cast<std::uint32_t>(le(d, 516, 4));
  c.fna = d[524];
  if (c.model.empty() && c.serial.empty()) {
    return std::unexpected("Identify Controller data: no model and no serial number");
  }
  return c;
}

std::expected<NvmeNamespace, std::string>
parse_nvme_identify_namespace(std::span<const std::uint8_t> d) {
  if (auto problem = wrong_size(d, k_identify_bytes, "Identify Namespace data")) {
    return std::unexpected(*problem);
  }
  NvmeNamespace ns;
  ns.size_blocks = le(d, 0, 8);
  ns.capacity_blocks = le(d, 8, 8);
  ns.used_blocks = le(d, 16, 8);
  const unsigned count = d[25] + 1U; // NLBAF is zero-based
  if (count > 64) {
    return std::unexpected(fmt::format("Identify Namespace data: NLBAF {} exceeds 63", d[25]));
  }
  const std::uint8_t flbas = d[26];
  ns.format_index = static_cast<std::uint8_t>(flbas & 0x0FU);
  if (count > 16) {
    ns.format_index = static_cast<std::uint8_t>(ns.format_index | (((flbas >> 5U) & 0x3U) << 4U));
  }
  ns.metadata_extended = (flbas & 0x10U) != 0;
  ns.protection_type = d[29] & 0x07U;
  ns.protection_first = (d[29] & 0x08U) != 0;
  for (unsigned i = 0; i < count; ++i) {
    const auto v = static_cast<std::uint32_t>(le(d, 128 + 4 * i, 4));
    NvmeLbaFormat f;
    f.metadata_bytes = static_cast<std::uint16_t>(v & 0xFFFFU);
    const unsigned lbads = (v >> 16U) & 0xFFU;
    f.data_bytes = lbads >= 9 && lbads < 32 ? (1U << lbads) : 0U; // below 9 is not a usable format
    f.relative_performance = static_cast<std::uint8_t>((v >> 24U) & 0x3U);
    ns.formats.push_back(f);
  }
  if (ns.format_index >= count || ns.formats[ns.format_index].data_bytes == 0) {
    return std::unexpected(fmt::format(
        "Identify Namespace data: the current LBA format {} is not valid", ns.format_index));
  }
  if (ns.size_blocks == 0) {
    return std::unexpected("Identify Namespace data: namespace size is 0 (inactive namespace)");
  }
  return ns;
}

std::expected<NvmeSanitizeLog, std::string>
parse_nvme_sanitize_log(std::span<const std::uint8_t> d) {
  if (d.size() < k_sanitize_log_bytes) {
    return std::unexpected(fmt::format("Sanitize Status log: {} bytes, expected 512", d.size()));
  }
  NvmeSanitizeLog log;
  log.progress = static_cast<std::uint16_t>(le(d, 0, 2));
  log.status = static_cast<std::uint16_t>(le(d, 2, 2));
  log.command_dword10 = static_cast<std::uint32_t>(le(d, 4, 4));
  auto estimate = [&](std::size_t offset) -> std::optional<std::uint32_t> {
    const auto v = static_cast<std::uint32_t>(le(d, offset, 4));
    if (v == 0xFFFFFFFFU) {
      return std::nullopt;
    }
    return v;
  };
  log.estimate_overwrite_s = estimate(8);
  log.estimate_block_erase_s = estimate(12);
  log.estimate_crypto_erase_s = estimate(16);
  return log;
}

NvmeSanitizeLog::State NvmeSanitizeLog::state() const {
  switch (status & 0x7U) {
  case 0:
    return State::never;
  case 1:
    return State::completed;
  case 2:
    return State::in_progress;
  case 3:
    return State::failed;
  case 4:
    return State::completed_no_deallocate;
  default:
    return State::reserved;
  }
}

std::string_view to_string(NvmeSanitizeLog::State s) {
  switch (s) {
  case NvmeSanitizeLog::State::never:
    return "never sanitized";
  case NvmeSanitizeLog::State::completed:
    return "completed";
  case NvmeSanitizeLog::State::in_progress:
    return "in progress";
  case NvmeSanitizeLog::State::failed:
    return "failed";
  case NvmeSanitizeLog::State::completed_no_deallocate:
    return "completed (no-deallocate)";
  case NvmeSanitizeLog::State::reserved:
    break;
  }
  return "reserved status";
}

} // namespace atelier::imager
