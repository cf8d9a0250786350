// Where each UEFI machine stands in Debian's signed network chain (docs/PXE.md, "Secure Boot"),
// from what the TFTP server sent it, so that the log tells a machine whose firmware refused a step
// apart from one that never asked. The firmware downloads shim whole before checking its
// signature; a firmware whose Secure Boot keys do not include Microsoft's UEFI CA then refuses it
// silently and moves on. The TFTP log alone shows a shim sent and nothing after; this says what
// that means, once, when the next step does not come.
//
// Pure logic on the io thread: the caller passes the monotonic time.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::daemon {

class ChainWatch {
public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // The firmware asks for GRUB within a second or two of receiving shim, even under emulation; 30 s
  // leaves room for a slow network while the volunteer still stands at the machine.
  explicit ChainWatch(std::chrono::seconds patience = std::chrono::seconds(30))
      : m_patience(patience) {}

  // A TFTP transfer of `name` to `client_ip` completed, or (UEFI HTTP boot) the HTTP download of
  // the disk image /boot/<pxe::k_http_disk_file>: shim and GRUB then run from a RAM disk, and the
  // next thing we see is the GRUB entry's request.
  void sent(std::string_view name, const std::string& client_ip, TimePoint now);
  // The machine at `client_ip` asked for its GRUB entry: shim and GRUB both ran.
  void reached_entry(const std::string& client_ip);
  // One sentence for each machine that stopped after a step for longer than the patience, or that
  // went on to another start of the chain without the step that should have followed, each
  // reported once.
  std::vector<std::string> overdue(TimePoint now);
  std::size_t watched() const { return m_by_ip.size(); }

private:
  enum class Stage { shim_sent, grub_sent, http_disk_sent };
  struct Standing {
    Stage stage = Stage::shim_sent;
    TimePoint since;
  };
  static std::string stopped_line(const std::string& client_ip, const Standing& standing,
                                  std::chrono::seconds waited);
  std::chrono::seconds m_patience;
  std::map<std::string, Standing, std::less<>> m_by_ip;
  std::vector<std::string> m_pending; // said by the next overdue()
};

} // namespace atelier::daemon
