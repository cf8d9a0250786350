// Progress of a long operation on one device (wipe, verification, firmware purge, deploy), reported
// to whoever listens: the command line prints it, the agent forwards it to atelierd (pipeline
// issue).
//
// Contract: an operation calls its ProgressSink from the thread that does the work, at most a few
// times per second and once at the end (done == total on success). A sink must be cheap and must
// not throw; it must not call back into the operation.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

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

} // namespace atelier::imager
