#include "pxe/boot_choice.h"

#include <array>
#include <utility>

namespace atelier::pxe {

namespace {

// The four CPU families Atelier can boot, each with a PXE (TFTP) and an HTTP-boot architecture
// code.
enum class Cpu : std::uint8_t { ia32, x64, arm32, arm64 };

std::optional<Cpu> cpu_of(std::uint16_t value) {
  switch (value) {
  case arch::k_efi_ia32:
  case arch::k_efi_ia32_http:
    return Cpu::ia32;
  case arch::k_efi_x64:
  case arch::k_efi_bc: // see arch::k_efi_bc: old x64 firmware sends 9
  case arch::k_efi_x64_http:
    return Cpu::x64;
  case arch::k_efi_arm32:
  case arch::k_efi_arm32_http:
    return Cpu::arm32;
  case arch::k_efi_arm64:
  case arch::k_efi_arm64_http:
    return Cpu::arm64;
  default:
    return std::nullopt;
  }
}

const std::string& efi_file(Cpu cpu, const BootConfig& config) {
  switch (cpu) {
  case Cpu::ia32:
    return config.efi_ia32_file;
  case Cpu::x64:
    return config.efi_x64_file;
  case Cpu::arm32:
    return config.efi_arm32_file;
  case Cpu::arm64:
    return config.efi_arm64_file;
  }
  return config.efi_x64_file;
}

std::string arch_text(std::uint16_t value) {
  return std::to_string(value) + " (" + std::string(arch_name(value)) + ")";
}

BootRefusal refuse(std::string reason) {
  return BootRefusal{std::move(reason)};
}

} // namespace

std::string expand_boot_template(std::string_view text, const ClientInfo& client,
                                 const BootConfig& config) {
  const std::array<std::pair<std::string_view, std::string>, 5> values = {{
      {"{server}", config.server.str()},
      {"{port}", std::to_string(config.http_port)},
      {"{mac}", client.mac ? client.mac->str(':') : std::string("${mac}")},
      {"{mac_hyphens}", client.mac ? client.mac->str('-') : std::string("${mac:hexhyp}")},
      {"{arch}", std::to_string(client.arch.value_or(arch::k_bios))},
  }};
  std::string out;
  while (!text.empty()) {
    bool replaced = false;
    if (text.front() == '{') {
      for (const auto& [key, value] : values) {
        if (text.starts_with(key)) {
          out += value;
          text.remove_prefix(key.size());
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) {
      out += text.front();
      text.remove_prefix(1);
    }
  }
  return out;
}

std::expected<BootChoice, BootRefusal> choose_boot(const ClientInfo& client,
                                                   const BootConfig& config) {
  if (client.firmware == FirmwareFamily::not_pxe) {
    return std::unexpected(refuse("not a network-boot client (vendor class \"" +
                                  client.vendor_class +
                                  "\", no iPXE user class): left to the site's DHCP server"));
  }
  // Loop avoidance: iPXE, whether our second stage or a NIC ROM, goes straight to the script;
  // handing it undionly.kpxe/ipxe.efi again would chain forever (and undionly fails under native
  // iPXE).
  if (client.is_ipxe) {
    return BootChoice{BootTransport::http,
                      expand_boot_template(config.ipxe_script_url, client, config),
                      "iPXE: boot script over HTTP"};
  }
  const std::uint16_t value = client.arch.value_or(arch::k_bios);
  if (client.firmware == FirmwareFamily::uefi_http) {
    const auto cpu = cpu_of(value);
    if (!cpu) {
      return std::unexpected(refuse("UEFI HTTP boot for client architecture " + arch_text(value) +
                                    " is not supported"));
    }
    if (*cpu == Cpu::x64 && !config.efi_x64_signed_http_url.empty()) {
      return BootChoice{BootTransport::http,
                        expand_boot_template(config.efi_x64_signed_http_url, client, config),
                        "UEFI HTTP boot, arch " + arch_text(value) +
                            ": Debian's signed shim and GRUB in a RAM disk, kernel over TFTP "
                            "(Secure Boot on or off)"};
    }
    const std::string& file = efi_file(*cpu, config);
    if (file.empty()) {
      return std::unexpected(
          refuse("no EFI file configured for client architecture " + arch_text(value)));
    }
    return BootChoice{BootTransport::http,
                      expand_boot_template(config.http_boot_base, client, config) + file,
                      "UEFI HTTP boot, arch " + arch_text(value) + ": iPXE EFI over HTTP"};
  }
  if (value == arch::k_bios) {
    if (config.bios_file.empty()) {
      return std::unexpected(refuse("no BIOS boot file configured"));
    }
    return BootChoice{BootTransport::tftp, config.bios_file, "BIOS PXE ROM: iPXE over UNDI"};
  }
  const auto cpu = cpu_of(value);
  if (!cpu || is_http_boot_arch(value)) {
    // An HTTP-boot architecture without the HTTPClient vendor class cannot take a TFTP file either.
    return std::unexpected(refuse("client architecture " + arch_text(value) + " is not supported"));
  }
  if (*cpu == Cpu::x64 && config.efi_x64_signed) {
    return BootChoice{BootTransport::tftp, config.efi_x64_signed_file,
                      "UEFI PXE, arch " + arch_text(value) +
                          ": Debian's signed shim, GRUB and kernel over TFTP (Secure Boot on or "
                          "off)"};
  }
  const std::string& file = efi_file(*cpu, config);
  if (file.empty()) {
    return std::unexpected(
        refuse("no EFI file configured for client architecture " + arch_text(value)));
  }
  return BootChoice{BootTransport::tftp, file,
                    "UEFI PXE, arch " + arch_text(value) + ": iPXE EFI over TFTP"};
}

} // namespace atelier::pxe
