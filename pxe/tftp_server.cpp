#include "pxe/tftp_server.h"

#include "base/file_io.h"
#include "base/text.h"
#include "base/unique_fd.h"
#include "pxe/tftp_packet.h"
#include "pxe/tftp_path.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

namespace atelier::pxe {

namespace asio = boost::asio;
using asio::ip::udp;

namespace {

// Requests are small (RFC 2347 §2 suggests 512 bytes); anything longer is not a request we serve.
constexpr std::size_t k_max_request = 2048;
// What a transfer socket reads: ACKs (4 bytes) and ERRORs with a message.
constexpr std::size_t k_max_reply = 1024;

struct OpenedFile {
  base::UniqueFd fd;
  std::uint64_t size = 0;
};

enum class RefusalKind : std::uint8_t { path, not_found, other };

// Why a request gets an ERROR instead of a transfer.
struct Refusal {
  RefusalKind kind = RefusalKind::other;
  tftp::ErrorCode code = tftp::ErrorCode::not_defined;
  std::string reply;  // ERROR message on the wire: short, reveals nothing about the server
  std::string reason; // for the log line
};

struct AtomicCounters {
  std::atomic<std::uint64_t> started{0};
  std::atomic<std::uint64_t> completed{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> probes{0};
  std::atomic<std::uint64_t> retransmissions{0};
  std::atomic<std::uint64_t> refused_busy{0};
  std::atomic<std::uint64_t> refused_path{0};
  std::atomic<std::uint64_t> refused_write{0};
  std::atomic<std::uint64_t> not_found{0};
  std::atomic<std::uint64_t> bytes_sent{0};
};

std::string endpoint_text(const udp::endpoint& endpoint) {
  return fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
}

std::string options_text(const tftp::Negotiation& negotiation) {
  std::string text;
  for (const auto& option : negotiation.accepted) {
    text += fmt::format(" {}={}", option.name, option.value);
  }
  return text.empty() ? " (no options)" : text;
}

class Transfer;

// What transfers share with the server. Lives in TftpServer::Impl; transfers hold a pointer that
// stop() clears, after which their pending handlers do nothing.
struct ServerState {
  asio::io_context& io;
  TftpServerConfig config;
  TftpLogSink log;
  AtomicCounters counters;
  std::unordered_map<Transfer*, std::shared_ptr<Transfer>> active;

  ServerState(asio::io_context& io_context, TftpServerConfig cfg, TftpLogSink sink)
      : io(io_context), config(std::move(cfg)), log(std::move(sink)) {}
};

enum class Outcome : std::uint8_t { completed, failed, probe, stopped };

// One read transfer: the state machine of RFC 1350 §6 with RFC 7440 windows.
class Transfer : public std::enable_shared_from_this<Transfer> {
public:
  Transfer(ServerState& server, udp::socket socket, udp::endpoint client, std::string filename,
           OpenedFile file, tftp::Negotiation negotiation)
      : m_server(&server), m_socket(std::move(socket)), m_timer(server.io),
        m_client(std::move(client)), m_filename(std::move(filename)), m_file(std::move(file)),
        m_negotiation(std::move(negotiation)),
        m_total_blocks(tftp::block_count(m_file.size, m_negotiation.block_size)),
        m_base_timeout(m_negotiation.timeout_seconds
                           ? std::chrono::milliseconds(*m_negotiation.timeout_seconds * 1000)
                           : server.config.initial_timeout),
        m_timeout(m_base_timeout), m_buffer(4 + std::size_t{m_negotiation.block_size}) {}

  void begin() {
    receive();
    if (m_negotiation.needs_oack()) {
      // RFC 2347 §4: DATA starts only after the client acknowledges the OACK with ACK 0.
      m_waiting_oack = true;
      send_oack();
    } else {
      send_window();
    }
  }

  // A retransmitted RRQ (our OACK or DATA 1 was lost) from the same client port while this
  // transfer has not been acknowledged yet is the same request, not a new one.
  bool is_duplicate_request(const udp::endpoint& client, std::string_view filename) const {
    return m_acked == 0 && client == m_client && filename == m_filename;
  }

