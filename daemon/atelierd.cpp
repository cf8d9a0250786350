#include "daemon/atelierd.h"

#include "base/clock.h"
#include "base/language.h"
#include "base/time_text.h"
#include "daemon/agent_api.h"
#include "daemon/api/api_server.h"
#include "daemon/api/coordinator_api.h"
#include "daemon/boot_admission.h"
#include "daemon/chain_watch.h"
#include "daemon/http_boot_disk.h"
#include "daemon/pipeline.h"
#include "hardware-db/registry.h"
#include "profiles/file_kind.h"
#include "profiles/server_config.h"
#include "pxe/boot_tokens.h"
#include "pxe/dhcp_server.h"
#include "pxe/grub_config.h"
#include "pxe/http_server.h"
#include "pxe/tftp_server.h"
#include "workshop/accounts.h"
#include "workshop/settings.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>

namespace atelier::daemon {
namespace {

constexpr std::chrono::seconds k_sweep_interval{30}; // how often stalled steps are looked for

// A start-up step either succeeded or ends atelierd with this exit status (its reason is already
// logged or printed): 1 for a failure of the system, 2 for something to fix in the configuration.
using Started = std::expected<void, int>;

// What atelierd runs from: the configuration (file, then environment, then command line, each
// overriding the one before), and what only the command line sets.
struct Settings {
  profiles::ServerConfig config;
  std::optional<std::string> config_file; // --config
  std::string config_source = "embedded defaults";
  bool check_config = false;
  bool print_config = false;
  std::string lease_file; // standalone: default beside the database
  // For tests on unprivileged ports; a real workshop keeps the defaults.
  std::string listen = "0.0.0.0";
  std::uint16_t dhcp_port = pxe::k_dhcp_server_port;
  std::uint16_t boot_port = pxe::k_pxe_boot_server_port;
  std::uint16_t tftp_port = 69;
  std::uint16_t client_port = 68;
  std::string broadcast = "255.255.255.255";
};

// --config FILE (or --config=FILE) among the arguments, before the full parse: the file's values
// are the defaults of the other options.
std::optional<std::string> config_argument(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) {
      return args[i + 1];
    }
    if (args[i].starts_with("--config=")) {
      return args[i].substr(std::string_view("--config=").size());
    }
  }
  return std::nullopt;
}

// "198.18.0.100-198.18.0.199" → the two ends.
std::optional<std::pair<pxe::Ipv4Address, pxe::Ipv4Address>> parse_range(const std::string& text) {
  const auto dash = text.find('-');
  if (dash == std::string::npos) {
    return std::nullopt;
  }
  const auto first = pxe::Ipv4Address::parse(text.substr(0, dash));
  const auto last = pxe::Ipv4Address::parse(text.substr(dash + 1));
  if (!first || !last) {
    return std::nullopt;
  }
  return std::pair{*first, *last};
}

// One line per event, to stderr (journald adds its own timestamps under systemd; ours keep
// foreground runs readable).
void log_line(std::string_view line) {
  std::cerr << fmt::format("{} atelierd: {}\n", base::format_rfc3339(base::system_clock().wall()),
                           line)
            << std::flush;
}

// Configuration: --config FILE, else /etc/atelier/atelier.toml when it exists, else the embedded
// defaults (docs/CONFIG.md). $ATELIER_DB overrides the file's database.
std::expected<Settings, int> load_configuration(const std::vector<std::string>& args) {
  Settings s;
  s.config_file = config_argument(args);
  if (s.config_file || std::filesystem::exists(profiles::k_default_server_config)) {
    const std::filesystem::path path =
        s.config_file.value_or(std::string(profiles::k_default_server_config));
    auto loaded = profiles::load_server_config(path);
    if (!loaded) {
      for (const auto& diagnostic : loaded.error()) {
        std::cerr << diagnostic.to_string() << "\n";
      }
      std::cerr << "atelierd: " << path.string() << " has errors; nothing started\n";
      return std::unexpected(2);
    }
    for (const auto& warning : loaded->warnings) {
      std::cerr << warning.to_string() << "\n";
    }
    s.config = std::move(*loaded);
    s.config_source = path.string();
  }
  if (std::getenv("ATELIER_DB") != nullptr) {
    s.config.server.database = workshop::default_database(); // the command line overrides both
  }
  return s;
}

// An option that sets a path of the configuration (given as text: CLI11 2.1 would take a
// std::filesystem::path for a container of path elements).
void add_path_option(CLI::App& app, const std::string& name, std::filesystem::path& target,
                     const std::string& help) {
  app.add_option_function<std::string>(
      name, [&target](const std::string& value) { target = value; }, help);
}

