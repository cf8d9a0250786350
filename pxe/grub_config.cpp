#include "pxe/grub_config.h"

#include <fmt/format.h>

namespace atelier::pxe {

namespace {

constexpr std::string_view k_main = "grub/grub.cfg";
constexpr std::string_view k_entry_dir = "grub/atelier/";
constexpr std::string_view k_entry_suffix = ".cfg";

} // namespace

std::optional<GrubRequest> parse_grub_request(std::string_view tftp_name) {
  while (tftp_name.starts_with('/')) {
    tftp_name.remove_prefix(1);
  }
  if (tftp_name == k_main) {
    return GrubRequest{GrubRequest::Kind::main_config, {}};
  }
  if (!tftp_name.starts_with(k_entry_dir) || !tftp_name.ends_with(k_entry_suffix)) {
    return std::nullopt;
  }
  tftp_name.remove_prefix(k_entry_dir.size());
  tftp_name.remove_suffix(k_entry_suffix.size());
  // GRUB's ${net_default_mac} is colon-separated lower case; parse() takes the usual spellings.
  auto mac = base::MacAddress::parse(tftp_name);
  if (!mac) {
    return std::nullopt;
  }
  return GrubRequest{GrubRequest::Kind::machine_entry, *mac};
}

std::string grub_main_config(std::string_view server) {
  return fmt::format(
      "# Atelier: Debian's signed network chain (shim, GRUB, kernel); docs/PXE.md \"Secure Boot\"\n"
      "set timeout=0\n"
      "echo \"Atelier: asking {server} for the boot entry of ${{net_default_mac}}\"\n"
      "source (tftp,{server})/grub/atelier/${{net_default_mac}}.cfg\n"
      "echo \"Atelier: no boot entry for this machine (see the server's log); returning to the "
      "firmware, which tries its next boot device\"\n"
      "sleep 5\n"
      "exit\n",
      fmt::arg("server", server));
}

std::string grub_http_disk_config(std::string_view server) {
  std::string text = fmt::format(
      "# Atelier: UEFI HTTP boot disk (Debian's signed shim and GRUB); docs/PXE.md \"Secure "
      "Boot\"\n"
      "set timeout=0\n"
      "echo \"Atelier: asking for a network address\"\n"
      "net_bootp\n");
  // GRUB's script has no indirection without the eval module (not in Debian's signed image), so
  // the cards are spelled out; net_bootp names them efinet0, efinet1... in firmware order.
  for (int card = 0; card < 4; ++card) {
    text += fmt::format("if [ -n \"$net_efinet{card}_dhcp_mac\" ]; then\n"
                        "  echo \"Atelier: asking {server} for the boot entry of "
                        "$net_efinet{card}_dhcp_mac\"\n"
                        "  source (tftp,{server})/grub/atelier/$net_efinet{card}_dhcp_mac.cfg\n"
                        "fi\n",
                        fmt::arg("card", card), fmt::arg("server", server));
  }
  text += "echo \"Atelier: no boot entry for this machine (see the server's log); returning to "
          "the firmware, which tries its next boot device\"\n"
          "sleep 5\n"
          "exit\n";
  return text;
}

std::expected<std::string, std::string> grub_machine_entry(const BootScriptConfig& config,
                                                           std::string_view server,
                                                           const base::MacAddress& mac,
                                                           std::string_view token) {
  auto command_line = boot_kernel_command_line(config, mac, token);
  if (!command_line) {
    return command_line;
  }
  // `initrd=` is for the EFI stub under iPXE; GRUB hands the initrd over itself.
  const std::string initrd_arg = fmt::format("initrd={} ", config.initrd_name);
  if (command_line->starts_with(initrd_arg)) {
    command_line->erase(0, initrd_arg.size());
  }
  return fmt::format("# Atelier boot entry for {mac}\n"
                     "echo \"Atelier: loading the boot environment\"\n"
                     "linux (tftp,{server}){kernel} {cmdline}\n"
                     "initrd (tftp,{server}){initrd}\n"
                     "boot\n",
                     fmt::arg("mac", mac.str(':')), fmt::arg("server", server),
                     fmt::arg("kernel", k_grub_kernel_path), fmt::arg("cmdline", *command_line),
                     fmt::arg("initrd", k_grub_initrd_path));
}

} // namespace atelier::pxe
