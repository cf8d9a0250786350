#include "daemon/boot_admission.h"

#include <algorithm>

#include <fmt/format.h>

namespace atelier::daemon {

std::optional<std::string> boots_from_disk(const hwdb::Unit& unit) {
  switch (unit.state) {
  case hwdb::UnitState::ready:
    return fmt::format("{} is ready: it boots its installed system from its own disk",
                       unit.tag.str());
  case hwdb::UnitState::assigned:
    return fmt::format("{} is assigned to a household: it boots its installed system from its "
                       "own disk",
                       unit.tag.str());
  case hwdb::UnitState::parts:
    return fmt::format("{} is set aside for parts: nothing to do over the network", unit.tag.str());
  default:
    return std::nullopt;
  }
}

pxe::Admission HwdbAdmission::admit_script(const base::MacAddress& mac,
                                           const std::string& client_ip,
                                           pxe::FirmwareFamily stage) {
  auto known = m_registry.store().latest_unit_by_mac(mac);
  if (!known) {
    return {false, "", "hardware database unavailable: " + known.error().message};
  }
  if ((!*known || hwdb::is_final((*known)->state)) && !take_new_machine(client_ip)) {
    return {false, "",
            fmt::format("{} from {}: {} machines unknown to the database already asked for a boot "
                        "script from this address in the last {} min (a workshop machine is "
                        "recorded by its DHCP request first; this looks like a flood)",
                        mac.str(), client_ip, m_limit.per_client, m_limit.window.count())};
  }
  pxe::ClientInfo client;
  client.mac = mac;
  client.firmware = stage;
  return admit(client, false);
}

bool HwdbAdmission::take_new_machine(const std::string& client_ip) {
  const auto now = m_registry.clock().monotonic();
  const auto cutoff = now - m_limit.window;
  // Now and then, forget the addresses whose machines all left the window: the map holds only
  // the clients of the last window, however many addresses ever asked.
  if (now >= m_next_sweep) {
    std::erase_if(m_new_machines, [&](const auto& item) {
      return item.second.empty() || item.second.back() <= cutoff;
    });
    m_next_sweep = now + m_limit.window;
  }
  auto& times = m_new_machines[client_ip];
  while (!times.empty() && times.front() <= cutoff) {
    times.pop_front();
  }
  if (times.size() >= m_limit.per_client) {
    return false;
  }
  times.push_back(now);
  return true;
}

pxe::Admission HwdbAdmission::admit(const pxe::ClientInfo& client, bool first_contact) {
  if (!client.mac) {
    return {false, "", "no MAC address"};
  }
  const base::MacAddress& mac = *client.mac;
  if (std::ranges::find(m_protected, mac.str()) != m_protected.end()) {
    return {false, "",
            fmt::format("{} is on the protected list ([pipeline] protected): it boots "
                        "from its own disk and is never erased",
                        mac.str())};
  }
  if (!first_contact) {
    // Port-4011 requests continue a boot whose DISCOVER was recorded; only check the flag.
    auto known = m_registry.store().latest_unit_by_mac(mac);
    if (!known) {
      return {false, "", "hardware database unavailable: " + known.error().message};
    }
    if (*known && !hwdb::is_final((*known)->state)) {
      const auto& unit = **known;
      if (unit.do_not_boot) {
        return {false, unit.tag.str(), fmt::format("{} is marked \"don't boot\"", unit.tag.str())};
      }
      if (auto why = boots_from_disk(unit)) {
        return {false, unit.tag.str(), *why};
      }
      return {true, unit.tag.str(), ""};
    }
  }
  hwdb::BootRequest request;
  request.mac = mac;
  if (client.arch) {
    request.arch = *client.arch;
  }
  request.firmware = std::string(pxe::firmware_family_name(client.firmware));
  request.guid = client.guid.value_or("");
  request.vendor_class = client.vendor_class;
  auto result = m_registry.record_boot(request, "atelierd");
  if (!result) {
    return {false, "", "hardware database unavailable: " + result.error().message};
  }
  if (result->ignored) {
    return {false, result->unit.tag.str(),
            fmt::format("{} is marked \"don't boot\"", result->unit.tag.str())};
  }
  // The boot is recorded (the sighting says the machine was seen), but a finished machine is not
  // answered: its firmware falls through to the next boot device, its own disk.
  if (auto why = boots_from_disk(result->unit)) {
    return {false, result->unit.tag.str(), *why};
  }
  return {true, result->unit.tag.str(), ""};
}

} // namespace atelier::daemon
