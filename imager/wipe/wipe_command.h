// `atelier-imager wipe`: the command's logic (the main only parses arguments). Checks every device
// with device_safety, builds the media half of each erasure record, runs the overwrites in parallel
// (wipe_runner) and prints the records. Usage and output: docs/WIPE.md.
//
// Exit codes: 0 every disk erased (and verified, unless --verify none); 1 at least one wipe failed;
// 2 usage error or a device refused by the safety checks (then nothing was written to any device).
#pragma once

#include "imager/disk/device_identity.h"
#include "records/erasure_record.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

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
  std::uint64_t stream_bytes = 0; // hidden: write this many bytes of the random stream to stdout
};

struct WipeCommandResult {
  int exit_code = 0;
  std::size_t abandoned = 0; // worker threads still blocked in the kernel: the caller must _exit
};

// The media half of an overwrite's erasure record: a new record_id, the disk's identity, the
// tool version, the caller's fields (asset_tag as source_property, operator, site, contact) and
// the notes every overwrite carries (hidden areas not reached; flash media only Cleared). The
// wipe engine completes the rest. Shared with `atelier image --device` (cli/image_device.cpp).
records::ErasureRecord new_overwrite_record(const DeviceIdentity& id, const WipeCommandArgs& args);

// `err` receives the usage errors and the progress lines; a reader that stops reading them never
// holds the wipe (ProgressLines, imager/disk/progress.h).
WipeCommandResult run_wipe_command(const WipeCommandArgs& args, std::FILE* out, std::FILE* err);

} // namespace atelier::imager
