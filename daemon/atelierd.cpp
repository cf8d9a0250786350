#include "daemon/atelierd.h"

#include "base/clock.h"
#include "base/time_text.h"
#include "daemon/agent_api.h"
#include "daemon/api/api_server.h"
#include "daemon/api/coordinator_api.h"
#include "daemon/boot_admission.h"
#include "daemon/pipeline.h"
#include "hardware-db/registry.h"
#include "profiles/file_kind.h"
#include "profiles/server_config.h"
#include "pxe/dhcp_server.h"
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
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>

namespace atelier::daemon {
namespace {

constexpr std::chrono::seconds k_sweep_interval{30}; // how often stalled steps are looked for

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
  std::string mode = "proxy";
  std::string pool; // standalone: FIRST-LAST
  std::string netmask = "255.255.255.0";
  std::string lease_file; // standalone: default beside the database
  int lease_seconds = 3600;
  std::string boot_dir; // vmlinuz + initrd.img (atelier bootenv build --out DIR)
  std::string ipxe_dir =
      "/usr/lib/ipxe"; // Debian's ipxe package: TFTP root and HTTP-boot EFI files
  std::uint16_t tftp_port = 69;
  int token_minutes = 30;
  std::string program;      // the program file (grading rules); pipeline off when absent
  std::string profiles_dir; // the profiles; pipeline off when absent
  std::string api_listen;   // [api] listen; "" = no coordinator API
};

// The configuration file's values become the defaults the command line may override.
Options options_from(const profiles::ServerConfig& config) {
  Options opt;
  opt.db = config.server.database.string();
  opt.interface = config.server.interface;
  opt.address = config.server.address;
  opt.http_port = config.boot.http_port;
  opt.reply_delay_ms = config.dhcp.reply_delay_ms;
  opt.mode = std::string(profiles::to_string(config.dhcp.mode));
  opt.pool = config.dhcp.pool;
  opt.netmask = config.dhcp.netmask;
  // The lease journal stays beside the database (DB + ".leases") unless --lease-file says
  // otherwise.
  opt.lease_seconds = config.dhcp.lease_seconds;
  opt.boot_dir = config.boot.bootenv_dir.string();
  opt.ipxe_dir = config.boot.ipxe_dir.string();
  opt.token_minutes = config.boot.token_minutes;
  opt.program = config.pipeline.program.string();
  opt.profiles_dir = config.pipeline.profiles_dir.string();
  opt.api_listen = config.api.enabled ? config.api.listen : "";
  return opt;
}

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

// The coordinator API as atelierd runs it (docs/API.md): on its own thread with its own database
// connection (one Store per thread), so a login's Argon2id work never delays a DHCP answer.
class CoordinatorApiService {
public:
  static std::expected<std::unique_ptr<CoordinatorApiService>, std::string>
  start(const Options& opt, const profiles::ServerConfig& config, ApiServer::LogSink log) {
    auto endpoint = parse_listen_address(opt.api_listen);
    if (!endpoint) {
      return std::unexpected("[api] listen " + endpoint.error());
    }
    // Donated machines on the workshop network are untrusted: the API is not offered to them
    // unless the configuration says so in as many words.
    const std::string& host = endpoint->first;
    const bool everywhere = host == "0.0.0.0" || host == "::";
    if ((everywhere || host == opt.address) && !config.api.allow_workshop_network) {
      return std::unexpected(fmt::format(
          "[api] listen = \"{}\" is reachable from the workshop network, where donated machines "
          "boot; listen on 127.0.0.1 (with a reverse proxy for other machines) or on another "
          "network's address, or set [api] allow_workshop_network = true; nothing started",
          opt.api_listen));
    }
    // The boot server listens on every address of the workshop interface: the same port here
    // would fail at bind time with a less helpful "address already in use".
    if (endpoint->second == opt.http_port) {
      return std::unexpected(fmt::format(
          "[api] listen = \"{}\" uses port {}, which is [boot] http_port's too; give the API "
          "another port (default {}); nothing started",
          opt.api_listen, opt.http_port, profiles::ApiSection{}.listen));
    }
    static const base::SystemClock clock;
    auto store = hwdb::open_store(opt.db);
    if (!store) {
      return std::unexpected("coordinator API: " + store.error().message);
    }
    CoordinatorSettings settings;
    if (std::filesystem::exists(opt.program)) {
      auto program = profiles::load_program(opt.program);
      if (!program) {
        return std::unexpected(
            fmt::format("coordinator API: the program file {} has errors", opt.program));
      }
      settings.program = program->name;
      settings.warranty_months = program->handover.warranty_months;
      settings.price_min_cents = program->handover.price_min_cents;
      settings.price_max_cents = program->handover.price_max_cents;
      settings.retention_days = program->households.retention_days;
    }
    auto service = std::unique_ptr<CoordinatorApiService>(new CoordinatorApiService(
        std::move(*store), clock, std::chrono::hours(config.api.token_hours), std::move(settings)));
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
    service->m_thread = std::thread([s = service.get()] { s->m_io.run(); });
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
                   AccountsConfig{token_lifetime, PasswordCost::interactive()}),
        m_api(m_registry, m_accounts, std::move(settings)) {}

