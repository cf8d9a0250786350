// atelier-imager: the agent that runs inside the boot environment. Thin: parses arguments and calls
// the library. Subcommands so far: inventory.
#include "imager/file_system.h"
#include "imager/inventory.h"
#include "imager/process_runner.h"
#include "imager/report.h"

#include <chrono>
#include <cstdio>
#include <exception>

// GCC 12 reports a false -Wnull-dereference inside CLI11's inlined string splitting at -O2.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <CLI/CLI.hpp>
#pragma GCC diagnostic pop
#include <fmt/chrono.h>
#include <fmt/format.h>

namespace {

std::string now_utc() {
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", now);
}

int run_inventory(bool json, const std::string& root, bool no_smart, bool include_optical) {
  using namespace atelier::imager;
  DiskFileSystem fs(root);
  PosixProcessRunner runner;
  CollectOptions options;
  options.include_optical = include_optical;
  // Health tools always address this machine's /dev: never run them for a foreign root.
  options.run_smart = !no_smart && (root == "/" || root.empty());
  Inventory inventory = collect_inventory(fs, runner, options);
  inventory.collected_at = now_utc();
  const std::string text = json ? to_json_text(inventory) : to_text(inventory);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"Atelier imager agent: inventories, checks and images a donated PC"};
  app.require_subcommand(1);
  bool json = false;
  bool no_smart = false;
  bool include_optical = false;
  std::string root = "/";
  auto* inventory = app.add_subcommand("inventory", "Describe this machine (read-only, no network)");
  inventory->add_flag("--json", json, "Print the versioned JSON report (docs/INVENTORY.md)");
  inventory->add_option("--root", root, "Read sys/ and proc/ under this directory instead of /")
      ->check(CLI::ExistingDirectory);
  inventory->add_flag("--no-smart", no_smart, "Do not run smartctl or nvme-cli");
  inventory->add_flag("--include-optical", include_optical, "List optical drives among the disks too");
  CLI11_PARSE(app, argc, argv);
  try {
    if (inventory->parsed()) {
      return run_inventory(json, root, no_smart, include_optical);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atelier-imager: %s\n", e.what());
    return 1;
  }
  return 0;
}