// The options that override the configuration file, bound to its fields (and --lease-file, which
// only the command line has), in the order --help shows them.
void add_server_options(CLI::App& app, Settings& s) {
  profiles::ServerConfig& c = s.config;
  add_path_option(app, "--db", c.server.database,
                  "hardware database (default: $ATELIER_DB, else /var/lib/atelier/atelier.db)");
  app.add_option("--interface", c.server.interface, "the workshop network interface (e.g. enp3s0)");
  app.add_option("--address", c.server.address, "this server's IPv4 address on that interface");
  app.add_option("--http-port", c.boot.http_port,
                 "port of the boot HTTP server named in iPXE's script URL");
  app.add_option("--reply-delay-ms", c.dhcp.reply_delay_ms,
                 "wait this long before answering (firmware that drops instant replies)")
      ->check(CLI::Range(0, 5000));
  app.add_option_function<std::string>(
         "--mode",
         [&c](const std::string& mode) {
           c.dhcp.mode =
               mode == "standalone" ? profiles::DhcpMode::standalone : profiles::DhcpMode::proxy;
         },
         "proxy: beside the site's DHCP server (default); standalone: the only DHCP server of an "
         "isolated workshop switch")
      ->check(CLI::IsMember({"proxy", "standalone"}));
  app.add_option("--pool", c.dhcp.pool, "standalone: addresses to hand out, FIRST-LAST");
  app.add_option("--netmask", c.dhcp.netmask, "standalone: subnet mask given to clients");
  app.add_option("--lease-file", s.lease_file,
                 "standalone: lease journal (default: DB path + .leases); survives restarts");
  app.add_option("--lease-seconds", c.dhcp.lease_seconds, "standalone: lease time")
      ->check(CLI::Range(60, 7 * 24 * 3600));
  add_path_option(
      app, "--boot-dir", c.boot.bootenv_dir,
      "boot environment served over HTTP: vmlinuz and initrd.img (atelier bootenv build)");
  add_path_option(app, "--ipxe-dir", c.boot.ipxe_dir,
                  "iPXE binaries served over TFTP (and over HTTP for UEFI HTTP boot); Debian's "
                  "ipxe package installs them in /usr/lib/ipxe");
  add_path_option(app, "--program", c.pipeline.program,
                  "program file: grading rules (pipeline.program)");
  add_path_option(app, "--profiles", c.pipeline.profiles_dir,
                  "profiles directory (pipeline.profiles_dir)");
  app.add_option_function<std::string>(
      "--api-listen",
      [&c](const std::string& listen) {
        c.api.enabled = !listen.empty();
        if (c.api.enabled) {
          c.api.listen = listen;
        }
      },
      "coordinator API address:port ([api] listen; \"\" turns the API off)");
  app.add_option("--token-minutes", c.boot.token_minutes, "how long a boot token stays valid")
      ->check(CLI::Range(1, 24 * 60));
}

// For tests on unprivileged ports; a real workshop keeps the defaults.
void add_testing_options(CLI::App& app, Settings& s) {
  app.add_option("--dhcp-port", s.dhcp_port, "DHCP server port")->group("Testing");
  app.add_option("--boot-port", s.boot_port, "PXE boot-server port")->group("Testing");
  app.add_option("--tftp-port", s.tftp_port, "TFTP port")->group("Testing");
  app.add_option("--client-port", s.client_port, "DHCP client port")->group("Testing");
  app.add_option("--broadcast-address", s.broadcast, "where broadcast replies go")
      ->group("Testing");
  app.add_option("--listen-address", s.listen, "address the sockets bind to")->group("Testing");
}

// The command line over `s`. An error is the exit status (--help exits 0).
Started parse_command_line(const std::vector<std::string>& args, Settings& s) {
  CLI::App app{"atelierd: the workshop daemon (network boot, agent API, pipeline)", "atelierd"};
  std::string config_option; // already read by load_configuration
  app.add_option("--config", config_option,
                 "configuration file (default: /etc/atelier/atelier.toml when it exists)");
  app.add_flag("--check-config", s.check_config, "validate the configuration, print it, and exit");
  app.add_flag("--print-config", s.print_config,
               "print the effective configuration as TOML (every key) and exit");
  add_server_options(app, s);
  add_testing_options(app, s);
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return std::unexpected(app.exit(e) == 0 ? 0 : 2);
  }
  return {};
}

// The configuration as atelierd would run it, command-line overrides included.
int print_configuration(const Settings& s) {
  std::cout << to_toml(s.config);
  if (s.check_config) {
    std::cerr << "atelierd: configuration from " << s.config_source << " is valid\n";
  }
  return 0;
}

// The coordinator API's view of the program file: what the handover and households pages show.
std::expected<CoordinatorSettings, std::string>
coordinator_settings(const std::filesystem::path& program_file) {
  CoordinatorSettings settings;
  if (!std::filesystem::exists(program_file)) {
    return settings;
  }
  auto program = profiles::load_program(program_file);
  if (!program) {
    return std::unexpected(
        fmt::format("coordinator API: the program file {} has errors", program_file.string()));
  }
  settings.program = program->name;
  settings.warranty_months = program->handover.warranty_months;
  settings.price_min_cents = program->handover.price_min_cents;
  settings.price_max_cents = program->handover.price_max_cents;
  settings.retention_days = program->households.retention_days;
  return settings;
}