  hwdb::Registry m_registry;
  Accounts m_accounts;
  CoordinatorApi m_api;
  boost::asio::io_context m_io;
  std::optional<ApiServer> m_server;
  std::thread m_thread;
};

} // namespace

int run_atelierd(const std::vector<std::string>& args) {
  // Configuration: --config FILE, else /etc/atelier/atelier.toml when it exists, else the embedded
  // defaults (docs/CONFIG.md). Command-line options override the file.
  const std::optional<std::string> config_file = config_argument(args);
  profiles::ServerConfig config;
  std::string config_source = "embedded defaults";
  if (config_file || std::filesystem::exists(profiles::k_default_server_config)) {
    const std::filesystem::path path =
        config_file.value_or(std::string(profiles::k_default_server_config));
    auto loaded = profiles::load_server_config(path);
    if (!loaded) {
      for (const auto& diagnostic : loaded.error()) {
        std::cerr << diagnostic.to_string() << "\n";
      }
      std::cerr << "atelierd: " << path.string() << " has errors; nothing started\n";
      return 2;
    }
    for (const auto& warning : loaded->warnings) {
      std::cerr << warning.to_string() << "\n";
    }
    config = std::move(*loaded);
    config_source = path.string();
  }
  Options opt = options_from(config);
  if (std::getenv("ATELIER_DB") != nullptr) {
    opt.db = default_database(); // the environment overrides the file, the command line both
  }
  bool check_config = false;
  bool print_config = false;
  std::string config_option;
  CLI::App app{"atelierd: the workshop daemon (network boot, agent API, pipeline)", "atelierd"};
  app.add_option("--config", config_option,
                 "configuration file (default: /etc/atelier/atelier.toml when it exists)");
  app.add_flag("--check-config", check_config, "validate the configuration, print it, and exit");
  app.add_flag("--print-config", print_config,
               "print the effective configuration as TOML (every key) and exit");
  app.add_option("--db", opt.db,
                 "hardware database (default: $ATELIER_DB, else /var/lib/atelier/atelier.db)");
  app.add_option("--interface", opt.interface, "the workshop network interface (e.g. enp3s0)");
  app.add_option("--address", opt.address, "this server's IPv4 address on that interface");
  app.add_option("--http-port", opt.http_port,
                 "port of the boot HTTP server named in iPXE's script URL");
  app.add_option("--reply-delay-ms", opt.reply_delay_ms,
                 "wait this long before answering (firmware that drops instant replies)")
      ->check(CLI::Range(0, 5000));
  app.add_option("--mode", opt.mode,
                 "proxy: beside the site's DHCP server (default); standalone: the only DHCP server "
                 "of an isolated workshop switch")
      ->check(CLI::IsMember({"proxy", "standalone"}));
  app.add_option("--pool", opt.pool, "standalone: addresses to hand out, FIRST-LAST");
  app.add_option("--netmask", opt.netmask, "standalone: subnet mask given to clients");
  app.add_option("--lease-file", opt.lease_file,
                 "standalone: lease journal (default: DB path + .leases); survives restarts");
  app.add_option("--lease-seconds", opt.lease_seconds, "standalone: lease time")
      ->check(CLI::Range(60, 7 * 24 * 3600));
  app.add_option(
      "--boot-dir", opt.boot_dir,
      "boot environment served over HTTP: vmlinuz and initrd.img (atelier bootenv build)");
  app.add_option("--ipxe-dir", opt.ipxe_dir,
                 "iPXE binaries served over TFTP (and over HTTP for UEFI HTTP boot); Debian's ipxe "
                 "package installs them in /usr/lib/ipxe");
  app.add_option("--program", opt.program, "program file: grading rules (pipeline.program)");
  app.add_option("--profiles", opt.profiles_dir, "profiles directory (pipeline.profiles_dir)");
  app.add_option("--api-listen", opt.api_listen,
                 "coordinator API address:port ([api] listen; \"\" turns the API off)");
  app.add_option("--token-minutes", opt.token_minutes, "how long a boot token stays valid")
      ->check(CLI::Range(1, 24 * 60));
  // For tests on unprivileged ports; a real workshop keeps the defaults.
  app.add_option("--dhcp-port", opt.dhcp_port, "DHCP server port")->group("Testing");
  app.add_option("--boot-port", opt.boot_port, "PXE boot-server port")->group("Testing");
  app.add_option("--tftp-port", opt.tftp_port, "TFTP port")->group("Testing");
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
  if (print_config || check_config) {
    // The command line's overrides are part of the effective configuration.
    config.server.database = opt.db;
    config.server.interface = opt.interface;
    config.server.address = opt.address;
    config.dhcp.mode =
        opt.mode == "standalone" ? profiles::DhcpMode::standalone : profiles::DhcpMode::proxy;
    config.dhcp.pool = opt.pool;
    config.dhcp.netmask = opt.netmask;
    config.dhcp.lease_seconds = opt.lease_seconds;
    config.dhcp.reply_delay_ms = opt.reply_delay_ms;
    config.boot.http_port = opt.http_port;
    config.boot.bootenv_dir = opt.boot_dir;
    config.boot.ipxe_dir = opt.ipxe_dir;
    config.boot.token_minutes = opt.token_minutes;
    config.api.enabled = !opt.api_listen.empty();
    if (config.api.enabled) {
      config.api.listen = opt.api_listen;
    }
    std::cout << to_toml(config);
    if (check_config) {
      std::cerr << "atelierd: configuration from " << config_source << " is valid\n";
    }
    return 0;
  }
  if (opt.interface.empty() || opt.address.empty()) {
    log_line(fmt::format("no workshop interface/address: set [server] interface and address in {} "
                         "or give --interface and --address",
                         config_file.value_or(std::string(profiles::k_default_server_config))));
    return 2;
  }
  log_line("configuration: " + config_source);

  const auto server = pxe::Ipv4Address::parse(opt.address);
  if (!server) {
    log_line(fmt::format("--address: '{}' is not an IPv4 address", opt.address));
    return 2;
  }
  static const base::SystemClock clock;
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
  std::optional<pxe::LeasePool> pool;
  if (opt.mode == "standalone") {
    const auto range = parse_range(opt.pool);
    const auto mask = pxe::Ipv4Address::parse(opt.netmask);
    if (!range || !mask) {
      log_line("standalone mode needs --pool FIRST-LAST and a valid --netmask");
      return 2;
    }
    service_config.mode = pxe::DhcpMode::standalone;
    service_config.network.subnet_mask = *mask;
    pxe::LeasePoolConfig pool_config;
    pool_config.first = range->first;
    pool_config.last = range->second;
    pool_config.lease_time = std::chrono::seconds(opt.lease_seconds);
    pool_config.journal = opt.lease_file.empty() ? opt.db + ".leases" : opt.lease_file;
    auto opened = pxe::LeasePool::open(pool_config);
    if (!opened) {
      log_line("cannot open the lease journal: " + opened.error());
      return 1;
    }
    pool.emplace(std::move(*opened));
  }
  pxe::DhcpService service(service_config, admission, pool ? &*pool : nullptr);

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
    log_line("cannot start the DHCP service: " + started.error());
    return 1;
  }
  log_line(fmt::format("{} on {} ({}), ports {} and {}, database {}{}",
                       opt.mode == "proxy" ? "proxyDHCP" : "standalone DHCP", opt.interface,
                       opt.address, opt.dhcp_port, opt.boot_port, opt.db,
                       pool ? fmt::format(", pool {}", opt.pool) : ""));
  log_line(fmt::format("TFTP on port {} from {}; HTTP boot on port {}{}", opt.tftp_port,
                       opt.ipxe_dir, opt.http_port,
                       opt.boot_dir.empty() ? " (no --boot-dir: scripts only, no boot environment)"
                                            : ", boot environment " + opt.boot_dir));

  // HTTP: the per-machine iPXE script (with a one-time token, after the same "don't boot" check as
  // DHCP), the boot environment, and the iPXE EFI binaries for UEFI HTTP boot.
  pxe::BootTokens tokens(pxe::BootTokensConfig{std::chrono::minutes(opt.token_minutes)});
  const std::string base_url = fmt::format("http://{}:{}", opt.address, opt.http_port);
  pxe::BootScriptConfig script;
  script.server_url = base_url;
  script.files_url = base_url + "/boot";
  auto issue_script = pxe::make_standalone_script_handler(tokens, script, log_line);
  pxe::HttpBootConfig http_config;
  http_config.listen_address = opt.listen;
  http_config.port = opt.http_port;
  http_config.interface = opt.interface;
  if (!opt.boot_dir.empty() &&
      !std::filesystem::exists(std::filesystem::path(opt.boot_dir) / "vmlinuz")) {
    log_line(fmt::format("warning: no boot environment in {} (build it with `atelier bootenv build "
                         "--out {}`); machines will get their boot script but no kernel",
                         opt.boot_dir, opt.boot_dir));
  }
  if (!opt.boot_dir.empty()) {
    http_config.files["/boot/vmlinuz"] = std::filesystem::path(opt.boot_dir) / "vmlinuz";
    http_config.files["/boot/initrd.img"] = std::filesystem::path(opt.boot_dir) / "initrd.img";
  }
  for (const char* efi : {"ipxe.efi", "snponly.efi"}) {
    http_config.files[std::string("/ipxe/") + efi] = std::filesystem::path(opt.ipxe_dir) / efi;
  }
  http_config.script_handler =
      [&](const pxe::MacAddress& mac,
          const std::string& client_ip) -> std::expected<std::string, std::string> {
    // Same thread as DHCP (one io_context), so the database is used from one thread only.
    const pxe::Admission allowed = admission.admit_script(mac);
    if (!allowed.answer) {
      return std::unexpected(fmt::format("{}: no boot script: {}", mac.str(), allowed.reason));
    }
    return issue_script(mac, client_ip);
  };
  // The pipeline needs the program file and the profiles; without them machines still boot and
  // register (inventory only), which is how a workshop starts before its profiles are written.
  std::unique_ptr<Pipeline> pipeline;
  std::optional<SigningKey> signing_key;
  if (std::filesystem::exists(opt.program) && std::filesystem::is_directory(opt.profiles_dir)) {
    PipelineConfig pipeline_config;
    auto program = profiles::load_program(opt.program);
    auto loaded = profiles::load_profile_directory(opt.profiles_dir);
    if (!program || !loaded) {
      for (const auto& d : program ? loaded.error() : program.error()) {
        log_line(d.to_string());
      }
      log_line("the program file or a profile has errors; nothing started");
      return 2;
    }
    pipeline_config.program = std::move(*program);
    pipeline_config.profiles = std::move(*loaded);
    pipeline_config.site =
        config.server.site.empty() ? pipeline_config.program.site : config.server.site;
    pipeline_config.after_ready = config.pipeline.after_ready;
    pipeline_config.bench_budget_seconds = config.pipeline.bench_budget_seconds;
    pipeline_config.max_active_units = config.pipeline.max_active_units;
    pipeline_config.stall = std::chrono::minutes(config.pipeline.stall_minutes);
    pipeline_config.step_timeout = std::chrono::minutes(config.pipeline.step_timeout_minutes);
    pipeline_config.image_base_url = base_url + "/images";
    for (const auto& profile : pipeline_config.profiles) {
      std::ifstream in(profile.name_location.file);
      pipeline_config.profile_texts[profile.name] =
          std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      if (profile.image.is_url) {
        continue;
      }
      // Local images are served to the agents at /images/<file name>: from the path the profile
      // gives, else from the images directory.
      std::filesystem::path image = profile.image.path;
      const std::string name = image.filename().string();
      if (!std::filesystem::exists(image)) {
        image = config.pipeline.images_dir / name;
      }
      if (!std::filesystem::exists(image)) {
        log_line(fmt::format("warning: profile {}: image {} not found (nor in {}); machines "
                             "given this profile will fail at the deploy step",
                             profile.name, profile.image.path.string(),
                             config.pipeline.images_dir.string()));
      }
      http_config.files["/images/" + name] = image;
    }
    log_line(fmt::format("pipeline on: program {}, {} profile(s) from {}", opt.program,
                         pipeline_config.profiles.size(), opt.profiles_dir));
    bool created = false;
    // $ATELIER_KEY_DIR overrides the file, like $ATELIER_DB (the `atelier cert` commands agree).
    const std::filesystem::path key_dir = std::getenv("ATELIER_KEY_DIR") != nullptr
                                              ? std::filesystem::path(default_key_dir())
                                              : config.pipeline.keys_dir;
    auto key = SigningKey::load_or_create(key_dir, &created);
    if (!key) {
      log_line("cannot load or create the workshop signing key: " + key.error());
      return 1;
    }
    signing_key.emplace(std::move(*key));
    log_line(fmt::format("{} workshop key {} ({})", created ? "created the" : "signing with the",
                         signing_key->public_key().fingerprint(), signing_key->path().string()));
    pipeline =
        std::make_unique<Pipeline>(registry, clock, std::move(pipeline_config), *signing_key);
  } else {
    log_line(fmt::format("pipeline off: no program file {} or no profiles directory {}; machines "
                         "boot and register only",
                         opt.program, opt.profiles_dir));
  }
  AgentApi agent_api(registry, tokens, pipeline.get());
  http_config.post_handler = [&](std::string_view path, const std::string& body,
                                 const std::string& client_ip) {
    pxe::HttpPostResult result = agent_api.handle(path, body, client_ip);
    log_line(fmt::format("agent {} {} {}: {}", client_ip, path, result.status,
                         std::string_view(result.body).substr(0, result.body.find('\n'))));
    return result;
  };
  pxe::HttpBootServer http(io, http_config, log_line);
  if (auto started = http.start(); !started) {
    log_line("cannot start the HTTP boot server: " + started.error());
    return 1;
  }

  // TFTP: the firmware's first stage (undionly.kpxe, ipxe.efi, snponly.efi), read-only. They are a
  // fixed table, not a directory walk: Debian's ipxe package makes ipxe.efi a symlink into /boot,
  // which the jail would rightly refuse; anything else is looked up in the jail.
  pxe::TftpServerConfig tftp_config;
  tftp_config.listen_address = opt.listen;
  tftp_config.port = opt.tftp_port;
  tftp_config.interface = opt.interface;
  tftp_config.root = opt.ipxe_dir;
  for (const char* first_stage : {"undionly.kpxe", "ipxe.efi", "snponly.efi"}) {
    tftp_config.files[first_stage] = std::filesystem::path(opt.ipxe_dir) / first_stage;
  }
  pxe::TftpServer tftp(io, tftp_config, log_line);
  if (auto started = tftp.start(); !started) {
    log_line("cannot start the TFTP server: " + started.error());
    return 1;
  }

  // The coordinator API: its own listener, io_context, thread and database connection.
  std::unique_ptr<CoordinatorApiService> api;
  if (!opt.api_listen.empty()) {
    auto started = CoordinatorApiService::start(opt, config, log_line);
    if (!started) {
      log_line(started.error());
      return 2;
    }
    api = std::move(*started);
  } else {
    log_line("coordinator API off ([api] enabled = false)");
  }

  // Every 30 s, on the io thread (the database's only user here, so no lock): steps whose agent
  // went silent for [pipeline] stall_minutes, or that ran past step_timeout_minutes, are given up.
  boost::asio::steady_timer sweep_timer(io);
  std::function<void()> schedule_sweep = [&] {
    sweep_timer.expires_after(k_sweep_interval);
    sweep_timer.async_wait([&](boost::system::error_code error) {
      if (error) {
        return; // cancelled: stopping
      }
      for (const auto& line : pipeline->sweep().lines) {
        log_line(line);
      }
      schedule_sweep();
    });
  };
  if (pipeline) {
    schedule_sweep();
  }

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int signal) {
    log_line(fmt::format("signal {}: stopping", signal));
    dhcp.stop();
    tftp.stop();
    http.stop();
    sweep_timer.cancel();
    io.stop();
  });
  io.run();
  api.reset(); // stops its listener and joins its thread
  const auto& c = service.counters();
  log_line(fmt::format("stopped: {} packets, {} offers, {} acks, {} refused, {} malformed",
                       c.received, c.offers, c.acks, c.refused, c.malformed));
  return 0;
}

} // namespace atelier::daemon