  // Server stop: no ERROR, no counter, handlers still queued find m_server == nullptr.
  void detach() { finish(Outcome::stopped, {}); }

private:
  void receive() {
    m_socket.async_receive(asio::buffer(m_reply),
                           [self = shared_from_this()](boost::system::error_code ec,
                                                       std::size_t n) { self->on_receive(ec, n); });
  }

  void on_receive(boost::system::error_code ec, std::size_t n) {
    if (m_server == nullptr || ec == asio::error::operation_aborted) {
      return;
    }
    if (ec == asio::error::connection_refused) {
      // ICMP port unreachable for one of our datagrams: the client's port is closed, it is gone.
      finish(Outcome::failed, "client port unreachable (client gone)");
      return;
    }
    if (!ec) {
      handle_reply(ByteView(m_reply.data(), n));
    }
    if (m_server != nullptr) {
      receive();
    }
  }

  void handle_reply(ByteView wire) {
    auto decoded = tftp::parse_message(wire);
    if (!decoded) {
      return; // garbage from the client's port: the retransmission timer covers a lost ACK
    }
    if (const auto* error = std::get_if<tftp::Error>(&decoded->message)) {
      if (m_waiting_oack && error->code == tftp::ErrorCode::option_refused) {
        // The EDK2 tsize probe (PXE-NOTES): it learns the size from the OACK, refuses it, and
        // asks again. Normal, so counted apart and not logged as a failure.
        finish(Outcome::probe, {});
        return;
      }
      finish(Outcome::failed, fmt::format("client sent ERROR {}: {}",
                                          static_cast<unsigned>(error->code), error->message));
      return;
    }
    const auto* ack = std::get_if<tftp::Ack>(&decoded->message);
    if (ack == nullptr) {
      return;
    }
    if (m_waiting_oack) {
      if (ack->block == 0) {
        m_waiting_oack = false;
        made_progress();
        send_window();
      }
      return;
    }
    // Stale and duplicate ACKs are ignored, never answered with DATA: answering them doubles
    // every later block (Sorcerer's Apprentice, RFC 1123 §4.2.3.1). Lost data is resent on the
    // timer only.
    const auto block = tftp::acked_block(ack->block, m_acked, m_sent);
    if (!block || *block == m_acked) {
      return;
    }
    m_acked = *block;
    made_progress();
    if (m_acked == m_total_blocks) {
      finish(Outcome::completed, {});
      return;
    }
    // RFC 7440 §4: the next window starts after the acknowledged block, which resends the rest
    // of the previous window when the client acknowledged short of its end (it saw a gap).
    send_window();
  }

  void made_progress() {
    m_retries = 0;
    m_timeout = m_base_timeout;
  }

  void send_oack() {
    send(tftp::serialize_message(m_negotiation.oack()));
    arm_timer();
  }

  void send_window() {
    const std::uint64_t last =
        std::min(m_total_blocks, m_acked + std::uint64_t{m_negotiation.window_size});
    for (std::uint64_t block = m_acked + 1; block <= last && m_server != nullptr; ++block) {
      send_block(block);
    }
    if (m_server != nullptr) {
      m_sent = std::max(m_sent, last);
      arm_timer();
    }
  }

  void send_block(std::uint64_t block) {
    const std::uint64_t offset = tftp::block_offset(block, m_negotiation.block_size);
    const std::size_t length = offset >= m_file.size
                                   ? 0
                                   : static_cast<std::size_t>(std::min<std::uint64_t>(
                                         m_negotiation.block_size, m_file.size - offset));
    const std::uint16_t wire = tftp::wire_block(block);
    m_buffer[0] = 0;
    m_buffer[1] = static_cast<std::uint8_t>(tftp::Opcode::data);
    m_buffer[2] = static_cast<std::uint8_t>(wire >> 8);
    m_buffer[3] = static_cast<std::uint8_t>(wire & 0xff);
    std::size_t done = 0;
    while (done < length) {
      const ssize_t n = ::pread(m_file.fd.get(), m_buffer.data() + 4 + done, length - done,
                                static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        // The file shrank or the disk failed: tell the client rather than send a short block,
        // which it would take for the end of the file.
        const std::string reason =
            n == 0 ? std::string("file shrank while being sent") : base::errno_text(errno);
        send(tftp::serialize_message(tftp::Error{tftp::ErrorCode::not_defined, "read error"}));
        finish(Outcome::failed, fmt::format("reading block {}: {}", block, reason));
        return;
      }
      done += static_cast<std::size_t>(n);
    }
    send(ByteView(m_buffer.data(), 4 + length));
    m_server->counters.bytes_sent += length;
  }

