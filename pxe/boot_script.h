// The per-machine iPXE script served at /boot/<mac>.ipxe, as a pure function: no I/O, no clock,
// no randomness (the token is an input). Written out in docs/HTTP-BOOT.md "The script".
//
// Why it looks the way it does:
//  - `initrd=<initrd file name>` is always on the kernel command line: the 2019 Debian ipxe.efi
//    hands the initrd to the Linux EFI stub only by that name, and without it the kernel panics
//    "Unable to mount root fs" (PXE-NOTES, seen). BIOS boots ignore it, so one script serves both.
//  - iPXE names a downloaded image after the last component of its URL, so the `initrd=` value is
//    exactly the file name the initrd URL ends in.
//  - every download and the boot itself fall through to a message, a pause and the failure action,
//    so a volunteer sees what went wrong instead of a blank screen.
//  - nothing is quoted: iPXE's quoting differs between versions and the kernel has its own, so
//    every value is validated to need none (no whitespace, quotes, backslashes, `$`, `#`, control
//    characters); a value that would need quoting is an error, never silently mangled.
#pragma once

#include "base/mac_address.h"

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::pxe {

enum class BootFailureAction : std::uint8_t {
  reboot, // try the whole network boot again (the workshop default: the server may be back)
  exit,   // return to the firmware, which tries its next boot device
};

struct BootScriptConfig {
  // Base URL of the Atelier server as the boot environment reaches it: "http://198.18.0.1:8080".
  // Becomes atelier.server=; the agent posts its reports there.
  std::string server_url;
  // Where the kernel and initrd are, without a trailing slash: "http://198.18.0.1:8080/boot".
  std::string files_url;
  std::string kernel_name = "vmlinuz";
  std::string initrd_name = "initrd.img";
  // The program's language ("fr"), or "" for none: becomes atelier.lang=, so the boot environment
  // speaks it on the machine's screen from its first line, before the agent registers
  // (docs/TRANSLATING.md). Two to eight lower-case letters.
  std::string language;
  // Console on screen and on the first serial port (the VM tests read the serial console).
  std::vector<std::string> console_args = {"console=tty0", "console=ttyS0,115200"};
  // Appended after everything else ("quiet", "loglevel=4", ...). Same character rules.
  std::vector<std::string> extra_args;
  BootFailureAction on_failure = BootFailureAction::reboot;
  int failure_pause_seconds = 30;
};

// The kernel command line (without the kernel URL): initrd=, atelier.server=, atelier.token=,
// atelier.mac=, atelier.lang= (when a language is set), console args, extra args, in that order.
// Exposed for tests and docs.
std::expected<std::string, std::string> boot_kernel_command_line(const BootScriptConfig& config,
                                                                 const base::MacAddress& mac,
                                                                 std::string_view token);

// The complete script, starting "#!ipxe\n". Errors name the offending value
// ("extra argument \"a b\": contains a space; values are never quoted").
std::expected<std::string, std::string> make_boot_script(const BootScriptConfig& config,
                                                         const base::MacAddress& mac,
                                                         std::string_view token);

} // namespace atelier::pxe
