// Several disks of one machine wiped concurrently and in isolation: one thread per disk, each with
// its own watchdog. A disk whose I/O makes no progress for stall_timeout is declared failed ("no
// progress for 120 s") and its thread is detached, so a drive hung in the kernel (D state) neither
// stalls the other disks nor the report. run_wipes returns when every disk is decided.
//
// Ownership: each worker owns its device and a shared state block; a detached worker keeps both
// alive until the kernel lets it return, then exits on its own (it sees control.cancel). Its late
// progress events are suppressed.
#pragma once

#include "imager/disk/block_device.h"
#include "imager/wipe/wipe_engine.h"
#include "records/erasure_record.h"

#include <chrono>
#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace atelier::imager {

using DeviceOpener = std::function<std::expected<std::unique_ptr<BlockDevice>, std::string>()>;

struct WipeJob {
  std::string device; // label for progress and messages, e.g. "/dev/sdb"
  records::ErasureRecord
      record; // pre-filled with the media half (identity, operator, site); completed by the run
  DeviceOpener open; // runs on the worker thread (an open can hang too)
};

struct RunOptions {
  WipeOptions wipe; // shared settings; device_label and control are set per job
  std::chrono::milliseconds stall_timeout{std::chrono::seconds(120)};
  std::chrono::milliseconds poll_interval{std::chrono::milliseconds(200)};
};

struct RunResult {
  std::vector<records::ErasureRecord> records; // in the order of the jobs
  std::size_t abandoned = 0; // workers detached while blocked; the process should _exit
};

RunResult run_wipes(std::vector<WipeJob> jobs, const RunOptions& options);

} // namespace atelier::imager
