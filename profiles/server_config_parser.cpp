// atelier.toml: TOML to a validated ServerConfig. Schema: docs/CONFIG.md.
#include "base/text.h"
#include "profiles/detail/text.h"
#include "profiles/detail/toml_reader.h"
#include "profiles/server_config.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace atelier::profiles {
namespace {

using detail::Named;
using detail::Need;
using detail::TableReader;

constexpr std::array<Named<DhcpMode>, 2> k_dhcp_modes{{
    {DhcpMode::proxy, "proxy"},
    {DhcpMode::standalone, "standalone"},
}};
constexpr std::array<Named<UefiChain>, 3> k_uefi_chains{{
    {UefiChain::automatic, "auto"},
    {UefiChain::signed_chain, "signed"},
    {UefiChain::ipxe, "ipxe"},
}};

constexpr std::array<Named<WipeGate>, 4> k_wipe_gates{{
    {WipeGate::expected_or_confirm, "expected-or-confirm"},
    {WipeGate::expected, "expected"},
    {WipeGate::confirm, "confirm"},
    {WipeGate::open, "open"},
}};
constexpr std::array<Named<AfterReady>, 3> k_after_ready{{
    {AfterReady::poweroff, "poweroff"},
    {AfterReady::reboot, "reboot"},
    {AfterReady::wait, "wait"},
}};

// Dotted-quad IPv4 as a 32-bit number, or nullopt. Strict: four decimal parts 0-255, no spaces.
std::optional<std::uint32_t> parse_ipv4(std::string_view text) {
  std::uint32_t value = 0;
  for (int part = 0; part < 4; ++part) {
    unsigned octet = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), octet);
    if (ec != std::errc{} || end == text.data() || octet > 255 || end - text.data() > 3) {
      return std::nullopt;
    }
    value = value << 8U | octet;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    if (part < 3) {
      if (text.empty() || text.front() != '.') {
        return std::nullopt;
      }
      text.remove_prefix(1);
    }
  }
  return text.empty() ? std::optional(value) : std::nullopt;
}

bool is_netmask(std::uint32_t mask) {
  const std::uint32_t inverted = ~mask;
  return mask != 0 && (inverted & (inverted + 1)) == 0; // ones then zeros
}

// Linux interface names: 1-15 characters, no '/', no whitespace, not "." or "..".
bool is_interface_name(std::string_view name) {
  if (name.empty() || name.size() > 15 || name == "." || name == "..") {
    return false;
  }
  for (const char c : name) {
    if (c == '/' || c == ':' || c <= ' ' || c == 127) {
      return false;
    }
  }
  return true;
}

std::filesystem::path resolve(const std::filesystem::path& base_dir, std::string text) {
  std::filesystem::path path(std::move(text));
  return path.is_absolute() || base_dir.empty() ? path : base_dir / path;
}

// True when the key is in the file (even if it is in error), false when the default stays.
bool read_path(const TableReader& t, std::string_view key, const std::filesystem::path& base,
               std::filesystem::path& out) {
  if (auto value = t.string(key, Need::optional)) {
    if (value->empty()) {
      t.error(key, "must not be empty (leave the key out for the default)");
      return true;
    }
    out = resolve(base, std::move(*value));
    return true;
  }
  return false;
}

// Which state paths the file sets itself; the others are derived from state_dir.
struct ExplicitPaths {
  bool database = false;
  bool keys_dir = false;
};

void read_server(const TableReader& root, const std::filesystem::path& base, ServerSection& s,
                 ExplicitPaths& given) {
  const toml::table* table = root.subtable("server", Need::optional);
  if (table == nullptr) {
    return;
  }
  const TableReader t(root.reporter(), *table, "server",
                      {"interface", "address", "database", "state_dir", "site"});
  if (auto name = t.string("interface", Need::optional)) {
    if (!is_interface_name(*name)) {
      t.error("interface",
              fmt::format("\"{}\" is not a network interface name (e.g. \"enp3s0\")", *name));
    }
    s.interface = std::move(*name);
  }
  if (auto address = t.string("address", Need::optional)) {
    if (!parse_ipv4(*address)) {
      t.error("address",
              fmt::format("\"{}\" is not an IPv4 address (e.g. \"192.168.10.1\")", *address));
    }
    s.address = std::move(*address);
  }
  given.database = read_path(t, "database", base, s.database);
  read_path(t, "state_dir", base, s.state_dir);
  if (auto site = t.string("site", Need::optional)) {
    s.site = std::move(*site);
  }
}

