// The agent's progress reports to atelierd for one running step, posted from a thread of their own.
//
// Why a thread: the thread that reads a step's output (run_child) must never wait on the network.
// The agent once posted progress from it; one post whose answer never came (Beast's synchronous
// calls had no timeout) held that thread, nobody drained the wipe's stderr any more, the wipe's
// progress write blocked in the middle of the disk, and the wipe stood at 44 % for 19 minutes
// while the heartbeat, posted from another thread, told atelierd all was well (docs/WIPE.md,
// "Progress"). Now the reading thread only hands the event over (report) and goes back to reading.
//
// What is posted: the newest event, at most once per `min_gap`. When nothing new came for
// `heartbeat`, the event of the device whose bytes moved least recently, again, with its
// done_bytes as they were: a stuck disk looks stuck to atelierd, which judges wipes and deploys by
// bytes moving ([pipeline] stall_minutes, docs/PIPELINE.md "Limits"). Before any event, the stage
// ({"operation": STAGE, "detail"}). A refusal (4xx: atelierd gave the step up, or the session is
// over) ends the posting and goes to on_refused once, with the daemon's sentence.
//
// Threads: report, stage and device_done may be called from any thread; post and on_refused run
// on the poster's thread.
#pragma once

#include "base/clock.h"
#include "imager/agent/agent_client.h"

#include <chrono>
#include <condition_variable>
#include <expected>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

namespace atelier::imager {

class ProgressPoster {
public:
  using Post =
      std::function<std::expected<nlohmann::json, AgentError>(const nlohmann::json& progress)>;
  using Refused = std::function<void(const std::string& reason)>;
  struct Timing {
    std::chrono::milliseconds min_gap{1000};    // between two posts
    std::chrono::milliseconds heartbeat{20000}; // at the latest, a post after the previous one
    std::chrono::milliseconds tick{200};        // how often the thread looks (real time)
  };

  // Starts the thread. `clock` decides when to post (a FakeClock in tests) and must outlive this.
  ProgressPoster(Post post, Refused on_refused, const base::Clock& clock, Timing timing);
  ProgressPoster(Post post, Refused on_refused, const base::Clock& clock)
      : ProgressPoster(std::move(post), std::move(on_refused), clock, Timing{}) {}
  ProgressPoster(const ProgressPoster&) = delete;
  ProgressPoster& operator=(const ProgressPoster&) = delete;
  // Stops the thread; a post in flight is waited for (the client's timeout bounds it).
  ~ProgressPoster();

  // One progress event of the step (keys of records::progress_field). Never waits.
  void report(const nlohmann::json& event);
  // What the step is doing, for the heartbeat before any event. Never waits.
  void stage(std::string operation, std::string detail);
  // The step is done with this device (its child ended): its event is not repeated any more.
  void device_done(const std::string& device);
  // The refusal's sentence once one came, else empty.
  std::string refusal() const;

private:
  struct Device {
    nlohmann::json event;
    std::chrono::steady_clock::time_point moved; // when its bytes, operation or detail last changed
  };
  void run(std::stop_token stop);
  // The event to post now, or null when nothing is due. Called with m_mutex held.
  nlohmann::json due(std::chrono::steady_clock::time_point now);

  Post m_post;
  Refused m_on_refused;
  const base::Clock& m_clock;
  Timing m_timing;
  mutable std::mutex m_mutex;
  std::condition_variable_any m_wake;
  std::map<std::string, Device> m_devices;
  nlohmann::json m_newest; // the newest event not posted yet (null: none)
  nlohmann::json m_stage;  // {"operation", "detail"}
  std::chrono::steady_clock::time_point m_last_post;
  std::string m_refusal;
  std::jthread m_thread; // last: started once everything above exists
};

} // namespace atelier::imager
