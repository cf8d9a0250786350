#include "imager/wipe/wipe_pipeline.h"

#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

namespace atelier::imager {

ChunkPipeline::ChunkPipeline(std::size_t slots, std::size_t slot_bytes) {
  m_buffers.reserve(slots);
  for (std::size_t i = 0; i < slots; ++i) {
    m_buffers.emplace_back(slot_bytes);
  }
}

bool ChunkPipeline::run(std::uint64_t count, const Stage& produce, const Stage& consume,
                        WipeControl* control) {
  std::mutex mutex;
  std::condition_variable changed;
  std::uint64_t produced = 0; // chunks [0, produced) are ready
  std::uint64_t consumed = 0; // chunks [0, consumed) are done; their slots are free
  bool stop = false;
  bool producer_done = false;
  std::exception_ptr failure;
  const std::uint64_t slots = m_buffers.size();
  const auto cancelled = [&] {
    return control != nullptr && control->cancelled();
  };

  std::thread helper([&] {
    try {
      for (std::uint64_t k = 0; k < count; ++k) {
        {
          std::unique_lock lock(mutex);
          while (!stop && k >= consumed + slots) {
            changed.wait_for(lock, std::chrono::milliseconds(100));
            if (cancelled()) {
              stop = true;
            }
          }
          if (stop) {
            break;
          }
        }
        const bool ok = produce(k, buffer(k));
        std::lock_guard lock(mutex);
        if (!ok) {
          stop = true;
          break;
        }
        produced = k + 1;
        changed.notify_all();
      }
    } catch (...) {
      std::lock_guard lock(mutex);
      failure = std::current_exception();
      stop = true;
    }
    std::lock_guard lock(mutex);
    producer_done = true;
    changed.notify_all();
  });

  bool complete = true;
  for (std::uint64_t k = 0; k < count; ++k) {
    {
      std::unique_lock lock(mutex);
      while (k >= produced && !producer_done && !stop) {
        changed.wait_for(lock, std::chrono::milliseconds(100));
        if (cancelled()) {
          stop = true;
        }
      }
      if (k >= produced) {
        complete = false;
        stop = true;
        changed.notify_all();
        break;
      }
    }
    if (!consume(k, buffer(k)) || cancelled()) {
      std::lock_guard lock(mutex);
      complete = false;
      stop = true;
      changed.notify_all();
      break;
    }
    std::lock_guard lock(mutex);
    consumed = k + 1;
    changed.notify_all();
  }
  helper.join();
  if (failure) {
    std::rethrow_exception(failure);
  }
  return complete;
}

} // namespace atelier::imager
