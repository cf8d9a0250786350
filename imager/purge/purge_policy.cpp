#include "imager/purge/purge_policy.h"

#include <fmt/format.h>

namespace atelier::imager {
namespace {

using profiles::WipeMethod;

bool is_ata_method(WipeMethod m) {
  return to_string(m).starts_with("ata-");
}
bool is_nvme_method(WipeMethod m) {
  return to_string(m).starts_with("nvme-");
}

std::optional<std::string> ata_unusable(WipeMethod method, const DriveCapabilities& drive) {
  if (!drive.ata) {
    return drive.pass_through == PassThrough::nvme
               ? std::string("not an ATA drive (NVMe)")
               : std::string("the drive did not answer IDENTIFY DEVICE");
  }
  const AtaIdentify& id = *drive.ata;
  switch (method) {
  case WipeMethod::ata_sanitize_crypto:
  case WipeMethod::ata_sanitize_block:
  case WipeMethod::ata_sanitize_overwrite: {
    if (!id.sanitize.supported) {
      return "drive does not support the SANITIZE feature set";
    }
    if (method == WipeMethod::ata_sanitize_crypto && !id.sanitize.crypto_scramble) {
      return "drive does not support SANITIZE CRYPTO SCRAMBLE";
    }
    if (method == WipeMethod::ata_sanitize_block && !id.sanitize.block_erase) {
      return "drive does not support SANITIZE BLOCK ERASE";
    }
    if (method == WipeMethod::ata_sanitize_overwrite && !id.sanitize.overwrite) {
      return "drive does not support SANITIZE OVERWRITE";
    }
    if (drive.ata_sanitize_status && drive.ata_sanitize_status->frozen) {
      return std::string(k_frozen_message) + " (SANITIZE FREEZE LOCK)";
    }
    if (drive.ata_sanitize_status && drive.ata_sanitize_status->in_progress) {
      return "a sanitize operation is already running on this drive (it resumes after power loss): "
             "wait for it "
             "to finish";
    }
    return std::nullopt;
  }
  case WipeMethod::ata_secure_erase:
  case WipeMethod::ata_secure_erase_enhanced:
    if (!id.security.supported) {
      return "drive does not support the Security feature set (SECURITY ERASE UNIT)";
    }
    if (method == WipeMethod::ata_secure_erase_enhanced && !id.security.enhanced_erase_supported) {
      return "drive does not support ENHANCED SECURITY ERASE UNIT";
    }
    if (id.security.frozen) {
      return std::string(k_frozen_message);
    }
    if (id.security.count_expired) {
      return "too many wrong passwords were tried since the disk powered on: power it off and on, "
             "then retry";
    }
    if (id.security.locked || id.security.enabled) {
      return fmt::format(
          "the disk has a user password{} that Atelier did not set (its previous owner's): "
          "it cannot be erased without it",
          id.security.locked ? " and is locked" : "");
    }
    return std::nullopt;
  default:
    return "not an ATA method";
  }
}

std::optional<std::string> nvme_unusable(WipeMethod method, const DriveCapabilities& drive) {
  if (!drive.nvme) {
    return drive.pass_through == PassThrough::ata
               ? std::string("not an NVMe drive (ATA)")
               : std::string("the drive did not answer Identify Controller");
  }
  const NvmeController& c = *drive.nvme;
  if (drive.nvme_sanitize_log &&
      drive.nvme_sanitize_log->state() == NvmeSanitizeLog::State::in_progress) {
    return "a sanitize operation is already running on this drive (it resumes after power loss): "
           "wait for it to "
           "finish";
  }
  switch (method) {
  case WipeMethod::nvme_sanitize_crypto:
  case WipeMethod::nvme_sanitize_block:
  case WipeMethod::nvme_sanitize_overwrite:
    if (!c.sanitize_supported()) {
      return "drive does not support the Sanitize command";
    }
    if (method == WipeMethod::nvme_sanitize_crypto && !c.sanitize_crypto()) {
      return "drive does not support Sanitize crypto erase";
    }
    if (method == WipeMethod::nvme_sanitize_block && !c.sanitize_block()) {
      return "drive does not support Sanitize block erase";
    }
    if (method == WipeMethod::nvme_sanitize_overwrite && !c.sanitize_overwrite()) {
      return "drive does not support Sanitize overwrite";
    }
    return std::nullopt;
  case WipeMethod::nvme_format_crypto:
  case WipeMethod::nvme_format_user:
    if (!c.format_supported()) {
      return "drive does not support Format NVM";
    }
    if (method == WipeMethod::nvme_format_crypto && !c.crypto_erase_supported()) {
      return "drive does not support cryptographic erase in Format NVM";
    }
    if (!drive.nvme_namespace) {
      return "the namespace could not be identified (its LBA format must be kept)";
    }
    return std::nullopt;
  default:
    return "not an NVMe method";
  }
}

} // namespace

std::string DriveCapabilities::model() const {
  return ata ? ata->model : nvme ? nvme->model : std::string();
}
std::string DriveCapabilities::serial() const {
  return ata ? ata->serial : nvme ? nvme->serial : std::string();
}
std::uint64_t DriveCapabilities::size_bytes() const {
  return ata ? ata->user_bytes() : nvme_namespace ? nvme_namespace->size_bytes() : 0;
}
std::uint32_t DriveCapabilities::sector_bytes() const {
  return ata ? ata->logical_sector_bytes : nvme_namespace ? nvme_namespace->block_bytes() : 512;
}

std::optional<std::string> why_unusable(WipeMethod method, const DriveCapabilities& drive) {
  if (profiles::is_overwrite(method)) {
    return std::nullopt; // the wipe engine writes every sector of any writable disk
  }
  if (drive.pass_through == PassThrough::none) {
    return fmt::format("no ATA/NVMe pass-through on this device ({})", drive.kind);
  }
  if (drive.bus == "usb") {
    return "the disk sits behind a USB bridge: ATA pass-through is usually blocked, firmware erase "
           "is not attempted";
  }
  if (is_ata_method(method)) {
    return ata_unusable(method, drive);
  }
  if (is_nvme_method(method)) {
    return nvme_unusable(method, drive);
  }
  return "unknown method";
}

WipeMethod effective_method(WipeMethod asked, const DriveCapabilities& drive) {
  if (asked == WipeMethod::ata_secure_erase && drive.ata &&
      drive.ata->security.enhanced_erase_supported) {
    return WipeMethod::ata_secure_erase_enhanced;
  }
  return asked;
}

LevelVerdict level_for(WipeMethod method, std::string_view media) {
  // Unknown media is judged as flash: the lower level is the honest one when we cannot tell.
  const bool flash = media != "hdd";
  const std::string media_text = media == "nvme"  ? "an NVMe SSD"
                                 : media == "usb" ? "a USB disk"
                                 : flash          ? "an SSD"
                                                  : "a hard disk";
  switch (method) {
  case WipeMethod::zero:
  case WipeMethod::one:
  case WipeMethod::random:
  case WipeMethod::random_then_zero:
    if (flash) {
      return {records::SanitizationLevel::clear,
              fmt::format("an overwrite of {} does not reach its spare "
                          "and remapped blocks: NIST SP 800-88 Clear",
                          media_text)};
    }
    return {records::SanitizationLevel::clear,
            "an overwrite of every user-addressable sector of a hard disk: NIST SP 800-88 Clear"};
  case WipeMethod::ata_sanitize_crypto:
    return {records::SanitizationLevel::purge,
            "ATA SANITIZE CRYPTO SCRAMBLE: NIST SP 800-88 Purge"};
  case WipeMethod::ata_sanitize_block:
    return {records::SanitizationLevel::purge, "ATA SANITIZE BLOCK ERASE: NIST SP 800-88 Purge"};
  case WipeMethod::ata_sanitize_overwrite:
    if (flash) {
      return {records::SanitizationLevel::clear,
              "NIST SP 800-88 lists only SANITIZE BLOCK ERASE and CRYPTO SCRAMBLE as Purge "
              "for ATA SSDs: a sanitize overwrite of an SSD is recorded as Clear"};
    }
    return {records::SanitizationLevel::purge,
            "ATA SANITIZE OVERWRITE of a hard disk: NIST SP 800-88 Purge"};
  case WipeMethod::ata_secure_erase:
    return {records::SanitizationLevel::clear,
            "SECURITY ERASE UNIT (normal mode) overwrites the "
            "user-addressable sectors only: NIST SP 800-88 Clear"};
  case WipeMethod::ata_secure_erase_enhanced:
    if (flash) {
      return {records::SanitizationLevel::clear,
              "ENHANCED SECURITY ERASE UNIT of an SSD counts as Clear unless its vendor "
              "documents it as Purge (NIST SP 800-88)"};
    }
    return {records::SanitizationLevel::purge,
            "ENHANCED SECURITY ERASE UNIT of a hard disk also writes its reallocated "
            "sectors: NIST SP 800-88 Purge"};
  case WipeMethod::nvme_sanitize_crypto:
  case WipeMethod::nvme_sanitize_block:
  case WipeMethod::nvme_sanitize_overwrite:
    return {records::SanitizationLevel::purge, "NVMe Sanitize: NIST SP 800-88 Purge"};
  case WipeMethod::nvme_format_crypto:
    return {records::SanitizationLevel::purge,
            "NVMe Format NVM with cryptographic erase (SES=2): NIST SP 800-88 Purge"};
  case WipeMethod::nvme_format_user:
    return {records::SanitizationLevel::purge,
            "NVMe Format NVM with user data erase (SES=1): NIST SP 800-88 Purge"};
  }
  return {records::SanitizationLevel::clear, "unknown method"};
}

MethodChoice choose_method(const std::vector<WipeMethod>& ordered, const DriveCapabilities& drive) {
  MethodChoice choice;
  for (const WipeMethod method : ordered) {
    std::optional<std::string> reason = why_unusable(method, drive);
    if (reason) {
      choice.skipped.push_back({method, fmt::format("{}: {}", to_string(method), *reason)});
      continue;
    }
    choice.method = effective_method(method, drive);
    choice.level = level_for(*choice.method, drive.media);
    return choice;
  }
  choice.level = {records::SanitizationLevel::clear, "no method of the list can run on this drive"};
  return choice;
}

} // namespace atelier::imager
