// to_string for every enum of the library, from the tables in detail/names.h.
#include "profiles/detail/names.h"

#include "profiles/file_kind.h"

#include <fmt/format.h>

namespace atelier::profiles {

using detail::name_of;

std::string_view to_string(DiskMedia v) {
  return name_of(detail::k_disk_media, v);
}
std::string_view to_string(Firmware v) {
  return v == Firmware::unknown ? "unknown" : name_of(detail::k_firmware, v);
}
std::string_view to_string(Chassis v) {
  return name_of(detail::k_chassis, v);
}
std::string_view to_string(ImageFormat v) {
  return name_of(detail::k_image_formats, v);
}
std::string_view to_string(BuildVariant v) {
  return name_of(detail::k_build_variants, v);
}
std::string_view to_string(PartitionScheme v) {
  return name_of(detail::k_partition_schemes, v);
}
std::string_view to_string(Filesystem v) {
  return name_of(detail::k_filesystems, v);
}
std::string_view to_string(AccountMode v) {
  return name_of(detail::k_account_modes, v);
}
std::string_view to_string(WipeMethod v) {
  return name_of(detail::k_wipe_methods, v);
}
std::string_view to_string(Verification v) {
  return name_of(detail::k_verifications, v);
}
std::string_view to_string(HiddenAreas v) {
  return name_of(detail::k_hidden_areas, v);
}
std::optional<WipeMethod> wipe_method_from_string(std::string_view name) {
  return detail::value_of(detail::k_wipe_methods, name);
}
std::string_view to_string(RemovableMedia v) {
  return name_of(detail::k_removable_media, v);
}
std::string_view to_string(SecureBoot v) {
  switch (v) {
  case SecureBoot::on:
    return "on";
  case SecureBoot::off:
    return "off";
  case SecureBoot::setup_mode:
    return "setup mode";
  }
  return "off";
}

std::string_view to_string(Language v) {
  return name_of(detail::k_languages, v);
}
std::string_view to_string(Grade v) {
  return name_of(detail::k_grades, v);
}
std::string_view to_string(FileKind v) {
  return v == FileKind::profile ? "profile" : "program";
}

std::string cpu_level_name(int level) {
  return fmt::format("x86-64-v{}", level);
}

bool is_overwrite(WipeMethod method) {
  switch (method) {
  case WipeMethod::zero:
  case WipeMethod::one:
  case WipeMethod::random:
  case WipeMethod::random_then_zero:
    return true;
  default:
    return false;
  }
}

bool method_applies(WipeMethod method, DiskMedia media) {
  if (is_overwrite(method)) {
    return true;
  }
  const std::string_view name = to_string(method);
  switch (media) {
  case DiskMedia::hdd:
  case DiskMedia::ssd:
    return name.starts_with("ata-");
  case DiskMedia::nvme:
    return name.starts_with("nvme-");
  case DiskMedia::usb:
    return false;
  }
  return false;
}

const std::vector<WipeMethod>& WipePolicy::methods_for(DiskMedia media) const {
  switch (media) {
  case DiskMedia::hdd:
    return hdd;
  case DiskMedia::ssd:
    return ssd;
  case DiskMedia::nvme:
    return nvme;
  case DiskMedia::usb:
    return usb;
  }
  return usb;
}

} // namespace atelier::profiles