  void send(ByteView datagram) {
    boost::system::error_code ec;
    m_socket.send(asio::buffer(datagram.data(), datagram.size()), 0, ec);
    // A failed send (ICMP error from an earlier datagram, full buffer) is left to the timer: the
    // datagram counts as lost, the retry budget decides when to give up.
  }

  void arm_timer() {
    const std::uint64_t generation = ++m_timer_generation;
    m_timer.expires_after(m_timeout);
    m_timer.async_wait([self = shared_from_this(), generation](boost::system::error_code ec) {
      // The generation check drops a wait that had already completed when the timer was re-armed.
      if (!ec && self->m_server != nullptr && generation == self->m_timer_generation) {
        self->on_timeout();
      }
    });
  }

  void on_timeout() {
    if (m_retries >= m_server->config.max_retries) {
      send(tftp::serialize_message(tftp::Error{tftp::ErrorCode::not_defined, "timed out"}));
      finish(Outcome::failed,
             fmt::format("no ACK after {} retransmissions (last ACK block {} of {})", m_retries,
                         m_acked, m_total_blocks));
      return;
    }
    ++m_retries;
    // Exponential backoff (RFC 1123 §4.2.3.2 asks for an adaptive timeout): a congested link or a
    // slow firmware gets more time with each retry, up to the cap.
    m_timeout = std::min(m_timeout * 2, std::max(m_server->config.max_timeout, m_base_timeout));
    ++m_server->counters.retransmissions;
    if (m_waiting_oack) {
      send_oack();
    } else {
      send_window();
    }
  }

  void finish(Outcome outcome, std::string_view reason) {
    if (m_server == nullptr) {
      return;
    }
    ServerState& server = *std::exchange(m_server, nullptr);
    ++m_timer_generation;
    boost::system::error_code ec;
    m_timer.cancel();
    m_socket.close(ec);
    m_file.fd.reset();
    switch (outcome) {
    // The line is logged before the counter moves: whoever sees the counter (a test, a status
    // page) can rely on the line being there.
    case Outcome::completed:
      server.log(fmt::format("TFTP: sent \"{}\" to {} ({} bytes,{})", m_filename,
                             endpoint_text(m_client), m_file.size, options_text(m_negotiation)));
      if (server.config.on_sent) {
        server.config.on_sent(m_filename, m_client.address().to_string());
      }
      ++server.counters.completed;
      break;
    case Outcome::failed:
      server.log(fmt::format("TFTP: transfer of \"{}\" to {} failed: {}", m_filename,
                             endpoint_text(m_client), reason));
      ++server.counters.failed;
      break;
    case Outcome::probe:
      ++server.counters.probes;
      break;
    case Outcome::stopped:
      break;
    }
    // Last: may drop the map's reference; callers hold their own (handlers capture `self`).
    server.active.erase(this);
  }