// Runs `io` until it stops. Every handler has its own exception boundary (the agent API, both HTTP
// servers), so an exception reaching here is a bug in a boundary: it is logged and the loop runs
// on (Asio allows run() again after a handler threw), instead of ending DHCP, TFTP, HTTP boot and
// every machine's pipeline with it.
void run_io(boost::asio::io_context& io, std::string_view name) {
  for (;;) {
    try {
      io.run();
      return;
    } catch (const std::exception& e) {
      log_line(fmt::format("{}: a handler threw past its boundary (a bug), serving on: {}", name,
                           e.what()));
    } catch (...) {
      log_line(fmt::format("{}: a handler threw past its boundary (a bug), serving on", name));
    }
  }
}

// [api] listen, refused where donated machines could reach it or where the boot server listens.
std::expected<std::pair<std::string, std::uint16_t>, std::string>
api_endpoint(const profiles::ServerConfig& config) {
  auto endpoint = parse_listen_address(config.api.listen);
  if (!endpoint) {
    return std::unexpected("[api] listen " + endpoint.error());
  }
  // Donated machines on the workshop network are untrusted: the API is not offered to them
  // unless the configuration says so in as many words.
  const std::string& host = endpoint->first;
  const bool everywhere = host == "0.0.0.0" || host == "::";
  if ((everywhere || host == config.server.address) && !config.api.allow_workshop_network) {
    return std::unexpected(fmt::format(
        "[api] listen = \"{}\" is reachable from the workshop network, where donated machines "
        "boot; listen on 127.0.0.1 (with a reverse proxy for other machines) or on another "
        "network's address, or set [api] allow_workshop_network = true; nothing started",
        config.api.listen));
  }
  // The boot server listens on every address of the workshop interface: the same port here
  // would fail at bind time with a less helpful "address already in use".
  if (endpoint->second == config.boot.http_port) {
    return std::unexpected(fmt::format(
        "[api] listen = \"{}\" uses port {}, which is [boot] http_port's too; give the API "
        "another port (default {}); nothing started",
        config.api.listen, config.boot.http_port, profiles::ApiSection{}.listen));
  }
  return endpoint;
}

// The coordinator API as atelierd runs it (docs/API.md): on its own thread with its own database
// connection (one Store per thread), so a login's Argon2id work never delays a DHCP answer.
class CoordinatorApiService {
public:
  static std::expected<std::unique_ptr<CoordinatorApiService>, std::string>
  start(const profiles::ServerConfig& config, ApiServer::LogSink log) {
    auto endpoint = api_endpoint(config);
    if (!endpoint) {
      return std::unexpected(endpoint.error());
    }
    static const base::SystemClock clock;
    auto store = hwdb::open_store(config.server.database.string());
    if (!store) {
      return std::unexpected("coordinator API: " + store.error().message);
    }
    auto settings = coordinator_settings(config.pipeline.program);
    if (!settings) {
      return std::unexpected(settings.error());
    }
    auto service = std::unique_ptr<CoordinatorApiService>(new CoordinatorApiService(
        std::move(*store), clock, std::chrono::hours(config.api.token_hours),
        std::move(*settings)));
    ApiServerConfig server_config;
    server_config.listen_address = endpoint->first;
    server_config.port = endpoint->second;
    service->m_server.emplace(
        service->m_io, server_config,
        [api = &service->m_api](const ApiRequest& request) { return api->handle(request); }, log);
    if (auto started = service->m_server->start(); !started) {
      return std::unexpected("cannot start the coordinator API: " + started.error());
    }
    log(fmt::format("coordinator API on {}:{} (tokens last {} h)", endpoint->first,
                    service->m_server->local_port(), config.api.token_hours));
    service->m_thread = std::thread([s = service.get()] { run_io(s->m_io, "coordinator API"); });
    return service;
  }

  ~CoordinatorApiService() {
    boost::asio::post(m_io, [this] {
      m_server->stop();
      m_io.stop();
    });
    if (m_thread.joinable()) {
      m_thread.join();
    }
  }

private:
  CoordinatorApiService(std::unique_ptr<hwdb::Store> store, const base::Clock& clock,
                        std::chrono::minutes token_lifetime, CoordinatorSettings settings)
      : m_registry(std::move(store), clock),
        m_accounts(m_registry.store(), clock,
                   workshop::AccountsConfig{token_lifetime, workshop::PasswordCost::interactive()}),
        m_api(m_registry, m_accounts, std::move(settings)) {}

  hwdb::Registry m_registry;
  workshop::Accounts m_accounts;
  CoordinatorApi m_api;
  boost::asio::io_context m_io;
  std::optional<ApiServer> m_server;
  std::thread m_thread;
};

// The language the boot environment speaks before the agent registers (atelier.lang=): the
// program file's, as the agent hears it at registration; "" (English) without a program file or
// with one that has errors (the pipeline then says why).
std::string program_boot_language(const profiles::ServerConfig& c) {
  if (!std::filesystem::exists(c.pipeline.program)) {
    return "";
  }
  auto program = profiles::load_program(c.pipeline.program);
  return program ? std::string(base::language_code(program->language)) : "";
}

