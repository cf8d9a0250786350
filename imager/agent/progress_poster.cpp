#include "imager/agent/progress_poster.h"

#include "records/agent_protocol.h"

namespace atelier::imager {
namespace {

namespace progress_field = records::progress_field;

std::string text_at(const nlohmann::json& j, std::string_view key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Whether `next` says something moved since `previous` (same device): more bytes, or another
// operation or pass.
bool moved(const nlohmann::json& previous, const nlohmann::json& next) {
  if (text_at(previous, progress_field::k_operation) !=
          text_at(next, progress_field::k_operation) ||
      text_at(previous, progress_field::k_detail) != text_at(next, progress_field::k_detail)) {
    return true;
  }
  const auto before = previous.find(progress_field::k_done_bytes);
  const auto after = next.find(progress_field::k_done_bytes);
  if (before == previous.end() || after == next.end() || !before->is_number() ||
      !after->is_number()) {
    return true;
  }
  return after->get<double>() != before->get<double>();
}

} // namespace

ProgressPoster::ProgressPoster(Post post, Refused on_refused, const base::Clock& clock,
                               Timing timing)
    : m_post(std::move(post)), m_on_refused(std::move(on_refused)), m_clock(clock),
      m_timing(timing), m_last_post(clock.monotonic()),
      m_thread([this](std::stop_token stop) { run(stop); }) {}

ProgressPoster::~ProgressPoster() {
  m_thread.request_stop();
  m_wake.notify_all();
}

void ProgressPoster::report(const nlohmann::json& event) {
  std::lock_guard lock(m_mutex);
  const std::string device = text_at(event, progress_field::k_device);
  auto it = m_devices.find(device);
  if (it == m_devices.end()) {
    m_devices.emplace(device, Device{event, m_clock.monotonic()});
  } else {
    if (moved(it->second.event, event)) {
      it->second.moved = m_clock.monotonic();
    }
    it->second.event = event;
  }
  m_newest = event;
}

void ProgressPoster::stage(std::string operation, std::string detail) {
  std::lock_guard lock(m_mutex);
  m_stage = nlohmann::json{{progress_field::k_operation, std::move(operation)},
                           {progress_field::k_detail, std::move(detail)}};
}

void ProgressPoster::device_done(const std::string& device) {
  std::lock_guard lock(m_mutex);
  m_devices.erase(device);
}

std::string ProgressPoster::refusal() const {
  std::lock_guard lock(m_mutex);
  return m_refusal;
}

nlohmann::json ProgressPoster::due(std::chrono::steady_clock::time_point now) {
  if (!m_refusal.empty()) {
    return nullptr; // the daemon will not hear any more of this step
  }
  if (!m_newest.is_null() && now - m_last_post >= m_timing.min_gap) {
    return std::exchange(m_newest, nullptr);
  }
  if (now - m_last_post < m_timing.heartbeat) {
    return nullptr;
  }
  // Heartbeat: the device that moved least recently, as it last was, so that a stuck one is seen.
  const Device* laggard = nullptr;
  for (const auto& [name, device] : m_devices) {
    if (laggard == nullptr || device.moved < laggard->moved) {
      laggard = &device;
    }
  }
  if (laggard != nullptr) {
    return laggard->event;
  }
  if (!m_stage.is_null()) {
    return m_stage;
  }
  return nlohmann::json::object();
}

void ProgressPoster::run(std::stop_token stop) {
  std::unique_lock lock(m_mutex);
  while (!stop.stop_requested()) {
    m_wake.wait_for(lock, stop, m_timing.tick, [] { return false; });
    if (stop.stop_requested()) {
      return;
    }
    const auto now = m_clock.monotonic();
    nlohmann::json event = due(now);
    if (event.is_null()) {
      continue;
    }
    m_last_post = now;
    lock.unlock();
    auto answer = m_post(event);
    lock.lock();
    if (!answer && answer.error().status >= 400 && answer.error().status < 500) {
      m_refusal = answer.error().message;
      const std::string reason = m_refusal;
      lock.unlock();
      if (m_on_refused) {
        m_on_refused(reason);
      }
      lock.lock();
    }
  }
}

} // namespace atelier::imager