void read_dhcp(const TableReader& root, DhcpSection& d) {
  const toml::table* table = root.subtable("dhcp", Need::optional);
  if (table == nullptr) {
    return;
  }
  const TableReader t(root.reporter(), *table, "dhcp",
                      {"mode", "reply_delay_ms", "pool", "netmask", "lease_seconds"});
  if (auto mode = t.choice("mode", Need::optional, k_dhcp_modes)) {
    d.mode = *mode;
  }
  if (auto delay = t.integer("reply_delay_ms", Need::optional, 0, 5000)) {
    d.reply_delay_ms = static_cast<int>(*delay);
  }
  if (auto lease = t.integer("lease_seconds", Need::optional, 60, 7 * 24 * 3600)) {
    d.lease_seconds = static_cast<int>(*lease);
  }
  // 0 when the netmask is invalid (already reported): the pool's subnet check is then skipped.
  std::uint32_t mask = parse_ipv4(d.netmask).value_or(0);
  if (auto netmask = t.string("netmask", Need::optional)) {
    mask = parse_ipv4(*netmask).value_or(0);
    if (!is_netmask(mask)) {
      t.error("netmask",
              fmt::format("\"{}\" is not a subnet mask (e.g. \"255.255.255.0\")", *netmask));
      mask = 0;
    }
    d.netmask = std::move(*netmask);
  }
  if (auto pool = t.string("pool", Need::optional)) {
    const auto dash = pool->find('-');
    const auto first = dash == std::string::npos ? std::nullopt : parse_ipv4(pool->substr(0, dash));
    const auto last = dash == std::string::npos ? std::nullopt : parse_ipv4(pool->substr(dash + 1));
    if (!first || !last) {
      t.error("pool", fmt::format("\"{}\": expected FIRST-LAST, two IPv4 addresses "
                                  "(e.g. \"192.168.10.100-192.168.10.199\")",
                                  *pool));
    } else if (*first > *last) {
      t.error("pool", fmt::format("\"{}\": the first address comes after the last", *pool));
    } else if (mask != 0 && (*first & mask) != (*last & mask)) {
      t.error("pool", fmt::format("\"{}\": both ends must be in one subnet of netmask {}", *pool,
                                  d.netmask));
    }
    d.pool = std::move(*pool);
  }
  if (d.mode == DhcpMode::standalone && d.pool.empty()) {
    t.missing("pool", "standalone mode hands out addresses: give the range, "
                      "e.g. pool = \"192.168.10.100-192.168.10.199\"");
  }
  if (d.mode == DhcpMode::proxy && !d.pool.empty()) {
    t.warning("pool", "ignored in proxy mode (the site's DHCP server hands out the addresses)");
  }
}

void read_boot(const TableReader& root, const std::filesystem::path& base, BootSection& b) {
  const toml::table* table = root.subtable("boot", Need::optional);
  if (table == nullptr) {
    return;
  }
  const TableReader t(root.reporter(), *table, "boot",
                      {"http_port", "bootenv_dir", "ipxe_dir", "token_minutes", "uefi_chain"});
  if (auto port = t.integer("http_port", Need::optional, 1, 65535)) {
    b.http_port = static_cast<std::uint16_t>(*port);
  }
  read_path(t, "bootenv_dir", base, b.bootenv_dir);
  read_path(t, "ipxe_dir", base, b.ipxe_dir);
  if (auto minutes = t.integer("token_minutes", Need::optional, 1, 24 * 60)) {
    b.token_minutes = static_cast<int>(*minutes);
  }
  if (auto chain = t.choice("uefi_chain", Need::optional, k_uefi_chains)) {
    b.uefi_chain = *chain;
  }
}