// Everything atelierd runs, in the order it is built (and the reverse order it is torn down).
// DHCP, TFTP, HTTP boot, the agent API and the pipeline share one io thread, the database's only
// user among them; the coordinator API has its own thread and connection.
struct Services {
  Services(const Settings& s, pxe::Ipv4Address address, std::unique_ptr<hwdb::Store> store)
      : settings(s), config(s.config), server_address(address), registry(std::move(store), clock),
        admission(registry, config.pipeline.protected_machines),
        tokens(pxe::BootTokensConfig{std::chrono::minutes(config.boot.token_minutes)}),
        base_url(fmt::format("http://{}:{}", config.server.address, config.boot.http_port)),
        boot_language(program_boot_language(config)) {}

  static inline const base::SystemClock clock;
  const Settings& settings;
  const profiles::ServerConfig& config;
  pxe::Ipv4Address server_address;
  hwdb::Registry registry;
  HwdbAdmission admission;
  pxe::BootTokens tokens;
  std::string base_url;      // of the boot HTTP server, as the machines reach it
  std::string boot_language; // atelier.lang= of every boot entry (read once, at start)
  boost::asio::io_context io;
  std::optional<pxe::LeasePool> pool;
  std::optional<pxe::DhcpService> dhcp_service;
  std::optional<pxe::DhcpServer> dhcp;
  std::optional<workshop::SigningKey> signing_key;
  std::unique_ptr<Pipeline> pipeline;
  std::optional<AgentApi> agent_api;
  // Before the HTTP and TFTP servers, whose callbacks and file table use them, so that they are
  // destroyed after them.
  ChainWatch chain_watch; // UEFI machines in Debian's signed chain (docs/PXE.md, "Secure Boot")
  std::optional<HttpBootDisk> http_disk; // the signed chain for UEFI HTTP boot, when made
  std::optional<pxe::HttpBootServer> http;
  std::optional<pxe::TftpServer> tftp;
  std::unique_ptr<CoordinatorApiService> api;
};

// Standalone mode: the lease pool and its journal (beside the database unless --lease-file).
Started open_lease_pool(Services& d, pxe::DhcpServiceConfig& service_config) {
  const auto& dhcp = d.config.dhcp;
  const auto range = parse_range(dhcp.pool);
  const auto mask = pxe::Ipv4Address::parse(dhcp.netmask);
  if (!range || !mask) {
    log_line("standalone mode needs --pool FIRST-LAST and a valid --netmask");
    return std::unexpected(2);
  }
  service_config.mode = pxe::DhcpMode::standalone;
  service_config.network.subnet_mask = *mask;
  pxe::LeasePoolConfig pool_config;
  pool_config.first = range->first;
  pool_config.last = range->second;
  pool_config.lease_time = std::chrono::seconds(dhcp.lease_seconds);
  pool_config.journal = d.settings.lease_file.empty()
                            ? d.config.server.database.string() + ".leases"
                            : d.settings.lease_file;
  auto opened = pxe::LeasePool::open(pool_config);
  if (!opened) {
    log_line("cannot open the lease journal: " + opened.error());
    return std::unexpected(1);
  }
  d.pool.emplace(std::move(*opened));
  return {};
}

// The signed chain's disk for UEFI HTTP boot (daemon/http_boot_disk.h), made before DHCP starts
// so that its first answer can name it. Without it HTTP-boot machines get iPXE, as with the chain
// off: a warning, not a reason to stop.
Started make_signed_http_disk(Services& d) {
  const profiles::ServerConfig& c = d.config;
  if (!profiles::uses_signed_http_chain(c) || c.boot.bootenv_dir.empty()) {
    return {}; // start_tftp says why there is no signed chain
  }
  auto disk = make_http_boot_disk(c.boot.bootenv_dir, d.server_address.str());
  if (!disk) {
    log_line(fmt::format("warning: UEFI HTTP boot machines get iPXE (Secure Boot off only): {}",
                         disk.error()));
    return {};
  }
  log_line(fmt::format("UEFI HTTP boot disk made ({} KiB: Debian's shim and GRUB, entries from "
                       "TFTP at {})",
                       disk->size / 1024, d.server_address.str()));
  d.http_disk.emplace(std::move(*disk));
  return {};
}

