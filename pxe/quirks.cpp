#include "pxe/quirks.h"

#include <array>

namespace atelier::pxe {

namespace {
// Indexed by Quirk; the static_assert below keeps it in step with the enum.
constexpr std::array<std::string_view, k_quirk_count> k_quirk_names = {
    "trailing_data_after_end", "missing_end_option",     "nul_terminated_string",
    "unterminated_sname",      "unterminated_file",      "small_max_message_size",
    "missing_client_uuid",     "zero_client_uuid",       "unknown_client_uuid_type",
    "unframed_user_class",     "arch_from_vendor_class", "arch_mismatch",
    "several_client_archs",    "missing_client_arch",    "tftp_request_padding",
    "tftp_duplicate_option",   "tftp_trailing_bytes",
};
static_assert(k_quirk_names.back() == "tftp_trailing_bytes",
              "k_quirk_names out of step with Quirk");
} // namespace

std::string_view quirk_name(Quirk quirk) {
  return k_quirk_names[static_cast<std::size_t>(quirk)];
}

std::vector<Quirk> QuirkSet::list() const {
  std::vector<Quirk> out;
  for (std::size_t i = 0; i < k_quirk_count; ++i) {
    if (m_bits.test(i)) {
      out.push_back(static_cast<Quirk>(i));
    }
  }
  return out;
}

} // namespace atelier::pxe
