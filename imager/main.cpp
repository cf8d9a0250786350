// atelier-imager: the agent that runs inside the boot environment. Thin: parses arguments and calls
// the library. Subcommands: inventory, bench, grade, wipe, identify, purge (main_purge.cpp), agent.
#include "base/clock.h"
#include "base/i18n.h"
#include "base/language.h"
#include "base/process_runner.h"
#include "base/time_text.h"
#include "base/version.h"
#include "imager/agent/agent.h"
#include "imager/bench/bench.h"
#include "imager/deploy/deploy_command.h"
#include "imager/inventory/inventory.h"
#include "imager/inventory/report.h"
#include "imager/purge/purge_command.h"
#include "imager/sys/file_system.h"
#include "imager/wipe/wipe_command.h"
#include "profiles/file_kind.h"
#include "profiles/match.h"
#include "records/bench_grade.h"
#include "records/phrases.h"

#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

// GCC 12 reports a false -Wnull-dereference inside CLI11's inlined string splitting at -O2.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <CLI/CLI.hpp>
#pragma GCC diagnostic pop
#include <fmt/format.h>

namespace {

std::string now_utc() {
  return atelier::base::format_rfc3339(atelier::base::system_clock().wall());
}

int run_inventory(bool json, const std::string& root, bool no_smart, bool include_optical,
                  atelier::base::Language language) {
  using namespace atelier::imager;
  DiskFileSystem fs(root);
  atelier::base::PosixProcessRunner runner;
  CollectOptions options;
  options.include_optical = include_optical;
  // Health tools always address this machine's /dev: never run them for a foreign root.
  options.run_smart = !no_smart && (root == "/" || root.empty());
  Inventory inventory = collect_inventory(fs, runner, options);
  inventory.collected_at = now_utc();
  const std::string text = json ? to_json_text(inventory) : to_text(inventory, language);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

// `atelier-imager text MSGID [NAME=VALUE...]`: the boot environment's init script words its lines
// through this (osbuild/bootenv/init, say_tr), from the same catalogue as the agent's screen: the
// message in the language, each {NAME} filled with its VALUE as written. A message the catalogue
// lacks comes out in English.
int run_text(atelier::base::Language language, const std::vector<std::string>& words) {
  if (words.empty()) {
    return 2;
  }
  atelier::records::PhraseValues values;
  for (std::size_t i = 1; i < words.size(); ++i) {
    const auto equals = words[i].find('=');
    if (equals == std::string::npos || equals == 0) {
      std::fprintf(stderr, "atelier-imager text: '%s' is not NAME=VALUE\n", words[i].c_str());
      return 2;
    }
    values.emplace_back(words[i].substr(0, equals), words[i].substr(equals + 1));
  }
  const std::string line =
      atelier::records::fill_phrase(atelier::base::tr(language, words[0].c_str()), values) + "\n";
  std::fwrite(line.data(), 1, line.size(), stdout);
  return 0;
}

// The language a --lang option names; English for none or one this build does not know (the
// machine must keep running: its screen then speaks English).
atelier::base::Language language_option(const std::string& code) {
  return atelier::base::parse_language(code).value_or(atelier::base::Language::en);
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
  atelier::base::PosixProcessRunner runner;
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
  DiskFileSystem fs("/");
  BenchEnvironment env = live_environment(atelier::base::system_clock(), fs);
  BenchReport report = run_bench(options, env);
  report.run_at = now_utc();
  report.cpu_model = inventory.cpu.model_name;
  const std::string text = args.json ? to_json_text(report) : to_text(report);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

// The profile the machine gets (none for "parts": it is not imaged), and why the others don't fit.
nlohmann::json pick_profile(const std::vector<std::string>& paths,
                            const atelier::profiles::MachineFacts& facts,
                            atelier::profiles::Grade grade, std::string& text) {
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
    out["candidates"].push_back(
        {{"profile", c.profile_name}, {"fits", c.fits}, {"reasons", c.reasons}});
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
  auto disks = atelier::records::disk_verdicts_from_inventory_json(inventory_text);
  if (!facts || !disks) {
    std::fprintf(stderr, "atelier-imager: inventory: %s\n",
                 (!facts ? facts.error() : disks.error()).c_str());
    return 2;
  }
  std::optional<atelier::records::BenchSummary> bench;
  if (!bench_file.empty()) {
    auto summary = atelier::records::bench_summary_from_json(read_text(bench_file));
    if (!summary) {
      std::fprintf(stderr, "atelier-imager: %s: %s\n", bench_file.c_str(), summary.error().c_str());
      return 2;
    }
    bench = std::move(*summary);
  }
  const atelier::records::MachineGrade grade =
      atelier::records::grade_machine(*program, *facts, *disks, bench);
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
  CLI::App app{"Atelier imager agent: inventories, checks, wipes and images a donated PC"};
  app.set_version_flag("--version", "atelier-imager " + std::string(atelier::base::version()));
  app.require_subcommand(1);
  bool json = false;
  bool no_smart = false;
  bool include_optical = false;
  std::string root = "/";
  auto* inventory =
      app.add_subcommand("inventory", "Describe this machine (read-only, no network)");
  inventory->add_flag("--json", json, "Print the versioned JSON report (docs/INVENTORY.md)");
  inventory->add_option("--root", root, "Read sys/ and proc/ under this directory instead of /")
      ->check(CLI::ExistingDirectory);
  inventory->add_flag("--no-smart", no_smart, "Do not run smartctl or nvme-cli");
  inventory->add_flag("--include-optical", include_optical,
                      "List optical drives among the disks too");
  std::string inventory_lang;
  inventory->add_option("--lang", inventory_lang, "Language of the readable page: en, fr");
  std::string text_lang;
  std::vector<std::string> text_words;
  auto* text = app.add_subcommand(
      "text", "Print a message of the catalogue in a language, its {NAME} placeholders filled "
              "(the boot environment's init words its screen lines with it)");
  text->add_option("--lang", text_lang, "en, fr");
  text->add_option("words", text_words, "MSGID [NAME=VALUE...]")->required();
  BenchArgs bench_args;
  auto* bench =
      app.add_subcommand("bench", "Measure CPU, memory and disks (read-only) and test memory");
  bench->add_flag("--json", bench_args.json,
                  "Print the versioned JSON report (docs/BENCHMARKS.md)");
  bench->add_option("--budget", bench_args.budget_s, "Total time for all stages, in seconds")
      ->check(CLI::Range(1.0, 3600.0));
  bench->add_option("--disk", bench_args.disks,
                    "Read this device or file instead of the inventory's disks");
  bench->add_flag("--no-disks", bench_args.no_disks, "Do not read any disk");
  bench->add_flag("--no-memtest", bench_args.no_memtest, "Skip the memory pattern test");
  std::string program_file, inventory_file, bench_file;
  bool grade_json = false;
  auto* grade = app.add_subcommand("grade", "Grade this machine with a program file's rules");
  grade->add_option("--program", program_file, "Program file (TOML)")
      ->required()
      ->check(CLI::ExistingFile);
  grade->add_option("--inventory", inventory_file, "Inventory JSON (default: collect it now)")
      ->check(CLI::ExistingFile);
  grade->add_option("--bench", bench_file, "Bench JSON from `atelier-imager bench --json`")
      ->check(CLI::ExistingFile);
  std::vector<std::string> profile_paths;
  grade->add_option(
      "--profiles", profile_paths,
      "Profile files or directories: also pick the profile that fits (none for parts)");
  grade->add_flag("--json", grade_json, "Print JSON (atelier.grade/1)");
  atelier::imager::AgentOptions agent_options;
  bool agent_no_power = false;
  auto* agent = app.add_subcommand("agent", "Run the pipeline atelierd drives (docs/AGENT-API.md): "
                                            "register, then do each step the server gives");
  agent->add_option("--server", agent_options.server, "atelierd's URL, e.g. http://198.18.0.2")
      ->required();
  agent->add_option("--token", agent_options.token, "this boot's token (atelier.token=)")
      ->required();
  agent->add_option("--mac", agent_options.mac, "MAC address of the interface that booted")
      ->required();
  std::string agent_lang;
  agent->add_option("--lang", agent_lang,
                    "The screen's language until atelierd names one (atelier.lang=): en, fr");
  agent->add_flag("--no-power", agent_no_power,
                  "At the end, print the action instead of powering off");
  atelier::imager::WipeCommandArgs wipe_args;
  auto* wipe = atelier::imager::add_wipe_command(app, wipe_args);
  auto run_purge_commands = atelier::imager::add_purge_commands(app);
  atelier::imager::DeployCommandArgs deploy_args;
  auto* deploy = app.add_subcommand(
      "deploy", "Partition a disk, install a profile's image and tailor it (docs/DEPLOY.md); "
                "exit 0 imaged, 1 failed (disk left unbootable), 2 refused");
  deploy->add_option("device", deploy_args.device, "The whole disk to install on (e.g. /dev/sda)")
      ->required();
  deploy->add_option("--profile", deploy_args.profile_file, "Profile file (TOML)")
      ->required()
      ->check(CLI::ExistingFile);
  deploy->add_option(
      "--image", deploy_args.image,
      "Read the profile's image from this path or http:// URL (its sha256 still applies)");
  deploy->add_option("--firmware", deploy_args.firmware,
                     "bios | uefi: prepare the disk for this firmware "
                     "(default: the one this machine booted with)");
  deploy->add_option("--tag", deploy_args.asset_tag, "The unit's asset tag (hostname, unit file)");
  deploy->add_flag("--wiped-zero", deploy_args.wiped_zero,
                   "The disk was just zero-wiped and verified: skip zero blocks and discards");
  deploy->add_flag("--json", deploy_args.json, "Print the imaging record as JSON");
  deploy
      ->add_option("--progress", deploy_args.progress,
                   "none | text | json: one line per event on stderr")
      ->capture_default_str();
  deploy->add_option("--confirm-serial", deploy_args.confirm_serial,
                     "The disk's serial (required outside the boot environment)");
  deploy->add_option("--contact", deploy_args.contact,
                     "Support contact written to /etc/atelier/unit.toml");
  deploy->add_flag("--no-bootloader", deploy_args.no_bootloader,
                   "Do not install GRUB (tests: images without a kernel)");
  CLI11_PARSE(app, argc, argv);
  if (wipe->parsed()) {
    try {
      const auto result = atelier::imager::run_wipe_command(wipe_args, stdout, stderr);
      if (result.abandoned > 0) {
        // A worker is blocked in the kernel on a hung disk: the report is out, leave without
        // waiting for it (exit() would run destructors under its feet).
        std::fflush(stdout);
        std::fflush(stderr);
        ::_exit(result.exit_code);
      }
      return result.exit_code;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "atelier-imager wipe: %s\n", e.what());
      return 1;
    }
  }
  try {
    if (inventory->parsed()) {
      return run_inventory(json, root, no_smart, include_optical, language_option(inventory_lang));
    }
    if (text->parsed()) {
      return run_text(language_option(text_lang), text_words);
    }
    if (bench->parsed()) {
      return run_bench(bench_args);
    }
    if (agent->parsed()) {
      agent_options.power_actions = !agent_no_power;
      agent_options.language = language_option(agent_lang);
      return atelier::imager::run_agent(agent_options);
    }
    if (deploy->parsed()) {
      return atelier::imager::run_deploy_command(deploy_args, stdout, stderr);
    }
    if (grade->parsed()) {
      return run_grade(program_file, inventory_file, bench_file, profile_paths, grade_json);
    }
    if (auto status = run_purge_commands()) {
      return *status;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atelier-imager: %s\n", e.what());
    return 1;
  }
  return 0;
}
