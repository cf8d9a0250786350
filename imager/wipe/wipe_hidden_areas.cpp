#include "imager/wipe/wipe_hidden_areas.h"

#include "base/i18n.h"
#include "imager/purge/purge.h"
#include "records/erasure_phrases.h"

#include <fmt/format.h>

namespace atelier::imager {
namespace {

std::string gb(std::uint64_t bytes) {
  return fmt::format("{:.1f} GB", static_cast<double>(bytes) / 1e9);
}

} // namespace

records::HiddenAreaStatus hidden_areas_not_asked(const std::string& why) {
  records::HiddenAreaStatus s;
  s.checked = false;
  s.note = base::format_message(records::k_hidden_not_asked, {{"why", why}});
  return s;
}

records::HiddenAreaStatus prepare_hidden_areas(FirmwareEraseDevice& device,
                                               profiles::HiddenAreas policy) {
  switch (device.pass_through()) {
  case PassThrough::none:
    return hidden_areas_not_asked(
        base::format_message(records::k_hidden_no_pass_through, {{"kind", device.kind()}}));
  case PassThrough::nvme: {
    records::HiddenAreaStatus s;
    s.checked = false;
    s.note = records::k_hidden_nvme_overwritten;
    return s;
  }
  case PassThrough::ata:
    break;
  }
  if (device.bus() == "usb") {
    // A bridge may pass ATA commands through, or answer them wrongly; SET MAX ADDRESS through one
    // is not something to trust with a donated disk.
    return hidden_areas_not_asked(records::k_hidden_usb_bridge);
  }
  auto id = read_ata_identify(device);
  if (!id) {
    return hidden_areas_not_asked(id.error());
  }
  const HiddenAreaProbe found = probe_hidden_areas(device, *id);
  const bool reset = policy == profiles::HiddenAreas::reset;
  std::optional<HiddenAreaProbe> after;
  std::string failure;
  if (found.checked && (found.hpa() || found.dco()) && reset) {
    if (auto r = reset_hidden_areas(device, *id, found)) {
      after = *r;
    } else {
      failure = r.error();
    }
  }
  records::HiddenAreaStatus s =
      hidden_area_status(found, after, id->logical_sector_bytes, reset, "ata");
  if (!failure.empty()) {
    s.note += " (" + failure + ")";
  }
  if (after && !after->notes.empty()) {
    s.note += " (" + after->notes.front() + ")"; // e.g. the kernel could not be told to re-read
  }
  return s;
}

records::HiddenAreaStatus confirm_capacity(records::HiddenAreaStatus status,
                                           std::uint64_t kernel_bytes) {
  if (!status.reset || kernel_bytes >= status.native_bytes) {
    return status;
  }
  status.reset = false;
  status.note = base::format_message(records::k_hidden_kernel_did_not_reread,
                                     {{"note", status.note},
                                      {"kernel_bytes", kernel_bytes},
                                      {"native_bytes", status.native_bytes},
                                      {"missing_bytes", status.native_bytes - kernel_bytes},
                                      {"missing_size", gb(status.native_bytes - kernel_bytes)}});
  return status;
}

} // namespace atelier::imager
