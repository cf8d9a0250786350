#include "pxe/http_routes.h"

#include "base/text.h"

#include <charconv>
#include <ctime>

#include <fmt/format.h>

namespace atelier::pxe {

namespace {

constexpr std::string_view k_script_prefix = "/boot/";
constexpr std::string_view k_script_suffix = ".ipxe";

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  if (text.empty()) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

} // namespace

std::optional<base::MacAddress> parse_mac_address(std::string_view text) {
  // Only the separated spellings: a script URL names each machine in the two ways iPXE prints it,
  // not in a third that nothing sends.
  constexpr std::size_t k_separated_length = 17; // 6 pairs + 5 separators
  if (text.size() != k_separated_length) {
    return std::nullopt;
  }
  return base::MacAddress::parse(text);
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) {
      return std::nullopt;
    }
    const auto high = base::hex_digit(text[i + 1]);
    const auto low = base::hex_digit(text[i + 2]);
    if (!high || !low || (*high == 0 && *low == 0)) {
      return std::nullopt;
    }
    out += static_cast<char>((*high << 4) | *low);
    i += 2;
  }
  return out;
}

HttpRoute route_http_request(std::string_view target, const HttpFileTable& files) {
  if (const auto query = target.find('?'); query != std::string_view::npos) {
    target = target.substr(0, query);
  }
  const auto decoded = percent_decode(target);
  if (!decoded) {
    return NotFoundRoute{"malformed percent-escape"};
  }
  const std::string_view path = *decoded;
  // Exact table keys first, so a configured "/boot/x.ipxe" file would win over the script route.
  if (const auto it = files.find(path); it != files.end()) {
    return FileRoute{it->first, it->second};
  }
  if (path.starts_with(k_script_prefix) && path.ends_with(k_script_suffix)) {
    const auto mac_text = path.substr(k_script_prefix.size(), path.size() - k_script_prefix.size() -
                                                                  k_script_suffix.size());
    if (auto mac = parse_mac_address(mac_text)) {
      return ScriptRoute{*mac};
    }
    return NotFoundRoute{"malformed MAC address in script path"};
  }
  return NotFoundRoute{"not in the file table"};
}

std::string_view http_content_type(std::string_view url_path) {
  if (url_path.ends_with(".efi")) {
    return "application/efi";
  }
  return "application/octet-stream";
}

RangeDecision decide_byte_range(std::string_view header, std::uint64_t file_size) {
  constexpr std::string_view k_unit = "bytes=";
  if (!header.starts_with(k_unit) || header.find(',') != std::string_view::npos) {
    return {};
  }
  const auto spec = header.substr(k_unit.size());
  const auto dash = spec.find('-');
  if (dash == std::string_view::npos) {
    return {};
  }
  const auto first_text = spec.substr(0, dash);
  const auto last_text = spec.substr(dash + 1);
  if (first_text.empty()) {
    // Suffix range "-n": the last n bytes.
    const auto suffix = parse_u64(last_text);
    if (!suffix) {
      return {};
    }
    if (*suffix == 0 || file_size == 0) {
      return {RangeOutcome::unsatisfiable, {}};
    }
    const auto n = std::min(*suffix, file_size);
    return {RangeOutcome::partial, {file_size - n, file_size - 1}};
  }
  const auto first = parse_u64(first_text);
  if (!first) {
    return {};
  }
  std::uint64_t last = file_size == 0 ? 0 : file_size - 1;
  if (!last_text.empty()) {
    const auto parsed = parse_u64(last_text);
    if (!parsed || *parsed < *first) {
      return {};
    }
    last = std::min(*parsed, last);
  }
  if (*first >= file_size) {
    return {RangeOutcome::unsatisfiable, {}};
  }
  return {RangeOutcome::partial, {*first, last}};
}

std::string file_etag(std::uint64_t inode, std::uint64_t size, std::int64_t mtime_ns) {
  return fmt::format("\"{:x}-{:x}-{:x}\"", inode, size, static_cast<std::uint64_t>(mtime_ns));
}

std::string http_date(std::int64_t unix_seconds) {
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  // Fixed English names: strftime's %a/%b would follow the locale.
  static constexpr const char* k_days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* k_months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT", k_days[tm.tm_wday], tm.tm_mday,
                     k_months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

bool if_range_allows(std::string_view if_range, std::string_view etag,
                     std::string_view last_modified) {
  if (if_range.empty()) {
    return true;
  }
  if (if_range.starts_with('"')) {
    return if_range == etag;
  }
  return if_range == last_modified; // weak ETags ("W/...") never match: RFC 9110 §13.1.5
}

} // namespace atelier::pxe
