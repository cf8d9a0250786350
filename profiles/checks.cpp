// Shape checks for tailoring values, and hostname patterns.
#include "profiles/detail/checks.h"

#include "profiles/profile.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace atelier::profiles {
namespace {

bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool all_of(std::string_view s, bool (*predicate)(char)) {
  return std::all_of(s.begin(), s.end(), predicate);
}

constexpr std::string_view k_tag_placeholder = "{tag}";
// The longest asset tag hardware-db can print: 4-letter prefix, 12-digit number, check digit.
constexpr std::string_view k_longest_tag = "ABCD-000000000000-0";
constexpr std::size_t k_max_label = 63;

// A DNS label as hostnames need it (RFC 1123), lower case only.
std::optional<std::string> check_label(std::string_view label) {
  if (label.empty()) {
    return "the hostname would be empty";
  }
  if (label.size() > k_max_label) {
    return fmt::format("with the longest asset tag the hostname has {} characters, the limit is {}",
                       label.size(), k_max_label);
  }
  for (char c : label) {
    if (is_upper(c)) {
      return fmt::format("'{}': write hostnames in lower case", c);
    }
    if (!is_lower(c) && !is_digit(c) && c != '-') {
      return fmt::format("'{}' is not allowed in a hostname (a-z, 0-9 and '-' only)", c);
    }
  }
  if (label.front() == '-' || label.back() == '-') {
    return "a hostname cannot start or end with '-'";
  }
  return std::nullopt;
}

} // namespace

std::optional<std::string> check_hostname_pattern(std::string_view pattern) {
  const std::size_t first = pattern.find(k_tag_placeholder);
  if (first == std::string_view::npos) {
    return "must contain {tag} (the asset tag), so that every machine gets its own name";
  }
  std::string rest(pattern);
  for (std::size_t at = rest.find(k_tag_placeholder); at != std::string::npos;
       at = rest.find(k_tag_placeholder)) {
    rest.replace(at, k_tag_placeholder.size(), "");
  }
  if (rest.find_first_of("{}") != std::string::npos) {
    return "the only placeholder is {tag}";
  }
  return check_label(expand_hostname(pattern, k_longest_tag));
}

std::string expand_hostname(std::string_view pattern, std::string_view asset_tag) {
  std::string tag(asset_tag);
  std::transform(tag.begin(), tag.end(), tag.begin(),
                 [](char c) { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; });
  std::string out(pattern);
  for (std::size_t at = out.find(k_tag_placeholder); at != std::string::npos;
       at = out.find(k_tag_placeholder, at + tag.size())) {
    out.replace(at, k_tag_placeholder.size(), tag);
  }
  return out;
}

