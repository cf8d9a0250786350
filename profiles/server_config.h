// The workshop server's configuration: /etc/atelier/atelier.toml, read by atelierd (and by the
// `atelier` command line for the database and directories). Every key is optional and has an
// embedded default (docs/CONFIG.md), so a server runs with no file at all once it knows its
// network interface. Validated like profiles: every error names file:line:column and the key.
#pragma once

#include "profiles/diagnostic.h"

#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::profiles {

enum class DhcpMode {
  proxy,      // beside the site's DHCP server: answers PXE clients only, hands out no address
  standalone, // the only DHCP server of an isolated workshop switch: leases from `pool`
};

enum class AfterReady {
  poweroff, // the volunteer labels the machine and shelves it
  reboot,   // boot the new system once (checks it starts), then the volunteer shuts it down
  wait,     // stay on the verdict screen until someone presses a key or powers it off
};

struct ServerSection {
  std::string interface; // workshop network interface, e.g. "enp3s0"; required at start
  std::string address;   // this server's IPv4 address on it; required at start
  // Unless the file sets them, the database is STATE_DIR/atelier.db (the lease journal beside it)
  // and [pipeline] keys_dir is STATE_DIR/keys.
  std::filesystem::path database = "/var/lib/atelier/atelier.db";
  std::filesystem::path state_dir = "/var/lib/atelier";
  std::string site; // workshop name for logs and records; the program file's site if empty
};

struct DhcpSection {
  DhcpMode mode = DhcpMode::proxy;
  int reply_delay_ms = 0;
  // standalone only
  std::string pool; // "FIRST-LAST", both IPv4 in the interface's subnet
  std::string netmask = "255.255.255.0";
  int lease_seconds = 3600;
};

// What UEFI x86-64 machines are given to boot (docs/PXE.md, "Secure Boot").
enum class UefiChain {
  // "auto": signed in standalone mode, iPXE in proxy mode (Debian 12's signed GRUB takes its server
  // from the site's DHCPACK and cannot read a proxyDHCP answer)
  automatic,
  // "signed": Debian's signed shim -> GRUB -> kernel; boots with Secure Boot on or off
  signed_chain,
  // "ipxe": iPXE's EFI binary, as BIOS machines; Secure Boot must be off
  ipxe,
};

struct BootSection {
  std::uint16_t http_port = 80;
  UefiChain uefi_chain = UefiChain::automatic;
  std::filesystem::path bootenv_dir = "/var/lib/atelier/bootenv"; // vmlinuz + initrd.img
  std::filesystem::path ipxe_dir = "/usr/lib/ipxe";
  int token_minutes = 30;
};

// Which machines the pipeline erases (docs/OPERATOR-GUIDE.md, "The wipe gate"). A PC that boots
// from the network by accident (a workshop PC, a coordinator's laptop on the same switch) must not
// lose its disk.
enum class WipeGate {
  expected_or_confirm, // expected machines at once; any other after a key at its own screen
  expected,            // only expected machines; others fail with the reason, untouched
  confirm,             // every machine after a key at its own screen
  open,                // every machine that boots (an isolated switch where only donations boot)
};

struct PipelineSection {
  std::filesystem::path profiles_dir = "/etc/atelier/profiles";
  std::filesystem::path images_dir = "/var/lib/atelier/images";
  std::filesystem::path program = "/etc/atelier/program.toml";
  std::filesystem::path keys_dir = "/var/lib/atelier/keys"; // the workshop's signing key
  int max_active_units = 30;          // machines in wipe or deploy at once; more wait for a slot
  int step_timeout_minutes = 24 * 60; // a step handed out this long ago fails, progress or not
  int stall_minutes = 10;             // no word from the agent for this long: it is presumed gone
  AfterReady after_ready = AfterReady::poweroff;
  int bench_budget_seconds = 60; // how long the bench step may take per machine (CPU, RAM, disks)
  WipeGate wipe_gate = WipeGate::expected_or_confirm;
  // The workshop's own machines: MAC addresses ("aa:bb:cc:dd:ee:ff", lower case once loaded) or
  // DMI serials. Never network-booted, never registered, never erased.
  std::vector<std::string> protected_machines;
};

// [api]: the coordinator API (docs/API.md). It carries personal data and passwords, so it listens
// on loopback by default (a reverse proxy with TLS in front for other machines), never on the
// workshop network where donated, untrusted machines boot, unless allow_workshop_network says so.
struct ApiSection {
  bool enabled = true;
  std::string listen = "127.0.0.1:8090"; // ADDRESS:PORT, [IPv6]:PORT
  int token_hours = 12;                  // how long a login lasts
  bool allow_workshop_network = false;   // listen on the workshop address or on all addresses
};

struct ServerConfig {
  ServerSection server;
  DhcpSection dhcp;
  BootSection boot;
  PipelineSection pipeline;
  ApiSection api;
  Diagnostics warnings;
};

inline constexpr std::string_view k_default_server_config = "/etc/atelier/atelier.toml";

std::string_view to_string(DhcpMode);
std::string_view to_string(AfterReady);
std::string_view to_string(WipeGate);
std::string_view to_string(UefiChain);
// Whether UEFI x86-64 machines booting over PXE get Debian's signed chain with this configuration
// ([boot] uefi_chain and, for "auto", [dhcp] mode: proxy mode gives them iPXE, because Debian 12's
// signed GRUB cannot follow a proxyDHCP answer).
bool uses_signed_chain(const ServerConfig& config);
// Whether UEFI x86-64 machines booting by UEFI HTTP boot get it (in its disk image): in both modes
// unless uefi_chain = "ipxe", since that GRUB takes its own address and is told our server.
bool uses_signed_http_chain(const ServerConfig& config);

// Pure: file_name appears in diagnostics; relative paths are resolved against its directory.
std::expected<ServerConfig, Diagnostics> parse_server_config(std::string_view toml_text,
                                                             std::string_view file_name);
std::expected<ServerConfig, Diagnostics> load_server_config(const std::filesystem::path& file);

// The configuration as a complete TOML document (every key, defaults included), for
// `atelierd --print-config`; parse_server_config of the result gives the same configuration.
std::string to_toml(const ServerConfig&);

} // namespace atelier::profiles
