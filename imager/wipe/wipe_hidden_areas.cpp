#include "imager/wipe/wipe_hidden_areas.h"

#include "imager/purge/purge.h"

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
  s.note = fmt::format("hidden areas (HPA/DCO) could not be checked: {}; only the capacity the OS "
                       "sees was overwritten",
                       why);
  return s;
}

records::HiddenAreaStatus prepare_hidden_areas(FirmwareEraseDevice& device,
                                               profiles::HiddenAreas policy) {
  switch (device.pass_through()) {
  case PassThrough::none:
    return hidden_areas_not_asked(
        fmt::format("no ATA pass-through on this device ({})", device.kind()));
  case PassThrough::nvme: {
    records::HiddenAreaStatus s;
    s.checked = false;
    s.note = "NVMe drives have no HPA or DCO: nothing to ask; the whole namespace the OS sees was "
             "overwritten";
    return s;
  }
  case PassThrough::ata:
    break;
  }
  if (device.bus() == "usb") {
    // A bridge may pass ATA commands through, or answer them wrongly; SET MAX ADDRESS through one
    // is not something to trust with a donated disk.
    return hidden_areas_not_asked("the disk is behind a USB bridge");
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
  status.note = fmt::format(
      "{}; but the kernel still sees only {} bytes of the {} now visible (it did not re-read the "
      "capacity): the last {} bytes ({}) were NOT overwritten; power the machine off and on, then "
      "wipe again",
      status.note, kernel_bytes, status.native_bytes, status.native_bytes - kernel_bytes,
      gb(status.native_bytes - kernel_bytes));
  return status;
}

} // namespace atelier::imager
