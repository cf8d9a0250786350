#include "tftp_test_support.h"

#include "pxe/tftp_negotiation.h"

#include <arpa/inet.h>
#include <array>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <netinet/in.h>
#include <poll.h>
#include <random>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace atelier::pxe::test {

namespace {

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

int bound_udp_socket() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  const sockaddr_in address = loopback(0);
  if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    throw std::runtime_error("cannot bind a UDP socket on 127.0.0.1");
  }
  return fd;
}

std::uint16_t local_port(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

void send_to(int fd, ByteView datagram, std::uint16_t port) {
  const sockaddr_in address = loopback(port);
  ::sendto(fd, datagram.data(), datagram.size(), 0, reinterpret_cast<const sockaddr*>(&address),
           sizeof address);
}

// Waits up to `timeout` for one datagram; nullopt on timeout. `from` gets the sender's port.
std::optional<Bytes> receive(int fd, std::chrono::milliseconds timeout, std::uint16_t& from) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) {
    return std::nullopt;
  }
  Bytes buffer(70000);
  sockaddr_in address{};
  socklen_t length = sizeof address;
  const ssize_t n = ::recvfrom(fd, buffer.data(), buffer.size(), 0,
                               reinterpret_cast<sockaddr*>(&address), &length);
  if (n < 0) {
    return std::nullopt;
  }
  buffer.resize(static_cast<std::size_t>(n));
  from = ntohs(address.sin_port);
  return buffer;
}

std::uint16_t option_number(const tftp::OptionAck& oack, std::string_view name,
                            std::uint16_t fallback) {
  for (const auto& option : oack.options) {
    if (tftp::option_equals(option.name, name)) {
      return static_cast<std::uint16_t>(std::stoul(option.value));
    }
  }
  return fallback;
}

} // namespace

ScratchDir::ScratchDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "atelier-tftp-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  m_path = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(m_path, ec);
}

Bytes write_file(const std::filesystem::path& path, std::size_t size, unsigned seed) {
  std::mt19937 generator(seed);
  Bytes bytes(size);
  for (auto& byte : bytes) {
    byte = static_cast<std::uint8_t>(generator());
  }
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(size));
  return bytes;
}

Bytes read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

