#include "daemon/chain_watch.h"

#include "pxe/grub_config.h"

#include <fmt/format.h>

namespace atelier::daemon {

void ChainWatch::sent(std::string_view name, const std::string& client_ip, TimePoint now) {
  while (name.starts_with('/')) {
    name.remove_prefix(1);
  }
  if (name == pxe::k_shim_file) {
    m_by_ip[client_ip] = Standing{Stage::shim_sent, now};
  } else if (name == pxe::k_grub_file) {
    m_by_ip[client_ip] = Standing{Stage::grub_sent, now};
  }
}

void ChainWatch::reached_entry(const std::string& client_ip) {
  m_by_ip.erase(client_ip);
}

std::vector<std::string> ChainWatch::overdue(TimePoint now) {
  std::vector<std::string> lines;
  for (auto it = m_by_ip.begin(); it != m_by_ip.end();) {
    const auto waited = std::chrono::duration_cast<std::chrono::seconds>(now - it->second.since);
    if (waited < m_patience) {
      ++it;
      continue;
    }
    if (it->second.stage == Stage::shim_sent) {
      lines.push_back(fmt::format(
          "signed chain: {} received {} {} s ago but never asked for {}: its firmware refused "
          "Debian's shim (Secure Boot keys without Microsoft's UEFI CA: custom or cleared keys); "
          "restore the factory Secure Boot keys in its setup, or turn Secure Boot off "
          "(docs/PXE.md, \"Secure Boot\")",
          it->first, pxe::k_shim_file, waited.count(), pxe::k_grub_file));
    } else {
      lines.push_back(fmt::format(
          "signed chain: {} received {} {} s ago but never asked for its GRUB entry: shim refused "
          "Debian's GRUB (an old shim revoked by the firmware?) or GRUB found no network "
          "(docs/PXE.md, \"Secure Boot\")",
          it->first, pxe::k_grub_file, waited.count()));
    }
    it = m_by_ip.erase(it);
  }
  return lines;
}

} // namespace atelier::daemon