Started start_dhcp(Services& d) {
  const Settings& s = d.settings;
  const profiles::ServerConfig& c = d.config;
  const bool standalone = c.dhcp.mode == profiles::DhcpMode::standalone;
  pxe::DhcpServiceConfig service_config;
  service_config.reply.server = d.server_address;
  service_config.boot.server = d.server_address;
  service_config.boot.http_port = c.boot.http_port;
  service_config.boot.efi_x64_signed = profiles::uses_signed_chain(c);
  if (d.http_disk) {
    service_config.boot.efi_x64_signed_http_url =
        fmt::format("http://{{server}}:{{port}}/boot/{}", pxe::k_http_disk_file);
  }
  if (standalone) {
    if (auto opened = open_lease_pool(d, service_config); !opened) {
      return opened;
    }
  }
  d.dhcp_service.emplace(service_config, d.admission, d.pool ? &*d.pool : nullptr);
  pxe::DhcpServerConfig server_config;
  server_config.interface = c.server.interface;
  server_config.listen_address = s.listen;
  server_config.server_port = s.dhcp_port;
  server_config.boot_server_port = s.boot_port;
  server_config.client_port = s.client_port;
  server_config.broadcast_address = s.broadcast;
  server_config.reply_delay = std::chrono::milliseconds(c.dhcp.reply_delay_ms);
  d.dhcp.emplace(d.io, server_config, *d.dhcp_service, log_line);
  if (auto started = d.dhcp->start(); !started) {
    log_line("cannot start the DHCP service: " + started.error());
    return std::unexpected(1);
  }
  log_line(fmt::format("{} on {} ({}), ports {} and {}, database {}{}",
                       standalone ? "standalone DHCP" : "proxyDHCP", c.server.interface,
                       c.server.address, s.dhcp_port, s.boot_port, c.server.database.string(),
                       d.pool ? fmt::format(", pool {}", c.dhcp.pool) : ""));
  const std::string boot_dir = c.boot.bootenv_dir.string();
  log_line(fmt::format("TFTP on port {} from {}; HTTP boot on port {}{}", s.tftp_port,
                       c.boot.ipxe_dir.string(), c.boot.http_port,
                       boot_dir.empty() ? " (no --boot-dir: scripts only, no boot environment)"
                                        : ", boot environment " + boot_dir));
  log_line(
      profiles::uses_signed_chain(c)
          ? std::string("UEFI x86-64 machines: Debian's signed shim, GRUB and kernel (Secure "
                        "Boot on or off)")
          : fmt::format("UEFI x86-64 machines: iPXE over PXE, so Secure Boot must be off on them; "
                        "{} ([boot] uefi_chain = \"{}\"{})",
                        d.http_disk ? "UEFI HTTP boot gets Debian's signed chain"
                                    : "iPXE by UEFI HTTP boot too",
                        profiles::to_string(c.boot.uefi_chain),
                        c.boot.uefi_chain == profiles::UefiChain::automatic
                            ? " in proxy mode: Debian 12's signed GRUB cannot read a proxyDHCP "
                              "answer; docs/PXE.md, \"Secure Boot\""
                            : ""));
  return {};
}

// HTTP: the per-machine iPXE script (with a one-time token, after the same "don't boot" check as
// DHCP), the boot environment, and the iPXE EFI binaries for UEFI HTTP boot.
pxe::HttpBootConfig http_boot_config(Services& d) {
  const profiles::ServerConfig& c = d.config;
  pxe::BootScriptConfig script;
  script.server_url = d.base_url;
  script.files_url = d.base_url + "/boot";
  script.language = d.boot_language;
  auto issue_script = pxe::make_standalone_script_handler(d.tokens, script, log_line);
  pxe::HttpBootConfig http_config;
  http_config.listen_address = d.settings.listen;
  http_config.port = c.boot.http_port;
  http_config.interface = c.server.interface;
  const std::filesystem::path& boot_dir = c.boot.bootenv_dir;
  if (!boot_dir.empty() && !std::filesystem::exists(boot_dir / "vmlinuz")) {
    log_line(fmt::format("warning: no boot environment in {} (build it with `atelier bootenv build "
                         "--out {}`); machines will get their boot script but no kernel",
                         boot_dir.string(), boot_dir.string()));
  }
  if (!boot_dir.empty()) {
    http_config.files["/boot/vmlinuz"] = boot_dir / "vmlinuz";
    http_config.files["/boot/initrd.img"] = boot_dir / "initrd.img";
  }
  for (const char* efi : {"ipxe.efi", "snponly.efi"}) {
    http_config.files[std::string("/ipxe/") + efi] = c.boot.ipxe_dir / efi;
  }
  if (d.http_disk) {
    const std::string disk_url = fmt::format("/boot/{}", pxe::k_http_disk_file);
    http_config.files[disk_url] = d.http_disk->path();
    // What makes the firmware mount it as a RAM disk (pxe/http_routes.h, http_content_type).
    http_config.content_types[disk_url] = "application/vnd.efi-img";
  }
  http_config.on_file_sent = [&d](std::string_view url_path, const std::string& client_ip) {
    d.chain_watch.sent(url_path, client_ip, d.clock.monotonic());
  };
  http_config.script_handler =
      [&admission = d.admission, issue_script = std::move(issue_script)](
          const base::MacAddress& mac,
          const std::string& client_ip) -> std::expected<std::string, std::string> {
    // Same thread as DHCP (one io_context), so the database is used from one thread only.
    const pxe::Admission allowed = admission.admit_script(mac, client_ip);
    if (!allowed.answer) {
      return std::unexpected(fmt::format("{}: no boot script: {}", mac.str(), allowed.reason));
    }
    return issue_script(mac, client_ip);
  };
  return http_config;
}

