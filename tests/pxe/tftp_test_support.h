// Test helpers for the TFTP server: a server on its own thread, a scratch directory, a minimal
// TFTP client built on the pxe codecs (for what packaged clients cannot do: windowsize on demand,
// the EDK2 probe, duplicate ACKs), and a UDP relay that drops datagrams.
#pragma once

#include "base/unique_fd.h"
#include "pxe/net_types.h"
#include "pxe/tftp_packet.h"
#include "pxe/tftp_server.h"

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace atelier::pxe::test {

// mkdtemp directory, removed with everything in it.
class ScratchDir {
public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return m_path; }

private:
  std::filesystem::path m_path;
};

// Writes `size` pseudo-random bytes (deterministic per seed) and returns them.
Bytes write_file(const std::filesystem::path& path, std::size_t size, unsigned seed = 1);
Bytes read_file(const std::filesystem::path& path);

// Runs a shell command with a 60 s `timeout`; returns its exit status.
int run_command(const std::string& command);

// A TftpServer on 127.0.0.1, an ephemeral port, served by io_context::run on a thread.
class ServerThread {
public:
  explicit ServerThread(TftpServerConfig config);
  ~ServerThread();
  ServerThread(const ServerThread&) = delete;
  ServerThread& operator=(const ServerThread&) = delete;

  std::uint16_t port() const { return m_server.port(); }
  TftpCounters counters() const { return m_server.counters(); }
  std::vector<std::string> log_lines() const;
  bool log_contains(const std::string& text) const;

private:
  mutable std::mutex m_mutex;
  std::vector<std::string> m_log;
  boost::asio::io_context m_io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> m_guard;
  TftpServer m_server;
  std::thread m_thread;
};

// Polls `condition` every 5 ms for up to 10 s (a bound against hangs, not a timing assertion).
bool wait_for(const std::function<bool()>& condition);

struct FetchOptions {
  std::vector<tftp::Option> options;
  std::string mode = "octet"; // sent as is: tests spell it "OCTET"
  bool refuse_oack = false;   // answer the OACK with ERROR 8, as EDK2 does
  bool duplicate_acks = false;
  bool silent = false;          // never ACK, never retransmit: only listen (until max_timeouts)
  bool stop_after_data = false; // return at the first DATA without acknowledging it
  std::chrono::milliseconds timeout{500}; // client re-ACK timeout
  int max_timeouts = 40;
};

struct FetchResult {
  Bytes data;
  bool complete = false; // the short last block arrived
  std::optional<tftp::OptionAck> oack;
  std::optional<tftp::Error> error;
  std::uint64_t data_datagrams = 0;
  std::uint16_t server_port = 0; // the transfer's TID
};

FetchResult fetch(std::uint16_t port, const std::string& filename,
                  const FetchOptions& options = {});

// Relays one client to a server on 127.0.0.1 and drops every `drop_every`-th datagram in each
// direction. Requests go to the server's request port, everything else to the transfer's port.
class LossyRelay {
public:
  LossyRelay(std::uint16_t server_port, unsigned drop_every);
  ~LossyRelay();
  LossyRelay(const LossyRelay&) = delete;
  LossyRelay& operator=(const LossyRelay&) = delete;
  std::uint16_t port() const { return m_port; }
  unsigned dropped() const { return m_dropped; }

private:
  void run();
  std::uint16_t m_server_port;
  unsigned m_drop_every;
  atelier::base::UniqueFd m_client_side;
  atelier::base::UniqueFd m_server_side;
  std::uint16_t m_port = 0;
  std::atomic<bool> m_stop{false};
  std::atomic<unsigned> m_dropped{0};
  std::thread m_thread;
};

} // namespace atelier::pxe::test
