// `atelier-imager wipe`: its options and its logic. Checks every device with device_safety, builds
// the media half of each erasure record, looks for hidden areas (HPA/DCO) and removes them when
// asked (wipe_hidden_areas.h), runs the overwrites in parallel (wipe_runner) and prints the
// records. Usage and output: docs/WIPE.md.
//
// Exit codes: 0 every disk erased (and verified, unless --verify none); 1 at least one wipe failed;
// 2 usage error or a device refused by the safety checks (then nothing was written to any device).
#pragma once

#include "imager/disk/block_device.h"
#include "imager/disk/device_identity.h"
#include "imager/purge/purge_device.h"
#include "records/erasure_record.h"

#include <cstdint>
#include <cstdio>
#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace atelier::imager {

struct WipeCommandArgs {
  std::vector<std::string> devices;
  std::string method = "zero";              // zero | one | random | random-then-zero
  std::string verify = "sample";            // none | sample | full
  bool json = false;                        // print the records as a JSON array on stdout
  std::string progress = "none";            // none | text | json (one line per event on stderr)
  std::vector<std::string> confirm_serials; // one per device, in the same order
  double stall_timeout_s = 120;
  bool allow_regular_file = false; // tests and benches
  bool verify_only = false;        // read back and compare, write nothing
  std::size_t buffer_mib = 8;
  std::string operator_name;
  std::string asset_tag;
  std::string site;
  std::string contact;
  std::string hidden_areas = "reset"; // reset | report: what to do with an HPA/DCO found first
  std::uint64_t stream_bytes = 0; // hidden: write this many bytes of the random stream to stdout
};

// Registers the `wipe` subcommand and its options on `app`, bound to `args`.
CLI::App* add_wipe_command(CLI::App& app, WipeCommandArgs& args);

// What the command opens; the defaults are the real devices (tests put fakes in).
struct WipeDevices {
  std::function<std::expected<std::unique_ptr<BlockDevice>, std::string>(const std::string& path,
                                                                         const OpenOptions&)>
      open_block;
  // The pass-through device through which hidden areas are asked about and removed.
  std::function<std::expected<std::unique_ptr<FirmwareEraseDevice>, std::string>(
      const std::string& path)>
      open_firmware;
};

struct WipeCommandResult {
  int exit_code = 0;
  std::size_t abandoned = 0; // worker threads still blocked in the kernel: the caller must _exit
};

// The media half of an overwrite's erasure record: a new record_id, the disk's identity, the
// tool version, the caller's fields (asset_tag as source_property, operator, site, contact) and
// the notes every overwrite carries (hidden areas not checked; flash media only Cleared). The
// wipe engine completes the rest; run_wipe_command replaces hidden_areas with what it found when
// it asked the disk. Shared with `atelier image --device` (cli/image_device.cpp), which does not
// ask.
records::ErasureRecord new_overwrite_record(const DeviceIdentity& id, const WipeCommandArgs& args);

// `err` receives the usage errors and the progress lines; a reader that stops reading them never
// holds the wipe (ProgressLines, imager/disk/progress.h).
WipeCommandResult run_wipe_command(const WipeCommandArgs& args, std::FILE* out, std::FILE* err,
                                   const WipeDevices& devices = {});

} // namespace atelier::imager
