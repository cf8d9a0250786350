#include "pxe/client_info.h"

#include <algorithm>

namespace atelier::pxe {

std::string_view firmware_family_name(FirmwareFamily family) {
  switch (family) {
  case FirmwareFamily::not_pxe:
    return "not-pxe";
  case FirmwareFamily::bios_pxe:
    return "bios-pxe";
  case FirmwareFamily::uefi_pxe:
    return "uefi-pxe";
  case FirmwareFamily::uefi_http:
    return "uefi-http";
  case FirmwareFamily::ipxe:
    return "ipxe";
  }
  return "unknown";
}

ClientInfo classify(const Packet& packet, const QuirkSet& decode_quirks) {
  ClientInfo info;
  info.quirks = decode_quirks;
  info.message_type = packet.message_type();
  info.mac = packet.mac();
  info.vendor_class = packet.vendor_class().value_or("");
  info.vendor = parse_vendor_class(info.vendor_class);
  info.ndi = client_ndi(packet);
  info.ipxe_features = ipxe_features(packet);

  if (auto classes = user_class(packet)) {
    info.user_classes = std::move(classes->classes);
    if (!classes->framed) {
      info.quirks.add(Quirk::unframed_user_class);
    }
  }
  // Loop avoidance (PXE-NOTES): iPXE announces itself with user class "iPXE" and with option 175.
  info.is_ipxe = packet.options.contains(opt::ipxe_encap) ||
                 std::find(info.user_classes.begin(), info.user_classes.end(), "iPXE") !=
                     info.user_classes.end();
  const bool pxe_vendor = info.vendor.kind != VendorClass::Kind::other;

  // Architecture: option 93 is authoritative (RFC 4578 §2.1); option 60's Arch field is the
  // fallback for clients that omit 93.
  info.archs = packet.client_architectures();
  if (!info.archs.empty()) {
    info.arch = info.archs.front();
    if (info.archs.size() > 1) {
      info.quirks.add(Quirk::several_client_archs);
    }
    if (info.vendor.arch && *info.vendor.arch != *info.arch) {
      info.quirks.add(Quirk::arch_mismatch);
    }
  } else if (info.vendor.arch) {
    info.arch = info.vendor.arch;
    info.quirks.add(Quirk::arch_from_vendor_class);
  } else if (pxe_vendor || info.is_ipxe) {
    // PXE 2.1 predates option 93 on some BIOS ROMs; such ROMs are BIOS.
    info.quirks.add(Quirk::missing_client_arch);
  }

  if (info.is_ipxe) {
    info.firmware = FirmwareFamily::ipxe;
  } else if (info.vendor.kind == VendorClass::Kind::http_client ||
             (pxe_vendor && info.arch && is_http_boot_arch(*info.arch))) {
    info.firmware = FirmwareFamily::uefi_http;
  } else if (pxe_vendor) {
    info.firmware = info.arch.value_or(arch::k_bios) == arch::k_bios ? FirmwareFamily::bios_pxe
                                                                     : FirmwareFamily::uefi_pxe;
  }

  // Option 97: RFC 4578 §2.3 makes it mandatory for PXE clients, but firmware omits it or sends
  // zeros (PXE-NOTES); both are counted and leave the GUID empty.
  if (const Bytes* uuid = packet.options.find(opt::client_uuid);
      uuid != nullptr && uuid->size() == 17) {
    if ((*uuid)[0] != 0) {
      info.quirks.add(Quirk::unknown_client_uuid_type);
    } else if (auto guid = client_guid(packet); guid && is_zero_guid(*guid)) {
      info.quirks.add(Quirk::zero_client_uuid);
    } else if (guid) {
      info.guid = format_guid(*guid);
    }
  } else if (info.firmware != FirmwareFamily::not_pxe && packet.op == k_boot_request) {
    info.quirks.add(Quirk::missing_client_uuid);
  }
  return info;
}

} // namespace atelier::pxe