namespace detail {

std::optional<std::string> check_profile_name(std::string_view name) {
  if (name.empty() || name.size() > k_max_label) {
    return "must have 1 to 63 characters";
  }
  const bool ok = std::all_of(name.begin(), name.end(),
                              [](char c) { return is_lower(c) || is_digit(c) || c == '-'; });
  if (!ok || name.front() == '-' || name.back() == '-') {
    return fmt::format("\"{}\": use a-z, 0-9 and '-' (not at either end), e.g. \"family-desktop\"",
                       name);
  }
  return std::nullopt;
}

std::optional<std::string> check_locale(std::string_view locale) {
  // language[_TERRITORY].UTF-8[@modifier], or C.UTF-8: every image Atelier installs is UTF-8.
  const auto refuse = [&] {
    return fmt::format("\"{}\" is not a UTF-8 locale name such as \"fr_FR.UTF-8\"", locale);
  };
  std::string_view rest = locale;
  if (const std::size_t at = rest.find('@'); at != std::string_view::npos) {
    const std::string_view modifier = rest.substr(at + 1);
    if (modifier.empty() || !all_of(modifier, is_lower)) {
      return refuse();
    }
    rest = rest.substr(0, at);
  }
  static constexpr std::string_view k_codeset = ".UTF-8";
  if (!rest.ends_with(k_codeset)) {
    return refuse();
  }
  rest.remove_suffix(k_codeset.size());
  if (rest == "C") {
    return std::nullopt;
  }
  const std::size_t underscore = rest.find('_');
  const std::string_view language = rest.substr(0, underscore);
  if (language.size() < 2 || language.size() > 3 || !all_of(language, is_lower)) {
    return refuse();
  }
  if (underscore != std::string_view::npos) {
    const std::string_view territory = rest.substr(underscore + 1);
    if (territory.size() != 2 || !all_of(territory, is_upper)) {
      return refuse();
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_keyboard_layout(std::string_view layout) {
  const bool ok = layout.size() >= 2 && layout.size() <= 16 && is_lower(layout.front()) &&
                  std::all_of(layout.begin(), layout.end(),
                              [](char c) { return is_lower(c) || is_digit(c) || c == '_'; });
  if (!ok) {
    return fmt::format("\"{}\" is not an XKB layout name such as \"fr\", \"us\" or \"be\"", layout);
  }
  return std::nullopt;
}

std::optional<std::string> check_keyboard_variant(std::string_view variant) {
  const bool ok = !variant.empty() && variant.size() <= 32 &&
                  std::all_of(variant.begin(), variant.end(), [](char c) {
                    return is_lower(c) || is_digit(c) || c == '_' || c == '-';
                  });
  if (!ok) {
    return fmt::format("\"{}\" is not an XKB variant name such as \"oss\" or \"bepo\"", variant);
  }
  return std::nullopt;
}

std::optional<std::string> check_timezone(std::string_view zone) {
  // Area/Location[/Location] with the tz database's areas; catches "Europa/Paris", "Paris", "CET".
  static constexpr std::array<std::string_view, 11> k_areas{
      "Africa",    "America", "Antarctica", "Arctic",  "Asia", "Atlantic",
      "Australia", "Europe",  "Indian",     "Pacific", "Etc"};
  const auto refuse = [&](std::string_view why) {
    return fmt::format("\"{}\" is not a time zone such as \"Europe/Paris\": {}", zone, why);
  };
  const std::size_t slash = zone.find('/');
  if (slash == std::string_view::npos) {
    return refuse("expected Area/City");
  }
  const std::string_view area = zone.substr(0, slash);
  if (std::find(k_areas.begin(), k_areas.end(), area) == k_areas.end()) {
    return refuse(fmt::format("unknown area '{}'", area));
  }
  std::string_view rest = zone.substr(slash + 1);
  while (true) {
    const std::size_t next = rest.find('/');
    const std::string_view part = rest.substr(0, next);
    const bool ok =
        !part.empty() && (is_upper(part.front()) || is_digit(part.front())) &&
        std::all_of(part.begin(), part.end(), [](char c) {
          return is_lower(c) || is_upper(c) || is_digit(c) || c == '_' || c == '-' || c == '+';
        });
    if (!ok) {
      return refuse(fmt::format("'{}' is not a place name", part));
    }
    if (next == std::string_view::npos) {
      return std::nullopt;
    }
    rest = rest.substr(next + 1);
  }
}

std::optional<std::string> check_username(std::string_view name) {
  const bool ok =
      !name.empty() && name.size() <= 32 && (is_lower(name.front()) || name.front() == '_') &&
      std::all_of(name.begin(), name.end(),
                  [](char c) { return is_lower(c) || is_digit(c) || c == '_' || c == '-'; });
  if (!ok) {
    return fmt::format("\"{}\" is not a user name: 1 to 32 of a-z, 0-9, '_', '-', starting with a "
                       "letter or '_'",
                       name);
  }
  if (name == "root") {
    return "the preset account cannot be root";
  }
  // Accounts that Debian's base system and desktop packages create for themselves: a preset
  // account of that name would clash with the package's (useradd refuses it, or the service
  // breaks).
  static constexpr std::string_view k_system_users[] = {"daemon",
                                                        "bin",
                                                        "sys",
                                                        "sync",
                                                        "games",
                                                        "man",
                                                        "lp",
                                                        "mail",
                                                        "news",
                                                        "uucp",
                                                        "proxy",
                                                        "www-data",
                                                        "backup",
                                                        "list",
                                                        "irc",
                                                        "gnats",
                                                        "nobody",
                                                        "_apt",
                                                        "messagebus",
                                                        "systemd-network",
                                                        "systemd-resolve",
                                                        "systemd-timesync",
                                                        "polkitd",
                                                        "avahi",
                                                        "lightdm",
                                                        "sddm",
                                                        "gdm",
                                                        "colord",
                                                        "saned",
                                                        "pulse",
                                                        "rtkit",
                                                        "geoclue",
                                                        "usbmux",
                                                        "dnsmasq",
                                                        "sshd",
                                                        "tss",
                                                        "speech-dispatcher",
                                                        "cups-pk-helper",
                                                        "hplip",
                                                        "nm-openvpn",
                                                        "avahi-autoipd",
                                                        "tcpdump",
                                                        "uuidd",
                                                        "kernoops"};
  if (std::ranges::find(k_system_users, name) != std::end(k_system_users)) {
    return fmt::format("\"{}\" is a system account that Debian's packages create for themselves; "
                       "choose another name",
                       name);
  }
  return std::nullopt;
}

std::optional<std::string> check_target_path(std::string_view path) {
  if (path.empty() || path.front() != '/') {
    return fmt::format("\"{}\": must be an absolute path in the installed system", path);
  }
  if (path.back() == '/') {
    return fmt::format("\"{}\": names a directory; give the file's path", path);
  }
  std::string_view rest = path.substr(1);
  while (!rest.empty()) {
    const std::size_t next = rest.find('/');
    const std::string_view part = rest.substr(0, next);
    if (part.empty() || part == "." || part == "..") {
      return fmt::format("\"{}\": no empty, '.' or '..' components", path);
    }
    rest = next == std::string_view::npos ? std::string_view{} : rest.substr(next + 1);
  }
  return std::nullopt;
}

std::optional<std::string> check_sha256(std::string_view digest) {
  const bool ok = digest.size() == 64 && std::all_of(digest.begin(), digest.end(), [](char c) {
                    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
                  });
  if (!ok) {
    return fmt::format("expected 64 hexadecimal digits, found {} characters{}", digest.size(),
                       digest.size() == 64 ? " with a non-hexadecimal one" : "");
  }
  return std::nullopt;
}

std::optional<std::string> check_file_mode(std::string_view text, unsigned& mode) {
  const bool ok =
      (text.size() == 3 || text.size() == 4) &&
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '7'; });
  if (!ok) {
    return fmt::format("\"{}\" is not an octal mode such as \"0644\"", text);
  }
  mode = 0;
  for (char c : text) {
    mode = mode * 8 + static_cast<unsigned>(c - '0');
  }
  return std::nullopt;
}

} // namespace detail
} // namespace atelier::profiles
