// UDP transport of TFTP: a read-only server (RFC 1350) with option negotiation (RFC 2347/2348/2349)
// and windowed transfers (RFC 7440), built on the pure codecs in tftp_packet.h, tftp_negotiation.h
// and tftp_path.h. docs/TFTP.md describes behaviour, limits, counters and log lines.
//
// Each transfer gets its own UDP socket on an ephemeral port, connected to the client: that port is
// the server's transfer identifier (RFC 1350 §4), and the kernel drops datagrams from any other
// peer. Files are read block by block with pread, never loaded whole, so twenty clients fetching a
// 30 MB initrd cost twenty block buffers, not 600 MB.
//
// Thread model: everything runs on the io_context given to the constructor; start() and stop()
// must be called on that io_context's thread, or while it is not running. counters() may be called
// from any thread. The log sink is called on the io_context's thread.
#pragma once

#include "pxe/tftp_negotiation.h"

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace atelier::pxe {

// A file made on request (a boot entry with a fresh token): for the requested name and the
// client's address, nullopt when the name is not one it makes (the table and the jail are tried
// next), an error when it refuses (the client gets "file not found", the log the reason), or the
// content. Called on the io_context's thread.
using TftpGenerator = std::function<std::optional<std::expected<std::string, std::string>>(
    std::string_view name, const std::string& client_ip)>;

struct TftpServerConfig {
  std::string listen_address = "0.0.0.0";
  std::uint16_t port = 69; // 0 = an ephemeral port (tests); see TftpServer::port()
  std::string interface;   // bind to this interface only (SO_BINDTODEVICE); "" = all
  // The jail: names not in `files` resolve under this directory (tftp_path.h rules: no "..", no
  // absolute path outside it, no symlink out of it). Empty = serve only the fixed table.
  std::filesystem::path root;
  // Fixed table, checked first: exact requested name -> file on disk. Entries are trusted
  // configuration and are not confined to `root`.
  std::map<std::string, std::filesystem::path, std::less<>> files;
  // Checked before the table. Empty = none.
  TftpGenerator generated;
  // Called on the io_context's thread after each completed transfer (its "sent" log line).
  std::function<void(std::string_view name, const std::string& client_ip)> on_sent;
  // Transfers in progress beyond this are refused with "server busy" (dnsmasq's default cap is 50).
  std::size_t max_transfers = 50;
  // Retransmission: the first timeout is the client's RFC 2349 `timeout` option if it sent one,
  // else `initial_timeout`; each retransmission doubles it up to `max_timeout`. After
  // `max_retries` retransmissions without progress the transfer ends with an ERROR.
  std::chrono::milliseconds initial_timeout{1000};
  std::chrono::milliseconds max_timeout{8000};
  unsigned max_retries = 5;
  tftp::NegotiationLimits limits;
};

// Monotonic totals since start(), for the status page and tests.
struct TftpCounters {
  std::uint64_t transfers_started = 0;   // RRQs that got a transfer socket (OACK or DATA sent)
  std::uint64_t transfers_completed = 0; // last block acknowledged
  std::uint64_t transfers_failed = 0;    // timed out, client ERROR, I/O error
  std::uint64_t tsize_probes = 0; // ERROR 8 after our OACK: EDK2 learning the size, not a failure
  std::uint64_t retransmissions = 0; // OACKs or windows sent again after a timeout
  std::uint64_t refused_busy = 0;    // over max_transfers
  std::uint64_t refused_path = 0;    // traversal, absolute path outside the root, symlink out
  std::uint64_t refused_write = 0;   // WRQ: the server is read-only
  std::uint64_t not_found = 0;
  std::uint64_t bytes_sent = 0; // DATA payload bytes, retransmissions included
};

using TftpLogSink = std::function<void(std::string_view line)>;

class TftpServer {
public:
  // `io` must outlive the server.
  TftpServer(boost::asio::io_context& io, TftpServerConfig config, TftpLogSink log);
  ~TftpServer();
  TftpServer(const TftpServer&) = delete;
  TftpServer& operator=(const TftpServer&) = delete;

  // Opens and binds the request socket and starts receiving; an error names the port and reason.
  std::expected<void, std::string> start();
  // Closes the request socket and ends every transfer in progress (without sending an ERROR).
  void stop();

  std::uint16_t port() const; // the bound port (useful with config.port = 0); 0 before start()
  TftpCounters counters() const;

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

} // namespace atelier::pxe