  ServerState* m_server;
  udp::socket m_socket;
  asio::steady_timer m_timer;
  udp::endpoint m_client;
  std::string m_filename;
  OpenedFile m_file;
  tftp::Negotiation m_negotiation;
  std::uint64_t m_total_blocks;
  std::uint64_t m_acked = 0; // highest block acknowledged (0: none, or only the OACK)
  std::uint64_t m_sent = 0;  // highest block sent
  bool m_waiting_oack = false;
  std::chrono::milliseconds m_base_timeout;
  std::chrono::milliseconds m_timeout;
  unsigned m_retries = 0;
  std::uint64_t m_timer_generation = 0;
  Bytes m_buffer; // one DATA datagram: the only per-transfer copy of file content
  std::array<std::uint8_t, k_max_reply> m_reply{};
};

Refusal path_refusal(const tftp::PathError& error) {
  switch (error.refusal) {
  case tftp::PathRefusal::not_found:
  case tftp::PathRefusal::empty:
    return {RefusalKind::not_found, tftp::ErrorCode::file_not_found, "file not found",
            error.message};
  case tftp::PathRefusal::io_error:
    return {RefusalKind::other, tftp::ErrorCode::file_not_found, "file not found", error.message};
  case tftp::PathRefusal::nul_byte:
  case tftp::PathRefusal::parent_reference:
  case tftp::PathRefusal::absolute_outside_root:
  case tftp::PathRefusal::escapes_root:
    break;
  }
  return {RefusalKind::path, tftp::ErrorCode::access_violation, "access violation", error.message};
}

// A generated file, served like any other: an anonymous memory file read with pread.
std::expected<OpenedFile, Refusal> in_memory(std::string_view content, const std::string& name) {
  auto fd = base::memory_file("atelier-tftp", content);
  if (!fd) {
    return std::unexpected(
        Refusal{RefusalKind::other, tftp::ErrorCode::access_violation, "access violation",
                fmt::format("{}: cannot hold the generated file: {}", name, fd.error())});
  }
  return OpenedFile{std::move(*fd), content.size()};
}

// O_NOFOLLOW: confine_to_root returned a canonical path; a symlink there now means someone swapped
// a component after the check (tftp_path.h contract).
std::expected<OpenedFile, Refusal> open_file(const std::filesystem::path& path, bool from_jail) {
  const int flags = O_RDONLY | O_CLOEXEC | (from_jail ? O_NOFOLLOW : 0);
  base::UniqueFd fd(::open(path.c_str(), flags));
  if (fd.get() < 0) {
    const int error = errno;
    if (error == ENOENT) {
      return std::unexpected(Refusal{RefusalKind::not_found, tftp::ErrorCode::file_not_found,
                                     "file not found",
                                     fmt::format("{}: not found", path.string())});
    }
    if (error == ELOOP) {
      return std::unexpected(
          Refusal{RefusalKind::path, tftp::ErrorCode::access_violation, "access violation",
                  fmt::format("{}: became a symlink after the check", path.string())});
    }
    return std::unexpected(Refusal{RefusalKind::other, tftp::ErrorCode::access_violation,
                                   "access violation",
                                   fmt::format("{}: {}", path.string(), base::errno_text(error))});
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return std::unexpected(Refusal{RefusalKind::not_found, tftp::ErrorCode::file_not_found,
                                   "file not found",
                                   fmt::format("{}: not a regular file", path.string())});
  }
  return OpenedFile{std::move(fd), static_cast<std::uint64_t>(info.st_size)};
}

} // namespace

struct TftpServer::Impl : ServerState {
  udp::socket socket;
  std::array<std::uint8_t, k_max_request> buffer{};
  udp::endpoint sender;
  asio::ip::address_v4 listen_address;
  std::atomic<std::uint16_t> bound_port{0};

  Impl(asio::io_context& io_context, TftpServerConfig cfg, TftpLogSink sink)
      : ServerState(io_context, std::move(cfg), std::move(sink)), socket(io_context) {
    if (!config.root.empty()) {
      // resolve_request_path wants an absolute, lexically normal root.
      config.root = std::filesystem::absolute(config.root).lexically_normal();
    }
  }