// Each profile's file (sent to the agents) and, for a local image, the HTTP route it is served
// under: /images/<file name>, from the path the profile gives, else from the images directory.
void add_profile_files(const profiles::ServerConfig& c, PipelineConfig& pipeline_config,
                       pxe::HttpBootConfig& http_config) {
  for (const auto& profile : pipeline_config.profiles) {
    std::ifstream in(profile.name_location.file);
    pipeline_config.profile_texts[profile.name] =
        std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (profile.image.is_url) {
      continue;
    }
    std::filesystem::path image = profile.image.path;
    const std::string name = image.filename().string();
    if (!std::filesystem::exists(image)) {
      image = c.pipeline.images_dir / name;
    }
    if (!std::filesystem::exists(image)) {
      log_line(fmt::format("warning: profile {}: image {} not found (nor in {}); machines "
                           "given this profile will fail at the deploy step",
                           profile.name, profile.image.path.string(),
                           c.pipeline.images_dir.string()));
    }
    http_config.files["/images/" + name] = image;
  }
}

std::expected<PipelineConfig, int> pipeline_config_from(Services& d,
                                                        pxe::HttpBootConfig& http_config) {
  const profiles::ServerConfig& c = d.config;
  auto program = profiles::load_program(c.pipeline.program);
  auto loaded = profiles::load_profile_directory(c.pipeline.profiles_dir);
  if (!program || !loaded) {
    for (const auto& diagnostic : program ? loaded.error() : program.error()) {
      log_line(diagnostic.to_string());
    }
    log_line("the program file or a profile has errors; nothing started");
    return std::unexpected(2);
  }
  PipelineConfig pipeline_config;
  pipeline_config.program = std::move(*program);
  pipeline_config.profiles = std::move(*loaded);
  pipeline_config.site = c.server.site.empty() ? pipeline_config.program.site : c.server.site;
  pipeline_config.after_ready = c.pipeline.after_ready;
  pipeline_config.bench_budget_seconds = c.pipeline.bench_budget_seconds;
  pipeline_config.wipe_gate = c.pipeline.wipe_gate;
  pipeline_config.max_active_units = c.pipeline.max_active_units;
  pipeline_config.stall = std::chrono::minutes(c.pipeline.stall_minutes);
  pipeline_config.step_timeout = std::chrono::minutes(c.pipeline.step_timeout_minutes);
  pipeline_config.image_base_url = d.base_url + "/images";
  add_profile_files(c, pipeline_config, http_config);
  log_line(fmt::format("pipeline on: program {}, {} profile(s) from {}",
                       c.pipeline.program.string(), pipeline_config.profiles.size(),
                       c.pipeline.profiles_dir.string()));
  return pipeline_config;
}

// The pipeline needs the program file and the profiles; without them machines still boot and
// register (inventory only), which is how a workshop starts before its profiles are written.
Started start_pipeline(Services& d, pxe::HttpBootConfig& http_config) {
  const profiles::ServerConfig& c = d.config;
  if (!std::filesystem::exists(c.pipeline.program) ||
      !std::filesystem::is_directory(c.pipeline.profiles_dir)) {
    log_line(fmt::format("pipeline off: no program file {} or no profiles directory {}; machines "
                         "boot and register only",
                         c.pipeline.program.string(), c.pipeline.profiles_dir.string()));
    return {};
  }
  auto pipeline_config = pipeline_config_from(d, http_config);
  if (!pipeline_config) {
    return std::unexpected(pipeline_config.error());
  }
  bool created = false;
  // $ATELIER_KEY_DIR overrides the file, like $ATELIER_DB (the `atelier cert` commands agree).
  const std::filesystem::path key_dir = std::getenv("ATELIER_KEY_DIR") != nullptr
                                            ? std::filesystem::path(workshop::default_key_dir())
                                            : c.pipeline.keys_dir;
  auto key = workshop::SigningKey::load_or_create(key_dir, &created);
  if (!key) {
    log_line("cannot load or create the workshop signing key: " + key.error());
    return std::unexpected(1);
  }
  d.signing_key.emplace(std::move(*key));
  log_line(fmt::format("{} workshop key {} ({})", created ? "created the" : "signing with the",
                       d.signing_key->public_key().fingerprint(), d.signing_key->path().string()));
  d.pipeline = std::make_unique<Pipeline>(d.registry, Services::clock, std::move(*pipeline_config),
                                          *d.signing_key);
  return {};
}

// The boot HTTP server, with the agent API behind its POSTs.
Started start_http(Services& d) {
  pxe::HttpBootConfig http_config = http_boot_config(d);
  if (auto started = start_pipeline(d, http_config); !started) {
    return started;
  }
  d.agent_api.emplace(d.registry, d.tokens, d.pipeline.get());
  d.agent_api->set_log([](const std::string& line) { log_line(line); });
  d.agent_api->set_protected(d.config.pipeline.protected_machines);
  // Bodies only on the agent API's four routes, each up to its own limit (413 beyond).
  http_config.post_body_limit = agent_body_limit;
  http_config.max_post_bytes = k_result_body_limit;
  http_config.post_handler = [&agent_api = *d.agent_api](std::string_view path,
                                                         const std::string& body,
                                                         const std::string& client_ip) {
    pxe::HttpPostResult result = agent_api.handle(path, body, client_ip);
    log_line(fmt::format("agent {} {} {}: {}", client_ip, path, result.status,
                         std::string_view(result.body).substr(0, result.body.find('\n'))));
    return result;
  };
  d.http.emplace(d.io, http_config, log_line);
  if (auto started = d.http->start(); !started) {
    log_line("cannot start the HTTP boot server: " + started.error());
    return std::unexpected(1);
  }
  return {};
}

