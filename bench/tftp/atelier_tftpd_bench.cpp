// Benchmark driver for bench/tftp/run.sh: serves a directory with atelier::pxe::TftpServer until
// SIGINT/SIGTERM, then prints the counters. Not a product binary (atelierd embeds the server).
//
//   tftp_bench_server ADDRESS PORT ROOT [MAX_TRANSFERS]
#include "pxe/tftp_server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s ADDRESS PORT ROOT [MAX_TRANSFERS]\n", argv[0]);
    return 2;
  }
  atelier::pxe::TftpServerConfig config;
  config.listen_address = argv[1];
  config.port = static_cast<std::uint16_t>(std::stoul(argv[2]));
  config.root = argv[3];
  if (argc > 4) {
    config.max_transfers = std::stoul(argv[4]);
  }
  boost::asio::io_context io;
  atelier::pxe::TftpServer server(io, config, [](std::string_view line) {
    std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
  });
  if (auto started = server.start(); !started) {
    std::fprintf(stderr, "tftp_bench_server: %s\n", started.error().c_str());
    return 1;
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    server.stop();
    io.stop();
  });
  io.run();
  const auto c = server.counters();
  std::fprintf(
      stderr, "counters: started %llu completed %llu failed %llu retransmissions %llu bytes %llu\n",
      static_cast<unsigned long long>(c.transfers_started),
      static_cast<unsigned long long>(c.transfers_completed),
      static_cast<unsigned long long>(c.transfers_failed),
      static_cast<unsigned long long>(c.retransmissions),
      static_cast<unsigned long long>(c.bytes_sent));
  return 0;
}