  // Opens a UDP socket on the listen address: port 0 for a transfer (the kernel picks the TID).
  std::expected<void, std::string> open_socket(udp::socket& s, std::uint16_t port) {
    boost::system::error_code ec;
    s.open(udp::v4(), ec);
    if (!ec && port != 0) {
      s.set_option(asio::socket_base::reuse_address(true), ec);
    }
    if (!ec && !config.interface.empty()) {
      // Only the workshop interface: never serve files on the server's other networks.
      if (::setsockopt(s.native_handle(), SOL_SOCKET, SO_BINDTODEVICE, config.interface.c_str(),
                       static_cast<socklen_t>(config.interface.size())) != 0) {
        return std::unexpected(fmt::format("port {}: cannot bind to interface {}: {}", port,
                                           config.interface, base::errno_text(errno)));
      }
    }
    if (!ec) {
      s.bind(udp::endpoint(listen_address, port), ec);
    }
    if (ec) {
      return std::unexpected(fmt::format(
          "port {}: {}{}", port, ec.message(),
          ec == asio::error::access_denied ? " (run as root or grant CAP_NET_BIND_SERVICE)" : ""));
    }
    return {};
  }

  void receive() {
    socket.async_receive_from(asio::buffer(buffer), sender,
                              [this](boost::system::error_code ec, std::size_t n) {
                                if (ec == asio::error::operation_aborted || !socket.is_open()) {
                                  return;
                                }
                                if (!ec) {
                                  handle_request(ByteView(buffer.data(), n), sender);
                                }
                                receive();
                              });
  }

  // Errors to a request come from a fresh port too: a client that already pins the server's TID
  // from the first answer (RFC 1350 §4) then sees one consistent peer.
  void send_error(const udp::endpoint& to, tftp::ErrorCode code, std::string_view message) {
    udp::socket s(io);
    if (!open_socket(s, 0)) {
      return;
    }
    boost::system::error_code ec;
    s.send_to(asio::buffer(tftp::serialize_message(tftp::Error{code, std::string(message)})), to, 0,
              ec);
  }

  void handle_request(ByteView wire, const udp::endpoint& client) {
    auto decoded = tftp::parse_message(wire);
    if (!decoded) {
      log(fmt::format("TFTP: ignored malformed request from {}: {}", endpoint_text(client),
                      decoded.error().message));
      return;
    }
    const auto* request = std::get_if<tftp::Request>(&decoded->message);
    if (request == nullptr) {
      return; // a stray ACK/DATA for a finished transfer: nothing to answer on this port
    }
    for (const auto& [key, transfer] : active) {
      if (transfer->is_duplicate_request(client, request->filename)) {
        return; // its own timer resends the OACK or DATA 1; a second transfer would race it
      }
    }
    if (request->opcode == tftp::Opcode::wrq) {
      ++counters.refused_write;
      log(fmt::format("TFTP: refused write request from {} for \"{}\" (read-only server)",
                      endpoint_text(client), request->filename));
      send_error(client, tftp::ErrorCode::access_violation, "read-only server");
      return;
    }
    if (request->mode == tftp::Mode::mail) {
      send_error(client, tftp::ErrorCode::illegal_operation, "mail mode not supported");
      return;
    }
    if (active.size() >= config.max_transfers) {
      ++counters.refused_busy;
      log(fmt::format("TFTP: {} transfers in progress (max_transfers), refusing {} \"{}\"",
                      active.size(), endpoint_text(client), request->filename));
      send_error(client, tftp::ErrorCode::not_defined, "server busy, try again");
      return;
    }
    auto file = open_requested(request->filename, client.address().to_string());
    if (!file) {
      const Refusal& refusal = file.error();
      if (refusal.kind == RefusalKind::path) {
        ++counters.refused_path;
        log(fmt::format("TFTP: refused {} \"{}\": {}", endpoint_text(client), request->filename,
                        refusal.reason));
      } else {
        if (refusal.kind == RefusalKind::not_found) {
          ++counters.not_found;
        }
        log(fmt::format("TFTP: {} asked for \"{}\": {}", endpoint_text(client), request->filename,
                        refusal.reason));
      }
      send_error(client, refusal.code, refusal.reply);
      return;
    }
    if (request->mode == tftp::Mode::netascii) {
      // Leniency: boot files are binary and no boot ROM asks for netascii; converting line ends
      // would make tsize wrong. Bytes go out unchanged, and the operator is told.
      log(fmt::format("TFTP: {} asked for \"{}\" in netascii mode, sending it unconverted",
                      endpoint_text(client), request->filename));
    }
    auto negotiation = tftp::negotiate(*request, file->size, config.limits);
    for (const auto& refused : negotiation.refused) {
      log(fmt::format("TFTP: {} \"{}\": option {}={} not honoured: {}", endpoint_text(client),
                      request->filename, refused.name, refused.value, refused.reason));
    }
    udp::socket transfer_socket(io);
    if (auto opened = open_socket(transfer_socket, 0); !opened) {
      log(fmt::format("TFTP: cannot open a transfer socket for {}: {}", endpoint_text(client),
                      opened.error()));
      return;
    }
    boost::system::error_code ec;
    transfer_socket.connect(client, ec);
    if (ec) {
      log(fmt::format("TFTP: cannot connect to {}: {}", endpoint_text(client), ec.message()));
      return;
    }
    auto transfer =
        std::make_shared<Transfer>(*this, std::move(transfer_socket), client, request->filename,
                                   std::move(*file), std::move(negotiation));
    active.emplace(transfer.get(), transfer);
    ++counters.started;
    transfer->begin();
  }