int run_command(const std::string& command) {
  const int status = std::system(("timeout 60 " + command + " >/dev/null 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

ServerThread::ServerThread(TftpServerConfig config)
    : m_guard(boost::asio::make_work_guard(m_io)),
      m_server(m_io, std::move(config), [this](std::string_view line) {
        const std::lock_guard lock(m_mutex);
        m_log.emplace_back(line);
      }) {
  if (auto started = m_server.start(); !started) {
    throw std::runtime_error("TftpServer::start: " + started.error());
  }
  m_thread = std::thread([this] { m_io.run(); });
}

ServerThread::~ServerThread() {
  // stop() on the io thread (the server's thread contract), then let run() return.
  boost::asio::post(m_io, [this] {
    m_server.stop();
    m_guard.reset();
  });
  m_thread.join();
}

std::vector<std::string> ServerThread::log_lines() const {
  const std::lock_guard lock(m_mutex);
  return m_log;
}

bool ServerThread::log_contains(const std::string& text) const {
  for (const auto& line : log_lines()) {
    if (line.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

bool wait_for(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

FetchResult fetch(std::uint16_t port, const std::string& filename, const FetchOptions& options) {
  FetchResult result;
  const int fd = bound_udp_socket();
  // RRQ built by hand so that the mode goes out exactly as the test spells it.
  Bytes last_sent{0, 1};
  append_text(last_sent, filename);
  last_sent.push_back(0);
  append_text(last_sent, options.mode);
  last_sent.push_back(0);
  for (const auto& option : options.options) {
    append_text(last_sent, option.name);
    last_sent.push_back(0);
    append_text(last_sent, option.value);
    last_sent.push_back(0);
  }
  std::uint16_t send_port = port;
  send_to(fd, last_sent, send_port);

  std::uint16_t block_size = tftp::k_default_block_size;
  std::uint16_t window = 1;
  std::uint64_t expected = 1; // next block wanted, 1-based, never wraps
  unsigned since_ack = 0;
  int timeouts = 0;
  auto ack = [&](std::uint64_t block) {
    last_sent = tftp::serialize_message(tftp::Ack{tftp::wire_block(block)});
    send_to(fd, last_sent, send_port);
    if (options.duplicate_acks) {
      send_to(fd, last_sent, send_port);
    }
    since_ack = 0;
  };
  while (!result.complete && timeouts <= options.max_timeouts) {
    std::uint16_t from = 0;
    const auto datagram = receive(fd, options.timeout, from);
    if (!datagram) {
      ++timeouts;
      if (!options.silent) {
        send_to(fd, last_sent, send_port);
      }
      continue;
    }
    if (result.server_port != 0 && from != result.server_port) {
      continue; // not our transfer's TID (RFC 1350 §4)
    }
    result.server_port = from;
    send_port = from;
    auto decoded = tftp::parse_message(*datagram);
    if (!decoded) {
      continue;
    }
    if (auto* error = std::get_if<tftp::Error>(&decoded->message)) {
      result.error = *error;
      break;
    }
    if (auto* oack = std::get_if<tftp::OptionAck>(&decoded->message)) {
      result.oack = *oack;
      if (options.refuse_oack) {
        send_to(fd, tftp::serialize_message(tftp::Error{tftp::ErrorCode::option_refused, "probe"}),
                send_port);
        break;
      }
      block_size = option_number(*oack, "blksize", block_size);
      window = option_number(*oack, "windowsize", window);
      ack(0);
      continue;
    }
    auto* data = std::get_if<tftp::Data>(&decoded->message);
    if (data == nullptr) {
      continue;
    }
    ++result.data_datagrams;
    if (options.stop_after_data) {
      break;
    }
    if (options.silent) {
      continue;
    }
    if (data->block != tftp::wire_block(expected)) {
      // A gap or a duplicate: acknowledge the last block received in order (RFC 7440 §4).
      ack(expected - 1);
      continue;
    }
    result.data.insert(result.data.end(), data->payload.begin(), data->payload.end());
    result.complete = data->payload.size() < block_size;
    if (result.complete || ++since_ack == window) {
      ack(expected);
    }
    ++expected;
  }
  ::close(fd);
  return result;
}

LossyRelay::LossyRelay(std::uint16_t server_port, unsigned drop_every)
    : m_server_port(server_port), m_drop_every(drop_every), m_client_side(bound_udp_socket()),
      m_server_side(bound_udp_socket()), m_port(local_port(m_client_side.get())) {
  m_thread = std::thread([this] { run(); });
}

LossyRelay::~LossyRelay() {
  m_stop = true;
  m_thread.join();
}

void LossyRelay::run() {
  std::uint16_t client_port = 0;
  std::uint16_t transfer_port = 0;
  unsigned to_server = 0;
  unsigned to_client = 0;
  while (!m_stop) {
    std::array<pollfd, 2> fds{pollfd{m_client_side.get(), POLLIN, 0},
                              pollfd{m_server_side.get(), POLLIN, 0}};
    if (::poll(fds.data(), fds.size(), 20) <= 0) {
      continue;
    }
    std::uint16_t from = 0;
    if ((fds[0].revents & POLLIN) != 0) {
      if (auto datagram = receive(m_client_side.get(), std::chrono::milliseconds(0), from)) {
        client_port = from;
        const bool request = datagram->size() >= 2 && (*datagram)[1] == 1;
        if (++to_server % m_drop_every == 0) {
          ++m_dropped;
        } else {
          send_to(m_server_side.get(), *datagram,
                  request || transfer_port == 0 ? m_server_port : transfer_port);
        }
      }
    }
    if ((fds[1].revents & POLLIN) != 0) {
      if (auto datagram = receive(m_server_side.get(), std::chrono::milliseconds(0), from)) {
        transfer_port = from;
        if (++to_client % m_drop_every == 0) {
          ++m_dropped;
        } else if (client_port != 0) {
          send_to(m_client_side.get(), *datagram, client_port);
        }
      }
    }
  }
}

} // namespace atelier::pxe::test