// TFTP: the firmware's first stage (undionly.kpxe, ipxe.efi, snponly.efi), read-only. They are a
// fixed table, not a directory walk: Debian's ipxe package makes ipxe.efi a symlink into /boot,
// which the jail would rightly refuse; anything else is looked up in the jail.
//
// When the signed chain applies (profiles::uses_signed_chain: [boot] uefi_chain = "signed", or
// "auto", the default, in standalone mode), UEFI x86-64 machines get Debian's signed chain
// from the boot environment's directory instead (pxe/grub_config.h): shimx64.efi, grubx64.efi,
// GRUB's grub/grub.cfg, each machine's entry grub/atelier/<mac>.cfg (made on request, after the
// same admission as the iPXE script, with a fresh token), and the kernel and initrd.
Started start_tftp(Services& d) {
  const profiles::ServerConfig& c = d.config;
  pxe::TftpServerConfig tftp_config;
  tftp_config.listen_address = d.settings.listen;
  tftp_config.port = d.settings.tftp_port;
  tftp_config.interface = c.server.interface;
  tftp_config.root = c.boot.ipxe_dir;
  for (const char* first_stage : {"undionly.kpxe", "ipxe.efi", "snponly.efi"}) {
    tftp_config.files[first_stage] = c.boot.ipxe_dir / first_stage;
  }
  if (profiles::uses_signed_chain(c) && c.boot.bootenv_dir.empty()) {
    log_line("warning: no boot environment directory: UEFI machines get no signed chain");
  } else if (profiles::uses_signed_chain(c) || d.http_disk) {
    const std::filesystem::path& boot_dir = c.boot.bootenv_dir;
    if (!std::filesystem::exists(boot_dir / pxe::k_shim_file)) {
      log_line(fmt::format("warning: no {} in {}: UEFI machines get Debian's signed chain ([boot] "
                           "uefi_chain = \"signed\") but the boot environment lacks it; build "
                           "it again with `atelier bootenv build --out {}`",
                           pxe::k_shim_file, boot_dir.string(), boot_dir.string()));
    }
    tftp_config.files[std::string(pxe::k_shim_file)] = boot_dir / pxe::k_shim_file;
    tftp_config.files[std::string(pxe::k_grub_file)] = boot_dir / pxe::k_grub_file;
    // GRUB asks with a leading slash ("(tftp,IP)/boot/vmlinuz"); both spellings are served.
    for (const auto& [name, file] : {std::pair{pxe::k_grub_kernel_path, "vmlinuz"},
                                     std::pair{pxe::k_grub_initrd_path, "initrd.img"}}) {
      tftp_config.files[std::string(name)] = boot_dir / file;
      tftp_config.files[std::string(name.substr(1))] = boot_dir / file;
    }
    pxe::BootScriptConfig script;
    script.server_url = d.base_url;
    script.files_url = d.base_url + "/boot";
    script.language = d.boot_language;
    tftp_config.on_sent = [&d](std::string_view name, const std::string& client_ip) {
      d.chain_watch.sent(name, client_ip, d.clock.monotonic());
    };
    tftp_config.generated = [&admission = d.admission, &tokens = d.tokens, &watch = d.chain_watch,
                             script = std::move(script), server = d.server_address.str()](
                                std::string_view name, const std::string& client_ip)
        -> std::optional<std::expected<std::string, std::string>> {
      const auto request = pxe::parse_grub_request(name);
      if (!request) {
        if (name.find("grub/atelier/") <= 1) {
          return std::unexpected(std::string("not a machine's entry (grub/atelier/<MAC>.cfg)"));
        }
        if (name.find("grub/") <= 1) {
          // GRUB looks for optional lists under its prefix (x86_64-efi/command.lst, fs.lst, ...);
          // none exists, and saying so is not a refusal.
          return std::unexpected(std::string("not served (GRUB's optional lists; harmless)"));
        }
        return std::nullopt;
      }
      if (request->kind == pxe::GrubRequest::Kind::main_config) {
        return pxe::grub_main_config(server);
      }
      watch.reached_entry(client_ip);
      const base::MacAddress& mac = request->mac;
      // Same thread as DHCP (one io_context), so the database is used from one thread only.
      const pxe::Admission allowed =
          admission.admit_script(mac, client_ip, pxe::FirmwareFamily::uefi_pxe);
      if (!allowed.answer) {
        return std::unexpected(
            fmt::format("{}: no GRUB boot entry: {}", mac.str(), allowed.reason));
      }
      auto token = tokens.issue(mac);
      if (!token) {
        return std::unexpected(fmt::format("no boot token for {}: {}", mac.str(), token.error()));
      }
      auto entry = pxe::grub_machine_entry(script, server, mac, *token);
      if (!entry) {
        return std::unexpected(
            fmt::format("no GRUB boot entry for {}: {}", mac.str(), entry.error()));
      }
      log_line(fmt::format("boot token {}... issued for {} (GRUB entry requested from {}: Debian's "
                           "signed shim and GRUB are running)",
                           pxe::token_prefix(*token), mac.str(), client_ip));
      return entry;
    };
  }
  d.tftp.emplace(d.io, tftp_config, log_line);
  if (auto started = d.tftp->start(); !started) {
    log_line("cannot start the TFTP server: " + started.error());
    return std::unexpected(1);
  }
  return {};
}