void read_pipeline(const TableReader& root, const std::filesystem::path& base, PipelineSection& p,
                   ExplicitPaths& given) {
  const toml::table* table = root.subtable("pipeline", Need::optional);
  if (table == nullptr) {
    return;
  }
  const TableReader t(root.reporter(), *table, "pipeline",
                      {"profiles_dir", "images_dir", "program", "keys_dir", "max_active_units",
                       "step_timeout_minutes", "stall_minutes", "after_ready",
                       "bench_budget_seconds", "wipe_gate", "protected"});
  read_path(t, "profiles_dir", base, p.profiles_dir);
  read_path(t, "images_dir", base, p.images_dir);
  read_path(t, "program", base, p.program);
  given.keys_dir = read_path(t, "keys_dir", base, p.keys_dir);
  if (auto n = t.integer("max_active_units", Need::optional, 1, 1000)) {
    p.max_active_units = static_cast<int>(*n);
  }
  if (auto n = t.integer("step_timeout_minutes", Need::optional, 1, 7 * 24 * 60)) {
    p.step_timeout_minutes = static_cast<int>(*n);
  }
  if (auto n = t.integer("stall_minutes", Need::optional, 1, 24 * 60)) {
    p.stall_minutes = static_cast<int>(*n);
  }
  if (auto after = t.choice("after_ready", Need::optional, k_after_ready)) {
    p.after_ready = *after;
  }
  if (auto n = t.integer("bench_budget_seconds", Need::optional, 5, 3600)) {
    p.bench_budget_seconds = static_cast<int>(*n);
  }
  if (auto gate = t.choice("wipe_gate", Need::optional, k_wipe_gates)) {
    p.wipe_gate = *gate;
  }
  if (const toml::array* items = t.array("protected", Need::optional)) {
    for (std::size_t i = 0; i < items->size(); ++i) {
      const auto text = (*items)[i].value<std::string>();
      const std::string trimmed = text ? std::string(base::trim(*text)) : std::string();
      if (trimmed.empty()) {
        t.error("protected", fmt::format("element {} must be a MAC address or a serial (a "
                                         "non-empty string)",
                                         i));
        continue;
      }
      // A MAC in any usual spelling is kept as iPXE and the database write it.
      const bool mac_like = trimmed.size() == 17 && (trimmed[2] == ':' || trimmed[2] == '-');
      p.protected_machines.push_back(mac_like ? base::to_lower(trimmed) : trimmed);
      if (mac_like) {
        std::replace(p.protected_machines.back().begin(), p.protected_machines.back().end(), '-',
                     ':');
      }
    }
  }
}

void read_api(const TableReader& root, ApiSection& a) {
  const toml::table* table = root.subtable("api", Need::optional);
  if (table == nullptr) {
    return;
  }
  const TableReader t(root.reporter(), *table, "api",
                      {"enabled", "listen", "token_hours", "allow_workshop_network"});
  if (auto enabled = t.boolean("enabled", Need::optional)) {
    a.enabled = *enabled;
  }
  if (auto listen = t.string("listen", Need::optional)) {
    // The address itself is checked when atelierd binds it; here only the shape.
    const auto colon = listen->rfind(':');
    unsigned port = 0;
    const char* first = colon == std::string::npos ? nullptr : listen->data() + colon + 1;
    const char* last = listen->data() + listen->size();
    const auto [end, ec] = first == nullptr
                               ? std::from_chars_result{nullptr, std::errc::invalid_argument}
                               : std::from_chars(first, last, port);
    if (colon == std::string::npos || colon == 0 || ec != std::errc{} || end != last ||
        port > 65535) {
      t.error("listen",
              fmt::format("\"{}\": expected ADDRESS:PORT, e.g. \"127.0.0.1:8090\"", *listen));
    }
    a.listen = std::move(*listen);
  }
  if (auto hours = t.integer("token_hours", Need::optional, 1, 7 * 24)) {
    a.token_hours = static_cast<int>(*hours);
  }
  if (auto allow = t.boolean("allow_workshop_network", Need::optional)) {
    a.allow_workshop_network = *allow;
  }
}

// TOML basic string with the escapes TOML requires.
std::string toml_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        out += fmt::format("\\u{:04X}", static_cast<unsigned char>(c));
      } else {
        out += c;
      }
    }
  }
  return out + "\"";
}

} // namespace

std::string_view to_string(DhcpMode mode) {
  return detail::name_of(k_dhcp_modes, mode);
}
bool uses_signed_chain(const ServerConfig& config) {
  switch (config.boot.uefi_chain) {
  case UefiChain::automatic:
    return config.dhcp.mode == DhcpMode::standalone;
  case UefiChain::signed_chain:
    return true;
  case UefiChain::ipxe:
    return false;
  }
  return false;
}

bool uses_signed_http_chain(const ServerConfig& config) {
  return config.boot.uefi_chain != UefiChain::ipxe;
}

std::string_view to_string(UefiChain chain) {
  return detail::name_of(k_uefi_chains, chain);
}

std::string_view to_string(WipeGate gate) {
  return detail::name_of(k_wipe_gates, gate);
}
std::string_view to_string(AfterReady after) {
  return detail::name_of(k_after_ready, after);
}

