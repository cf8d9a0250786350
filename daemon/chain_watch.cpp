#include "daemon/chain_watch.h"

#include "pxe/grub_config.h"

#include <optional>

#include <fmt/format.h>

namespace atelier::daemon {

std::string ChainWatch::stopped_line(const std::string& client_ip, const Standing& standing,
                                     std::chrono::seconds waited) {
  switch (standing.stage) {
  case Stage::shim_sent:
    return fmt::format(
        "signed chain: {} received {} {} s ago but never asked for {}: its firmware refused "
        "Debian's shim (Secure Boot keys without Microsoft's UEFI CA: custom or cleared keys); "
        "restore the factory Secure Boot keys in its setup, or turn Secure Boot off "
        "(docs/PXE.md, \"Secure Boot\")",
        client_ip, pxe::k_shim_file, waited.count(), pxe::k_grub_file);
  case Stage::grub_sent:
    return fmt::format(
        "signed chain: {} received {} {} s ago but never asked for its GRUB entry: shim refused "
        "Debian's GRUB (an old shim revoked by the firmware?) or GRUB found no network "
        "(docs/PXE.md, \"Secure Boot\")",
        client_ip, pxe::k_grub_file, waited.count());
  case Stage::http_disk_sent:
    break;
  }
  return fmt::format(
      "signed chain: {} downloaded the UEFI HTTP boot disk ({}) {} s ago but never asked for its "
      "GRUB entry: its firmware refused Debian's shim (Secure Boot keys without Microsoft's UEFI "
      "CA: custom or cleared keys), or GRUB got no address from DHCP; restore the factory Secure "
      "Boot keys in its setup, or turn Secure Boot off (docs/PXE.md, \"Secure Boot\")",
      client_ip, pxe::k_http_disk_file, waited.count());
}

void ChainWatch::sent(std::string_view name, const std::string& client_ip, TimePoint now) {
  while (name.starts_with('/')) {
    name.remove_prefix(1);
  }
  std::optional<Stage> stage;
  if (name == pxe::k_shim_file) {
    stage = Stage::shim_sent;
  } else if (name == pxe::k_grub_file) {
    stage = Stage::grub_sent;
  } else if (name.starts_with("boot/") && name.substr(5) == pxe::k_http_disk_file) {
    stage = Stage::http_disk_sent;
  }
  if (!stage) {
    return;
  }
  // A machine that starts the chain again, or another way (EDK2 tries HTTP boot after PXE), without
  // the step that should have followed, refused the step it had: say so now, before the new one
  // takes its place (the patience is for a machine that goes quiet).
  if (const auto it = m_by_ip.find(client_ip); it != m_by_ip.end()) {
    const bool follows = it->second.stage == Stage::shim_sent && *stage == Stage::grub_sent;
    if (!follows) {
      m_pending.push_back(
          stopped_line(client_ip, it->second,
                       std::chrono::duration_cast<std::chrono::seconds>(now - it->second.since)));
    }
  }
  m_by_ip[client_ip] = Standing{*stage, now};
}

void ChainWatch::reached_entry(const std::string& client_ip) {
  m_by_ip.erase(client_ip);
}

std::vector<std::string> ChainWatch::overdue(TimePoint now) {
  std::vector<std::string> lines = std::move(m_pending);
  m_pending.clear();
  for (auto it = m_by_ip.begin(); it != m_by_ip.end();) {
    const auto waited = std::chrono::duration_cast<std::chrono::seconds>(now - it->second.since);
    if (waited < m_patience) {
      ++it;
      continue;
    }
    lines.push_back(stopped_line(it->first, it->second, waited));
    it = m_by_ip.erase(it);
  }
  return lines;
}

} // namespace atelier::daemon
