#include "imager/wipe/wipe_runner.h"

#include "base/time_text.h"

#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include <fmt/format.h>

namespace atelier::imager {
namespace {

// Everything a worker touches after it may have been abandoned lives here, shared.
struct JobState {
  WipeControl control;
  std::atomic<bool> decided{false}; // the supervisor has the final record: later events are dropped
  std::atomic<std::uint64_t> size_bytes{0};
  std::atomic<std::uint32_t> sector_bytes{0};
  bool finished = false; // guarded by Shared::mutex, like record
  records::ErasureRecord record;
};

struct Shared {
  std::mutex mutex;
  std::condition_variable changed;
};

void work(std::shared_ptr<Shared> shared, std::shared_ptr<JobState> state, WipeJob job,
          WipeOptions options) {
  records::ErasureRecord record = job.record;
  try {
    auto device = job.open();
    state->control.touch();
    if (!device) {
      record.result = records::ErasureResult::failed;
      record.failure_reason = device.error();
      record.started_at = record.finished_at = base::format_rfc3339(options.clock->wall());
    } else {
      state->size_bytes = (*device)->geometry().size_bytes;
      state->sector_bytes = (*device)->geometry().logical_sector_bytes;
      run_overwrite(**device, options, record);
    }
  } catch (const std::exception& e) {
    record.result = records::ErasureResult::failed;
    record.failure_reason = std::string("internal error: ") + e.what();
  }
  std::lock_guard lock(shared->mutex);
  state->record = std::move(record);
  state->finished = true;
  shared->changed.notify_all();
}

} // namespace

RunResult run_wipes(std::vector<WipeJob> jobs, const RunOptions& options) {
  const base::Clock& clock = *options.wipe.clock;
  auto shared = std::make_shared<Shared>();
  std::vector<std::shared_ptr<JobState>> states;
  std::vector<std::thread> threads;
  std::vector<bool> decided(jobs.size(), false);
  RunResult result;
  result.records.resize(jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (jobs[i].record.started_at.empty()) {
      jobs[i].record.started_at = base::format_rfc3339(clock.wall()); // for a stalled record
    }
    auto state = std::make_shared<JobState>();
    state->control.clock = &clock;
    state->control.touch();
    WipeOptions wipe = options.wipe;
    wipe.device_label = jobs[i].device;
    wipe.control = &state->control;
    if (options.wipe.progress) {
      // A detached worker that wakes up later must not print over the report.
      wipe.progress = [sink = options.wipe.progress,
                       weak = std::weak_ptr<JobState>(state)](const Progress& p) {
        if (auto s = weak.lock(); s && !s->decided.load()) {
          sink(p);
        }
      };
    }
    states.push_back(state);
    threads.emplace_back(work, shared, state, jobs[i], std::move(wipe));
  }
  std::size_t open = jobs.size();
  std::unique_lock lock(shared->mutex);
  while (open > 0) {
    shared->changed.wait_for(lock, options.poll_interval);
    const auto now = clock.monotonic().time_since_epoch().count();
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      if (decided[i]) {
        continue;
      }
      auto& state = *states[i];
      if (state.finished) {
        result.records[i] = std::move(state.record);
        state.decided = true;
        decided[i] = true;
        --open;
        lock.unlock();
        threads[i].join();
        lock.lock();
        continue;
      }
      const auto idle = std::chrono::nanoseconds(now - state.control.last_progress_ns.load());
      if (idle < options.stall_timeout) {
        continue;
      }
      // Give up on this disk: cancel, detach, and report it failed now.
      state.control.cancel = true;
      state.decided = true;
      decided[i] = true;
      --open;
      threads[i].detach();
      ++result.abandoned;
      records::ErasureRecord record = jobs[i].record;
      if (state.size_bytes.load() != 0) {
        record.size_bytes = state.size_bytes.load();
        record.logical_sector_size = state.sector_bytes.load();
      }
      const auto seconds =
          std::chrono::duration_cast<std::chrono::seconds>(options.stall_timeout).count();
      const std::uint64_t at = state.control.position.load();
      record.method = std::string(to_string(options.wipe.method));
      record.method_detail = method_detail(options.wipe.method);
      record.verification = options.wipe.verification;
      record.verification_result = "not verified: the overwrite did not complete";
      record.result = records::ErasureResult::failed;
      record.finished_at = base::format_rfc3339(clock.wall());
      record.failure_reason =
          fmt::format("no progress for {} s (at byte {}): the disk stopped responding and was "
                      "abandoned; it is not erased",
                      seconds, at);
      record.failed_ranges.push_back(
          {at, record.size_bytes > at ? record.size_bytes - at : 0,
           fmt::format("no progress for {} s; not written from here on", seconds)});
      record.notes.push_back(
          "the wipe thread was still blocked in the kernel when this record was made: the "
          "counts of bytes written are unknown and left at 0");
      result.records[i] = std::move(record);
    }
  }
  return result;
}

} // namespace atelier::imager
