// atelier-imager: the agent that runs inside the boot environment. Thin: parses arguments and calls
// the library. Subcommands so far: inventory, bench, grade.
#include "imager/bench.h"
#include "imager/bench_grade.h"
#include "imager/file_system.h"
#include "imager/inventory.h"
#include "imager/process_runner.h"
#include "imager/report.h"
#include "imager/version.h"
#include "profiles/file_kind.h"
#include "profiles/match.h"

#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <stdexcept>
#include <fstream>
#include <iterator>

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

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error(path + ": cannot be read");
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

atelier::imager::Inventory live_inventory() {
  using namespace atelier::imager;
  DiskFileSystem fs("/");
  PosixProcessRunner runner;
  Inventory inventory = collect_inventory(fs, runner, CollectOptions{});
  inventory.collected_at = now_utc();
  return inventory;
}

struct BenchArgs {
  bool json = false;
  double budget_s = 60;
  std::vector<std::string> disks;
  bool no_disks = false;
  bool no_memtest = false;
};

int run_bench(const BenchArgs& args) {
  using namespace atelier::imager;
  const Inventory inventory = live_inventory();
  BenchOptions options;
  options.budget = Millis(static_cast<std::int64_t>(args.budget_s * 1000));
  options.memtest = !args.no_memtest;
  if (!args.disks.empty()) {
    for (const auto& path : args.disks) {
      options.disks.push_back({path, path, "unknown", "not a disk of the inventory"});
    }
  } else if (!args.no_disks) {
    options.disks = targets_from(inventory);
  }
  SteadyClock clock;
  DiskFileSystem fs("/");
  BenchEnvironment env = live_environment(clock, fs);
  BenchReport report = run_bench(options, env);
  report.run_at = now_utc();
  report.cpu_model = inventory.cpu.model_name;
  const std::string text = args.json ? to_json_text(report) : to_text(report);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

// The profile the machine gets (none for "parts": it is not imaged), and why the others don't fit.
nlohmann::json pick_profile(const std::vector<std::string>& paths,
                            const atelier::profiles::MachineFacts& facts, atelier::profiles::Grade grade,
                            std::string& text) {
  namespace profiles = atelier::profiles;
  std::vector<profiles::Profile> loaded;
  for (const auto& path : paths) {
    auto more = std::filesystem::is_directory(path)
                    ? profiles::load_profile_directory(path)
                    : profiles::load_profiles(std::vector<std::filesystem::path>{path});
    if (!more) {
      for (const auto& d : more.error()) {
        std::fprintf(stderr, "%s\n", d.to_string().c_str());
      }
      throw std::runtime_error(path + ": invalid profiles (atelier profile check " + path + ")");
    }
    for (auto& p : *more) {
      loaded.push_back(std::move(p));
    }
  }
  nlohmann::json out = {{"chosen", nullptr}, {"candidates", nlohmann::json::array()}};
  if (grade == profiles::Grade::parts) {
    out["reason"] = "graded parts: not imaged";
    text += "Profile: none (graded parts: not imaged)\n";
    return out;
  }
  const auto result = profiles::match(loaded, facts);
  for (const auto& c : result.candidates) {
    out["candidates"].push_back({{"profile", c.profile_name}, {"fits", c.fits}, {"reasons", c.reasons}});
  }
  if (result.chosen) {
    out["chosen"] = result.candidates[*result.chosen].profile_name;
    text += "Profile: " + result.candidates[*result.chosen].profile_name + "\n";
  } else {
    text += "Profile: none fits this machine\n";
  }
  for (const auto& c : result.candidates) {
    for (const auto& r : c.reasons) {
      text += "  " + c.profile_name + ": " + r + "\n";
    }
  }
  return out;
}

int run_grade(const std::string& program_file, const std::string& inventory_file,
              const std::string& bench_file, const std::vector<std::string>& profile_paths,
              bool json) {
  using namespace atelier::imager;
  auto program = atelier::profiles::load_program(program_file);
  if (!program) {
    for (const auto& d : program.error()) {
      std::fprintf(stderr, "%s\n", d.to_string().c_str());
    }
    return 2;
  }
  const std::string inventory_text =
      inventory_file.empty() ? to_json_text(live_inventory()) : read_text(inventory_file);
  auto facts = atelier::profiles::facts_from_inventory_json(inventory_text);
  auto disks = disk_verdicts_from_inventory_json(inventory_text);
  if (!facts || !disks) {
    std::fprintf(stderr, "atelier-imager: inventory: %s\n", (!facts ? facts.error() : disks.error()).c_str());
    return 2;
  }
  std::optional<BenchSummary> bench;
  if (!bench_file.empty()) {
    auto summary = bench_summary_from_json(read_text(bench_file));
    if (!summary) {
      std::fprintf(stderr, "atelier-imager: %s: %s\n", bench_file.c_str(), summary.error().c_str());
      return 2;
    }
    bench = std::move(*summary);
  }
  const MachineGrade grade = grade_machine(*program, *facts, *disks, bench);
  nlohmann::json report = to_json(grade);
  std::string text = to_text(grade);
  if (!profile_paths.empty()) {
    report["profile"] = pick_profile(profile_paths, *facts, grade.grade, text);
  }
  if (json) {
    text = report.dump(2) + "\n";
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"Atelier imager agent: inventories, checks and images a donated PC"};
  app.set_version_flag("--version", "atelier-imager " + std::string(atelier::imager::agent_version()));
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
  BenchArgs bench_args;
  auto* bench = app.add_subcommand("bench", "Measure CPU, memory and disks (read-only) and test memory");
  bench->add_flag("--json", bench_args.json, "Print the versioned JSON report (docs/BENCHMARKS.md)");
  bench->add_option("--budget", bench_args.budget_s, "Total time for all stages, in seconds")
      ->check(CLI::Range(1.0, 3600.0));
  bench->add_option("--disk", bench_args.disks, "Read this device or file instead of the inventory's disks");
  bench->add_flag("--no-disks", bench_args.no_disks, "Do not read any disk");
  bench->add_flag("--no-memtest", bench_args.no_memtest, "Skip the memory pattern test");
  std::string program_file, inventory_file, bench_file;
  bool grade_json = false;
  auto* grade = app.add_subcommand("grade", "Grade this machine with a program file's rules");
  grade->add_option("--program", program_file, "Program file (TOML)")->required()->check(CLI::ExistingFile);
  grade->add_option("--inventory", inventory_file, "Inventory JSON (default: collect it now)")
      ->check(CLI::ExistingFile);
  grade->add_option("--bench", bench_file, "Bench JSON from `atelier-imager bench --json`")
      ->check(CLI::ExistingFile);
  std::vector<std::string> profile_paths;
  grade->add_option("--profiles", profile_paths,
                    "Profile files or directories: also pick the profile that fits (none for parts)");
  grade->add_flag("--json", grade_json, "Print JSON (atelier.grade/1)");
  CLI11_PARSE(app, argc, argv);
  try {
    if (inventory->parsed()) {
      return run_inventory(json, root, no_smart, include_optical);
    }
    if (bench->parsed()) {
      return run_bench(bench_args);
    }
    if (grade->parsed()) {
      return run_grade(program_file, inventory_file, bench_file, profile_paths, grade_json);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atelier-imager: %s\n", e.what());
    return 1;
  }
  return 0;
}