// The coordinator API: its own listener, io_context, thread and database connection.
Started start_coordinator_api(Services& d) {
  if (!d.config.api.enabled) {
    log_line("coordinator API off ([api] enabled = false)");
    return {};
  }
  auto started = CoordinatorApiService::start(d.config, log_line);
  if (!started) {
    log_line(started.error());
    return std::unexpected(2);
  }
  d.api = std::move(*started);
  return {};
}

// Runs the io thread until SIGINT or SIGTERM. Every 30 s, on that thread (the database's only user
// here, so no lock): steps whose agent went silent for [pipeline] stall_minutes, or that ran past
// step_timeout_minutes, are given up.
int run_until_signal(Services& d) {
  boost::asio::steady_timer sweep_timer(d.io);
  std::function<void()> schedule_sweep = [&] {
    sweep_timer.expires_after(k_sweep_interval);
    sweep_timer.async_wait([&](boost::system::error_code error) {
      if (error) {
        return; // cancelled: stopping
      }
      try {
        for (const auto& line : d.pipeline->sweep().lines) {
          log_line(line);
        }
      } catch (const std::exception& e) {
        log_line(fmt::format("the sweep of stalled steps failed: {}", e.what()));
      }
      schedule_sweep();
    });
  };
  if (d.pipeline) {
    schedule_sweep();
  }
  // Every 5 s: UEFI machines that stopped in the signed chain (ChainWatch) are named in the log.
  boost::asio::steady_timer chain_timer(d.io);
  std::function<void()> schedule_chain_check = [&] {
    chain_timer.expires_after(std::chrono::seconds(5));
    chain_timer.async_wait([&](boost::system::error_code error) {
      if (error) {
        return;
      }
      for (const auto& line : d.chain_watch.overdue(d.clock.monotonic())) {
        log_line(line);
      }
      schedule_chain_check();
    });
  };
  schedule_chain_check();
  boost::asio::signal_set signals(d.io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int signal) {
    log_line(fmt::format("signal {}: stopping", signal));
    d.dhcp->stop();
    d.tftp->stop();
    d.http->stop();
    sweep_timer.cancel();
    chain_timer.cancel();
    d.io.stop();
  });
  run_io(d.io, "atelierd");
  d.api.reset(); // stops its listener and joins its thread
  const auto& c = d.dhcp_service->counters();
  log_line(fmt::format("stopped: {} packets, {} offers, {} acks, {} refused, {} malformed",
                       c.received, c.offers, c.acks, c.refused, c.malformed));
  return 0;
}

// The services in the order they start; the first that fails ends atelierd.
int start_and_run(const Settings& s, pxe::Ipv4Address address, std::unique_ptr<hwdb::Store> store) {
  Services d(s, address, std::move(store));
  for (Started (*start)(Services&) :
       {make_signed_http_disk, start_dhcp, start_http, start_tftp, start_coordinator_api}) {
    if (auto started = start(d); !started) {
      return started.error();
    }
  }
  return run_until_signal(d);
}

} // namespace

int run_atelierd(const std::vector<std::string>& args) {
  auto settings = load_configuration(args);
  if (!settings) {
    return settings.error();
  }
  if (auto parsed = parse_command_line(args, *settings); !parsed) {
    return parsed.error();
  }
  if (settings->print_config || settings->check_config) {
    return print_configuration(*settings);
  }
  const profiles::ServerConfig& config = settings->config;
  if (config.server.interface.empty() || config.server.address.empty()) {
    log_line(fmt::format(
        "no workshop interface/address: set [server] interface and address in {} or give "
        "--interface and --address",
        settings->config_file.value_or(std::string(profiles::k_default_server_config))));
    return 2;
  }
  log_line("configuration: " + settings->config_source);
  const auto address = pxe::Ipv4Address::parse(config.server.address);
  if (!address) {
    log_line(fmt::format("--address: '{}' is not an IPv4 address", config.server.address));
    return 2;
  }
  auto store = hwdb::open_store(config.server.database.string());
  if (!store) {
    log_line(store.error().message);
    return 1;
  }
  return start_and_run(*settings, *address, std::move(*store));
}

} // namespace atelier::daemon
