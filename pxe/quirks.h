// Leniency made countable. Every deviation from the RFCs that the codecs accept instead of refusing
// is one Quirk value, named here with the rule that accepts it; decoders return the set of quirks
// they applied so the server can keep one counter per quirk (docs/PXE-PROTOCOL.md, "Quirks").
// Nothing is ever accepted silently: a new leniency needs a new value here.
#pragma once

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace atelier::pxe {

enum class Quirk : std::uint8_t {
  // --- DHCP framing, applied by parse_packet ---
  trailing_data_after_end, // non-zero bytes after the END option (RFC 2131 §3: END closes the
                           // options)
  missing_end_option,      // an options area ran out without END; what was read is kept
  nul_terminated_string, // a text option carried trailing NULs; RFC 2132 §2 tells receivers to drop
                         // them
  unterminated_sname, // sname filled all 64 bytes with no NUL (RFC 2131 §2 wants NUL-terminated)
  unterminated_file,  // file filled all 128 bytes with no NUL
  small_max_message_size, // option 57 below 576, the RFC 2132 §9.10 minimum; replies use 576 anyway
  // --- Client identity, applied by classify ---
  missing_client_uuid,      // PXE/HTTP client without option 97, which RFC 4578 §2.3 requires
  zero_client_uuid,         // option 97 all zeros (iPXE without an SMBIOS UUID): not an identity
  unknown_client_uuid_type, // option 97 type byte not 0 (RFC 4578 §2.3 defines only 0); UUID
                            // ignored
  unframed_user_class,    // option 77 as a raw string ("iPXE"), not RFC 3004 length-prefixed items
  arch_from_vendor_class, // option 93 missing; architecture read from option 60
                          // "PXEClient:Arch:NNNNN"
  arch_mismatch,          // options 93 and 60 disagree; option 93 wins (RFC 4578 §2.1)
  several_client_archs,   // option 93 lists more than one architecture; the first is used
  missing_client_arch,    // a PXE/HTTP client with neither option 93 nor Arch in option 60: BIOS
                          // assumed
  // --- TFTP, applied by tftp::parse_message ---
  tftp_request_padding,  // NUL bytes after the last option of an RRQ/WRQ (some PXE ROMs pad)
  tftp_duplicate_option, // an RFC 2347 option named twice; the first one counts
  tftp_trailing_bytes,   // bytes after the end of an ACK or ERROR
};

inline constexpr std::size_t k_quirk_count =
    static_cast<std::size_t>(Quirk::tftp_trailing_bytes) + 1;

// Stable snake_case name, for counters and log lines ("zero_client_uuid").
std::string_view quirk_name(Quirk quirk);

class QuirkSet {
public:
  void add(Quirk quirk) { m_bits.set(static_cast<std::size_t>(quirk)); }
  bool contains(Quirk quirk) const { return m_bits.test(static_cast<std::size_t>(quirk)); }
  bool empty() const { return m_bits.none(); }
  std::size_t size() const { return m_bits.count(); }
  std::vector<Quirk> list() const; // in enum order

  QuirkSet& operator|=(const QuirkSet& other) {
    m_bits |= other.m_bits;
    return *this;
  }
  friend QuirkSet operator|(QuirkSet a, const QuirkSet& b) { return a |= b; }
  friend bool operator==(const QuirkSet&, const QuirkSet&) = default;

private:
  std::bitset<k_quirk_count> m_bits;
};

} // namespace atelier::pxe