  std::expected<OpenedFile, Refusal> open_requested(const std::string& name,
                                                    const std::string& client_ip) {
    if (config.generated) {
      if (auto made = config.generated(name, client_ip)) {
        if (!*made) {
          return std::unexpected(Refusal{RefusalKind::other, tftp::ErrorCode::file_not_found,
                                         "file not found", made->error()});
        }
        return in_memory(**made, name);
      }
    }
    if (const auto entry = config.files.find(name); entry != config.files.end()) {
      return open_file(entry->second, false);
    }
    if (config.root.empty()) {
      return std::unexpected(Refusal{RefusalKind::not_found, tftp::ErrorCode::file_not_found,
                                     "file not found", "not in the file table"});
    }
    auto resolved = tftp::resolve_request_path(config.root, name);
    if (!resolved) {
      return std::unexpected(path_refusal(resolved.error()));
    }
    auto confined = tftp::confine_to_root(config.root, *resolved);
    if (!confined) {
      return std::unexpected(path_refusal(confined.error()));
    }
    return open_file(*confined, true);
  }

  void stop() {
    boost::system::error_code ec;
    socket.close(ec);
    // Copy: detach() erases from `active`.
    std::vector<std::shared_ptr<Transfer>> transfers;
    for (const auto& [key, transfer] : active) {
      transfers.push_back(transfer);
    }
    for (const auto& transfer : transfers) {
      transfer->detach();
    }
  }
};

TftpServer::TftpServer(asio::io_context& io, TftpServerConfig config, TftpLogSink log)
    : m_impl(std::make_unique<Impl>(io, std::move(config), std::move(log))) {}

TftpServer::~TftpServer() {
  m_impl->stop();
}

std::expected<void, std::string> TftpServer::start() {
  boost::system::error_code ec;
  m_impl->listen_address = asio::ip::make_address_v4(m_impl->config.listen_address, ec);
  if (ec) {
    return std::unexpected(
        fmt::format("listen address '{}': {}", m_impl->config.listen_address, ec.message()));
  }
  if (auto opened = m_impl->open_socket(m_impl->socket, m_impl->config.port); !opened) {
    return opened;
  }
  m_impl->bound_port = m_impl->socket.local_endpoint(ec).port();
  m_impl->receive();
  return {};
}

void TftpServer::stop() {
  m_impl->stop();
}

std::uint16_t TftpServer::port() const {
  return m_impl->bound_port;
}

TftpCounters TftpServer::counters() const {
  const AtomicCounters& c = m_impl->counters;
  return TftpCounters{c.started,         c.completed,    c.failed,       c.probes,
                      c.retransmissions, c.refused_busy, c.refused_path, c.refused_write,
                      c.not_found,       c.bytes_sent};
}

} // namespace atelier::pxe
