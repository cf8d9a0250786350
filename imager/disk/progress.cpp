#include "imager/disk/progress.h"

#include "records/agent_protocol.h"

#include <algorithm>
#include <cerrno>
#include <poll.h>
#include <unistd.h>

#include <climits>
#include <nlohmann/json.hpp>

namespace atelier::imager {

nlohmann::json to_json(const Progress& p) {
  // The agent forwards these lines as they are: they are the progress report of the agent API.
  namespace field = records::progress_field;
  return nlohmann::json{
      {field::k_operation, p.operation},
      {field::k_device, p.device},
      {field::k_done_bytes, p.done_bytes},
      {field::k_total_bytes, p.total_bytes},
      {field::k_bytes_per_second, p.bytes_per_second},
      {field::k_eta_seconds,
       p.eta_seconds ? nlohmann::json(*p.eta_seconds) : nlohmann::json(nullptr)},
      {field::k_detail, p.detail},
  };
}

void ProgressLines::post(const std::string& key, std::string line) {
  line += '\n';
  std::lock_guard lock(m_mutex);
  auto same = std::find_if(m_pending.begin(), m_pending.end(),
                           [&](const auto& pending) { return pending.first == key; });
  if (same != m_pending.end()) {
    ++m_replaced;
    m_pending.erase(same);
  }
  m_pending.emplace_back(key, std::move(line));
  drain(0);
}

bool ProgressLines::flush(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::lock_guard lock(m_mutex);
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (drain(static_cast<int>(std::max<std::int64_t>(0, left.count())))) {
      return true;
    }
    if (left.count() <= 0) {
      return false;
    }
  }
}

std::uint64_t ProgressLines::replaced() const {
  std::lock_guard lock(m_mutex);
  return m_replaced;
}

bool ProgressLines::drain(int timeout_ms) {
  while (!m_partial.empty() || !m_pending.empty()) {
    pollfd fd{m_fd, POLLOUT, 0};
    const int ready = ::poll(&fd, 1, timeout_ms);
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready <= 0) {
      return false; // the reader is not reading: keep the line for later
    }
    if ((fd.revents & (POLLERR | POLLNVAL)) != 0) {
      m_partial.clear(); // nobody will ever read it (closed pipe, closed descriptor)
      m_pending.clear();
      return true;
    }
    if (m_partial.empty()) {
      m_partial = std::move(m_pending.front().second);
      m_pending.erase(m_pending.begin());
    }
    // A pipe that polls writable takes up to PIPE_BUF bytes whole, without blocking.
    const std::size_t n = std::min<std::size_t>(m_partial.size(), PIPE_BUF);
    const ssize_t written = ::write(m_fd, m_partial.data(), n);
    if (written < 0) {
      if (errno == EINTR || errno == EAGAIN) {
        continue;
      }
      m_partial.clear(); // EPIPE and friends: the reader is gone
      m_pending.clear();
      return true;
    }
    m_partial.erase(0, static_cast<std::size_t>(written));
  }
  return true;
}

} // namespace atelier::imager
