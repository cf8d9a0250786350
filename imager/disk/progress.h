// Progress of a long operation on one device (wipe, verification, firmware purge, deploy), reported
// to whoever listens: the command line prints it, the agent forwards it to atelierd (pipeline
// issue).
//
// Contract: an operation calls its ProgressSink from the thread that does the work, at most a few
// times per second and once at the end (done == total on success). A sink must be cheap and must
// not throw; it must not call back into the operation. It must never wait for whoever reads the
// progress: a sink that writes to a pipe does it through ProgressLines below.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace atelier::imager {

struct Progress {
  std::string operation; // "wipe", "verify", "purge", "partition", "extract", "write", "bootloader"
  std::string device;    // e.g. "/dev/sda"; empty when not about one device
  std::uint64_t done_bytes = 0;  // work done so far (bytes written or read)
  std::uint64_t total_bytes = 0; // 0 when unknown (e.g. a firmware purge without an estimate)
  double bytes_per_second = 0;   // recent rate; 0 when unknown
  std::optional<double> eta_seconds;
  std::string detail; // short human text, e.g. "pass 1 of 2: random"
};

using ProgressSink = std::function<void(const Progress&)>;

// One JSON object per event (keys: operation, device, done_bytes, total_bytes, bytes_per_second,
// eta_seconds (null when unknown), detail): the line format of `--progress json`.
nlohmann::json to_json(const Progress&);

// The progress lines a command writes to its standard error, written so that the thread doing the
// work never waits for the reader. The reader is the agent (a pipe) or a terminal; when it stops
// reading, a blocking write would hold the disk writer in the middle of the wipe (docs/WIPE.md,
// "Progress": that is how a wipe once hung at 44 % for 19 minutes).
//
// post() writes what the descriptor can take now (poll for POLLOUT, then at most PIPE_BUF bytes,
// which a pipe takes whole without blocking) and keeps the rest: per key (a device), only the
// newest line waits, since a progress line is a state and the next one replaces it. flush() waits
// a bounded time for the reader at the end. Thread-safe; the descriptor is not owned.
class ProgressLines {
public:
  explicit ProgressLines(int fd) : m_fd(fd) {}
  ProgressLines(const ProgressLines&) = delete;
  ProgressLines& operator=(const ProgressLines&) = delete;

  // One line (without its newline) about `key`. Never waits for the reader.
  void post(const std::string& key, std::string line);
  // Writes what is still pending, waiting at most `limit` for the reader; true when all went out.
  bool flush(std::chrono::milliseconds limit);
  // Lines replaced by a newer one before they could be written.
  std::uint64_t replaced() const;

private:
  // Writes pending lines while the descriptor takes them; waits at most timeout_ms for it to be
  // writable (0: not at all). Called with m_mutex held.
  bool drain(int timeout_ms);

  int m_fd;
  mutable std::mutex m_mutex;
  std::string m_partial;                                      // the rest of a line written in part
  std::vector<std::pair<std::string, std::string>> m_pending; // key, line: in order of posting
  std::uint64_t m_replaced = 0;
};

} // namespace atelier::imager
