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

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace atelier::daemon {

// Pure: why a unit in this state is not network-booted (it boots from its own disk), or nullopt
// when the pipeline still has work for it.
std::optional<std::string> boots_from_disk(const hwdb::Unit& unit);

// How many machines never seen before one client address may bring in through the boot script
// (`/boot/<mac>.ipxe`) in a sliding window. Each such request creates a unit row and a boot token,
// so without a limit anything on the workshop LAN could fill the database and the token table with
// `/boot/<random-mac>.ipxe` (issue 14, finding 9). A workshop machine is recorded by its DHCP
// DISCOVER before iPXE asks for its script, so its MAC is known by then and never counted; the
// limit only bites an iPXE chainloaded from elsewhere, a script fetched by hand, or a flood.
struct NewMachineLimit {
  std::size_t per_client = 5;
  std::chrono::minutes window{10};
};

class HwdbAdmission final : public pxe::BootAdmission {
public:
  // `registry` must outlive this object and be used only from the DHCP thread. Time for the limit
  // is the registry's clock (monotonic).
  // `protected_macs`: the workshop's own machines ([pipeline] protected; serials there are checked
  // at registration, a MAC already here): never answered, never recorded.
  explicit HwdbAdmission(hwdb::Registry& registry, std::vector<std::string> protected_macs = {},
                         NewMachineLimit limit = {})
      : m_registry(registry), m_protected(std::move(protected_macs)), m_limit(limit) {}

  pxe::Admission admit(const pxe::ClientInfo& client, bool first_contact) override;

  // For the HTTP script request of iPXE from `client_ip`: the same "don't boot" and database
  // checks, without recording a new sighting (the DHCP exchange of that boot already did). A MAC
  // the database does not know counts against the client's NewMachineLimit; over it the script is
  // refused and nothing is created.
  // `stage`: what asks, for the sighting (iPXE for its script, UEFI PXE for the signed chain's
  // GRUB entry).
  pxe::Admission admit_script(const base::MacAddress& mac, const std::string& client_ip,
                              pxe::FirmwareFamily stage = pxe::FirmwareFamily::ipxe);

private:
  // True (and counted) when `client_ip` may bring in one more unknown machine now.
  bool take_new_machine(const std::string& client_ip);

  hwdb::Registry& m_registry;
  std::vector<std::string> m_protected;
  NewMachineLimit m_limit;
  // Per client address, when each of its recent unknown machines came in (oldest first).
  std::map<std::string, std::deque<std::chrono::steady_clock::time_point>> m_new_machines;
  std::chrono::steady_clock::time_point m_next_sweep{};
};

} // namespace atelier::daemon
