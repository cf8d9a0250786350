// Detection: the bridge between the PXE service and the hardware database. Every PXE boot that
// reaches atelierd asks here whether to answer; the first packet of a boot records a sighting (and
// creates a `detected` unit for a machine never seen), and a machine marked "don't boot" is
// refused.
//
// Fails closed: if the database cannot be written, the machine is not answered (a boot we cannot
// record is a machine the pipeline could not follow, and could be a workshop PC marked "don't
// boot").
//
// A unit whose work in the workshop is done (ready, assigned, parts) is not answered either: its
// firmware then boots the next device in its boot order, the disk the pipeline installed, which
// is how a machine ending `ready` with `after_ready = "reboot"` comes up in its new system. Its
// boot is still recorded as a sighting. To run such a machine through the pipeline again, move it
// back first (e.g. `ready → detected`).
#pragma once

#include "base/mac_address.h"
#include "hardware-db/registry.h"
#include "pxe/dhcp_service.h"

#include <optional>
#include <string>
#include <vector>

namespace atelier::daemon {

// Pure: why a unit in this state is not network-booted (it boots from its own disk), or nullopt
// when the pipeline still has work for it.
std::optional<std::string> boots_from_disk(const hwdb::Unit& unit);

class HwdbAdmission final : public pxe::BootAdmission {
public:
  // `registry` must outlive this object and be used only from the DHCP thread.
  // `protected_macs`: the workshop's own machines ([pipeline] protected; serials there are checked
  // at registration, a MAC already here): never answered, never recorded.
  explicit HwdbAdmission(hwdb::Registry& registry, std::vector<std::string> protected_macs = {})
      : m_registry(registry), m_protected(std::move(protected_macs)) {}

  pxe::Admission admit(const pxe::ClientInfo& client, bool first_contact) override;

  // For the HTTP script request of iPXE: the same "don't boot" and database checks, without
  // recording a new sighting (the DHCP exchange of that boot already did).
  pxe::Admission admit_script(const base::MacAddress& mac);

private:
  hwdb::Registry& m_registry;
  std::vector<std::string> m_protected;
};

} // namespace atelier::daemon
