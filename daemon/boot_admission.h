// Detection: the bridge between the PXE service and the hardware database. Every PXE boot that
// reaches atelierd asks here whether to answer; the first packet of a boot records a sighting (and
// creates a `detected` unit for a machine never seen), and a machine marked "don't boot" is
// refused.
//
// Fails closed: if the database cannot be written, the machine is not answered (a boot we cannot
// record is a machine the pipeline could not follow, and could be a workshop PC marked "don't
// boot").
#pragma once

#include "hardware-db/registry.h"
#include "pxe/dhcp_service.h"

namespace atelier::daemon {

class HwdbAdmission final : public pxe::BootAdmission {
public:
  // `registry` must outlive this object and be used only from the DHCP thread.
  explicit HwdbAdmission(hwdb::Registry& registry) : m_registry(registry) {}

  pxe::Admission admit(const pxe::ClientInfo& client, bool first_contact) override;

  // For the HTTP script request of iPXE: the same "don't boot" and database checks, without
  // recording a new sighting (the DHCP exchange of that boot already did).
  pxe::Admission admit_script(const pxe::MacAddress& mac);

private:
  hwdb::Registry& m_registry;
};

} // namespace atelier::daemon