std::expected<ServerConfig, Diagnostics> parse_server_config(std::string_view toml_text,
                                                             std::string_view file_name) {
  detail::Reporter reporter{std::string(file_name)};
  const std::optional<toml::table> document = detail::parse_toml(toml_text, reporter);
  if (!document) {
    return std::unexpected(reporter.take());
  }
  const std::filesystem::path base = std::filesystem::path(file_name).parent_path();
  const TableReader root(reporter, *document, "", {"server", "dhcp", "boot", "pipeline", "api"});
  ServerConfig config;
  ExplicitPaths given;
  read_server(root, base, config.server, given);
  read_dhcp(root, config.dhcp);
  read_boot(root, base, config.boot);
  read_pipeline(root, base, config.pipeline, given);
  // state_dir holds what the file does not place elsewhere: the database (and so the lease
  // journal beside it) and the signing key.
  if (!given.database) {
    config.server.database = config.server.state_dir / "atelier.db";
  }
  if (!given.keys_dir) {
    config.pipeline.keys_dir = config.server.state_dir / "keys";
  }
  read_api(root, config.api);
  if (reporter.has_errors()) {
    return std::unexpected(reporter.take());
  }
  config.warnings = reporter.take();
  return config;
}

std::expected<ServerConfig, Diagnostics> load_server_config(const std::filesystem::path& file) {
  auto text = detail::read_text_file(file);
  if (!text) {
    return std::unexpected(Diagnostics{Diagnostic{file.string(), 0, 0, "", text.error()}});
  }
  return parse_server_config(*text, file.string());
}

std::string to_toml(const ServerConfig& c) {
  std::string out = "# atelierd configuration (docs/CONFIG.md)\n\n[server]\n";
  if (!c.server.interface.empty()) {
    out += fmt::format("interface = {}\n", toml_string(c.server.interface));
  }
  if (!c.server.address.empty()) {
    out += fmt::format("address = {}\n", toml_string(c.server.address));
  }
  out += fmt::format("database = {}\nstate_dir = {}\n", toml_string(c.server.database.string()),
                     toml_string(c.server.state_dir.string()));
  if (!c.server.site.empty()) {
    out += fmt::format("site = {}\n", toml_string(c.server.site));
  }
  out += fmt::format("\n[dhcp]\nmode = {}\nreply_delay_ms = {}\n",
                     toml_string(to_string(c.dhcp.mode)), c.dhcp.reply_delay_ms);
  if (!c.dhcp.pool.empty()) {
    out += fmt::format("pool = {}\n", toml_string(c.dhcp.pool));
  }
  out += fmt::format("netmask = {}\nlease_seconds = {}\n", toml_string(c.dhcp.netmask),
                     c.dhcp.lease_seconds);
  out +=
      fmt::format("\n[boot]\nhttp_port = {}\nbootenv_dir = {}\nipxe_dir = {}\ntoken_minutes = {}\n"
                  "uefi_chain = {}\n",
                  c.boot.http_port, toml_string(c.boot.bootenv_dir.string()),
                  toml_string(c.boot.ipxe_dir.string()), c.boot.token_minutes,
                  toml_string(to_string(c.boot.uefi_chain)));
  out += fmt::format(
      "\n[pipeline]\nprofiles_dir = {}\nimages_dir = {}\nprogram = {}\n"
      "keys_dir = {}\nmax_active_units = {}\nstep_timeout_minutes = {}\n"
      "stall_minutes = {}\nafter_ready = {}\nbench_budget_seconds = {}\nwipe_gate = {}\n",
      toml_string(c.pipeline.profiles_dir.string()), toml_string(c.pipeline.images_dir.string()),
      toml_string(c.pipeline.program.string()), toml_string(c.pipeline.keys_dir.string()),
      c.pipeline.max_active_units, c.pipeline.step_timeout_minutes, c.pipeline.stall_minutes,
      toml_string(to_string(c.pipeline.after_ready)), c.pipeline.bench_budget_seconds,
      toml_string(to_string(c.pipeline.wipe_gate)));
  if (!c.pipeline.protected_machines.empty()) {
    std::vector<std::string> quoted;
    for (const auto& m : c.pipeline.protected_machines) {
      quoted.push_back(toml_string(m));
    }
    out += fmt::format("protected = [{}]\n", fmt::join(quoted, ", "));
  }
  out += fmt::format("\n[api]\nenabled = {}\nlisten = {}\ntoken_hours = {}\n"
                     "allow_workshop_network = {}\n",
                     c.api.enabled, toml_string(c.api.listen), c.api.token_hours,
                     c.api.allow_workshop_network);
  return out;
}

} // namespace atelier::profiles
