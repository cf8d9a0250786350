// libFuzzer target for the agent API (daemon/agent_api.h) in-process, as atelierd runs it: a real
// SQLite database in a temporary directory, real boot tokens, the pipeline with a program and a
// profile, and one machine registered, so `next`, `progress` and `result` get past authentication.
//
// Input: one byte choosing the endpoint (value % 4: register, next, progress, result), then the
// body. In the body "$T" stands for the registered boot's token and "$J" for the job `next` issued
// last, so the seeds (daemon/fuzz/seeds/) reach the pipeline's step handling. Every 500 inputs the
// machine boots again (a new token, a new session): the pipeline starts over from the bench.
//
// Besides what the sanitizers catch, it aborts when an answer is not one JSON object, when its
// status is not one the API documents, and when anything reached the exception boundary (the API
// logs "unreadable body" or "internal error"): every field must be read by a typed reader.
#include "base/clock.h"
#include "daemon/agent_api.h"
#include "daemon/pipeline.h"
#include "hardware-db/registry.h"
#include "profiles/profile.h"
#include "profiles/program.h"
#include "pxe/boot_tokens.h"
#include "workshop/signing.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace {

using namespace atelier;
using nlohmann::json;

constexpr std::string_view k_program = R"([program]
name = "fuzz"
site = "fuzz"
asset_tag_prefix = "AT"
language = "en"

[grading]
ram = [{ min = "1GiB", points = 20 }]
cpu_level = { 1 = 0, 2 = 15, 3 = 25, 4 = 30 }
disk_media = { hdd = 5, ssd = 20, nvme = 25 }

[grading.grades]
A = 80
B = 60
C = 20

[grading.floor]
min_ram = "1GiB"
min_cpu_level = 1
)";

constexpr std::string_view k_profile = R"([profile]
name = "fuzz"
description = "fuzz profile"

[image]
source = "images/fuzz.tar.zst"
format = "rootfs-archive"
sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

[partitioning]
scheme = "auto"
filesystem = "ext4"

[tailoring]
hostname = "pc-{tag}"
locale = "C.UTF-8"
keyboard = "us"
timezone = "Etc/UTC"

[wipe]
hdd = ["zero"]
ssd = ["zero"]
nvme = ["zero"]
usb = ["zero"]
verify = "sample"
hidden_areas = "report"
)";

constexpr std::string_view k_inventory = R"({"schema": "atelier.inventory/1",
  "system": {"vendor": "LENOVO", "model": "ThinkPad T470", "serial": "FUZZ0001", "chassis": "laptop"},
  "memory": {"total_bytes": 8589934592},
  "cpu": {"model": "Intel(R) Core(TM) i5-7300U", "threads": 4, "x86_64_level": 3},
  "disks": [{"name": "sda", "model": "SAMSUNG MZ7LN256HMJP", "serial": "S2FUZZ01",
             "size_bytes": 256060514304, "media": "ssd", "bus": "sata"}],
  "firmware": {"type": "uefi"}})";

const base::MacAddress k_mac{{0x52, 0x54, 0x00, 0xf0, 0x22, 0x01}};

[[noreturn]] void fail(const std::string& why) {
  std::fprintf(stderr, "agent_api_fuzz: %s\n", why.c_str());
  std::abort();
}

// One atelierd's agent side, built once per process.
struct World {
  World() {
    char pattern[] = "/tmp/atelier-agent-fuzz.XXXXXX";
    if (::mkdtemp(pattern) == nullptr) {
      fail("mkdtemp failed");
    }
    dir = pattern;
    auto store = hwdb::open_store((dir / "atelier.db").string());
    if (!store) {
      fail("cannot open the database: " + store.error().message);
    }
    registry = std::make_unique<hwdb::Registry>(std::move(*store), clock);
    auto signing = workshop::SigningKey::load_or_create(dir / "keys");
    if (!signing) {
      fail("no signing key: " + signing.error());
    }
    key = std::make_unique<workshop::SigningKey>(std::move(*signing));
    daemon::PipelineConfig config;
    auto program = profiles::parse_program(k_program, "fuzz-program.toml");
    auto profile = profiles::parse_profile(k_profile, "fuzz.toml");
    if (!program || !profile) {
      fail("the program or the profile does not parse");
    }
    config.program = std::move(*program);
    config.profiles.push_back(std::move(*profile));
    config.profile_texts["fuzz"] = std::string(k_profile);
    config.image_base_url = "http://198.18.0.2/images";
    pipeline = std::make_unique<daemon::Pipeline>(*registry, clock, std::move(config), *key);
    api = std::make_unique<daemon::AgentApi>(*registry, tokens, pipeline.get());
    api->set_log([](const std::string& line) {
      if (line.find("unreadable body") != std::string::npos ||
          line.find("internal error") != std::string::npos) {
        fail("an exception reached the API's boundary: " + line);
      }
    });
    boot();
  }
  ~World() {
    api.reset();
    pipeline.reset();
    registry.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }

  // The machine boots (again): a fresh token, registered; its session supersedes the older one.
  void boot() {
    auto issued = tokens.issue(k_mac);
    if (!issued) {
      fail("no token: " + issued.error());
    }
    token = *issued;
    job = 0;
    const json body{
        {"mac", k_mac.str()}, {"token", token}, {"inventory", json::parse(k_inventory)}};
    const auto answer = api->handle("/api/v1/register", body.dump(), "198.18.0.60");
    if (answer.status != 200) {
      fail("registration refused: " + answer.body);
    }
  }

  base::SystemClock clock;
  std::filesystem::path dir;
  std::unique_ptr<hwdb::Registry> registry;
  std::unique_ptr<workshop::SigningKey> key;
  pxe::BootTokens tokens;
  std::unique_ptr<daemon::Pipeline> pipeline;
  std::unique_ptr<daemon::AgentApi> api;
  std::string token;
  std::int64_t job = 0;
  int inputs = 0;
};

World& world() {
  static World w;
  return w;
}

void replace_all(std::string& text, std::string_view from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) {
    return 0;
  }
  World& w = world();
  if (++w.inputs % 500 == 0) {
    w.boot();
  }
  static constexpr const char* k_paths[] = {"/api/v1/register", "/api/v1/next", "/api/v1/progress",
                                            "/api/v1/result"};
  const std::string_view path = k_paths[data[0] % 4];
  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  replace_all(body, "$T", w.token);
  replace_all(body, "$J", std::to_string(w.job));
  // What the HTTP server would refuse before the handler: a body over its route's limit.
  if (body.size() > daemon::agent_body_limit(path).value_or(0)) {
    return 0;
  }
  const pxe::HttpPostResult answer = w.api->handle(path, body, "198.18.0.60");
  switch (answer.status) {
  case 200:
  case 400:
  case 403:
  case 404:
  case 409:
    break;
  default:
    fail("status " + std::to_string(answer.status) + " for " + std::string(path) + ": " +
         answer.body);
  }
  const json parsed = json::parse(answer.body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    fail("the answer is not one JSON object: " + answer.body);
  }
  if (path == "/api/v1/next" && answer.status == 200 && parsed.contains("job") &&
      parsed["job"].is_number_integer()) {
    w.job = parsed["job"].get<std::int64_t>();
  }
  return 0;
}
