#include "daemon/atelierd.h"

#include "daemon/boot_admission.h"
#include "daemon/settings.h"
#include "hardware-db/registry.h"
#include "pxe/dhcp_server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>

namespace atelier::daemon {
namespace {

struct Options {
  std::string db = default_database();
  std::string interface;
  std::string address;
  std::uint16_t http_port = 80;
  int reply_delay_ms = 0;
  std::uint16_t dhcp_port = pxe::k_dhcp_server_port;
  std::uint16_t boot_port = pxe::k_pxe_boot_server_port;
  std::uint16_t client_port = 68;
  std::string broadcast = "255.255.255.255";
  std::string listen = "0.0.0.0";
};

// One line per event, to stderr (journald adds its own timestamps under systemd; ours keep
// foreground runs readable).
void log_line(std::string_view line) {
  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  std::cerr << fmt::format("{:%Y-%m-%dT%H:%M:%S}Z atelierd: {}\n", now, line) << std::flush;
}

} // namespace

int run_atelierd(const std::vector<std::string>& args) {
  Options opt;
  CLI::App app{"atelierd: the workshop daemon (proxyDHCP with detection, today)", "atelierd"};
  app.add_option("--db", opt.db,
                 "hardware database (default: $ATELIER_DB, else /var/lib/atelier/atelier.db)");
  app.add_option("--interface", opt.interface, "the workshop network interface (e.g. enp3s0)")
      ->required();
  app.add_option("--address", opt.address, "this server's IPv4 address on that interface")
      ->required();
  app.add_option("--http-port", opt.http_port,
                 "port of the boot HTTP server named in iPXE's script URL");
  app.add_option("--reply-delay-ms", opt.reply_delay_ms,
                 "wait this long before answering (firmware that drops instant replies)")
      ->check(CLI::Range(0, 5000));
  // For tests on unprivileged ports; a real workshop keeps the defaults.
  app.add_option("--dhcp-port", opt.dhcp_port, "DHCP server port")->group("Testing");
  app.add_option("--boot-port", opt.boot_port, "PXE boot-server port")->group("Testing");
  app.add_option("--client-port", opt.client_port, "DHCP client port")->group("Testing");
  app.add_option("--broadcast-address", opt.broadcast, "where broadcast replies go")
      ->group("Testing");
  app.add_option("--listen-address", opt.listen, "address the sockets bind to")->group("Testing");
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  const auto server = pxe::Ipv4Address::parse(opt.address);
  if (!server) {
    log_line(fmt::format("--address: '{}' is not an IPv4 address", opt.address));
    return 2;
  }
  static const hwdb::SystemClock clock;
  auto store = hwdb::open_store(opt.db);
  if (!store) {
    log_line(store.error().message);
    return 1;
  }
  hwdb::Registry registry(std::move(*store), clock);
  HwdbAdmission admission(registry);

  pxe::DhcpServiceConfig service_config;
  service_config.reply.server = *server;
  service_config.boot.server = *server;
  service_config.boot.http_port = opt.http_port;
  pxe::DhcpService service(service_config, admission);

  boost::asio::io_context io;
  pxe::DhcpServerConfig server_config;
  server_config.interface = opt.interface;
  server_config.listen_address = opt.listen;
  server_config.server_port = opt.dhcp_port;
  server_config.boot_server_port = opt.boot_port;
  server_config.client_port = opt.client_port;
  server_config.broadcast_address = opt.broadcast;
  server_config.reply_delay = std::chrono::milliseconds(opt.reply_delay_ms);
  pxe::DhcpServer dhcp(io, server_config, service, log_line);
  if (auto started = dhcp.start(); !started) {
    log_line("cannot start proxyDHCP: " + started.error());
    return 1;
  }
  log_line(fmt::format("proxyDHCP on {} ({}), ports {} and {}, database {}", opt.interface,
                       opt.address, opt.dhcp_port, opt.boot_port, opt.db));

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int signal) {
    log_line(fmt::format("signal {}: stopping", signal));
    dhcp.stop();
    io.stop();
  });
  io.run();
  const auto& c = service.counters();
  log_line(fmt::format("stopped: {} packets, {} offers, {} acks, {} refused, {} malformed",
                       c.received, c.offers, c.acks, c.refused, c.malformed));
  return 0;
}

} // namespace atelier::daemon
