// `atelier profile check|match`: validate profile and program files; pick the profile for a
// machine.
#include "profiles/profile.h"

#include "base/i18n.h"
#include "cli/context.h"
#include "profiles/file_kind.h"
#include "profiles/match.h"
#include "workshop/settings.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace atelier::cli {
namespace {

using nlohmann::json;

struct CheckOptions {
  std::vector<std::string> files;
  bool json = false;
};

// Checks each file as what it declares itself to be ([profile] or [program]).
void check(CliContext& ctx, const CheckOptions& opt) {
  json report = json::array();
  std::size_t bad = 0;
  for (const auto& file : opt.files) {
    const profiles::CheckResult result = profiles::check_file(file);
    const std::string kind =
        result.kind ? std::string(profiles::to_string(*result.kind)) : "unknown";
    std::size_t warnings = 0;
    for (const auto& d : result.diagnostics) {
      warnings += d.severity == profiles::Severity::warning ? 1u : 0u;
    }
    bad += result.ok() ? 0u : 1u;
    if (opt.json) {
      json diags = json::array();
      for (const auto& d : result.diagnostics) {
        diags.push_back(
            {{"severity", d.severity == profiles::Severity::error ? "error" : "warning"},
             {"line", d.line},
             {"column", d.column},
             {"key", d.key},
             {"message", d.message}});
      }
      report.push_back(
          {{"file", file}, {"kind", kind}, {"ok", result.ok()}, {"diagnostics", diags}});
      continue;
    }
    for (const auto& d : result.diagnostics) {
      ctx.err << d.to_string() << '\n';
    }
    if (result.ok()) {
      ctx.out << (warnings == 0 ? base::trf(ctx.lang(), "{file}: ok ({kind})",
                                            {{"file", file}, {"kind", kind}})
                                : base::tr_n(ctx.lang(), "{file}: ok ({kind}, {count} warning)",
                                             "{file}: ok ({kind}, {count} warnings)", warnings,
                                             {{"file", file}, {"kind", kind}, {"count", warnings}}))
              << '\n';
    }
  }
  if (opt.json) {
    ctx.out << report.dump(2) << '\n';
  }
  if (bad > 0) {
    ctx.status = 1;
    if (!opt.json) {
      ctx.err << "atelier: "
              << base::tr_n(ctx.lang(), "{count} of {total} files invalid",
                            "{count} of {total} files invalid", bad,
                            {{"count", bad}, {"total", opt.files.size()}})
              << '\n';
    }
  }
}

struct MatchOptions {
  std::string inventory;
  std::vector<std::string> profiles;
  bool json = false;
};

// The profile files named on the command line; a directory stands for its *.toml profiles.
std::vector<std::filesystem::path> profile_files(const std::vector<std::string>& args) {
  std::vector<std::filesystem::path> files;
  for (const auto& a : args) {
    std::error_code ec;
    if (std::filesystem::is_directory(a, ec)) {
      std::vector<std::filesystem::path> in_dir;
      for (const auto& entry : std::filesystem::directory_iterator(a, ec)) {
        if (entry.path().extension() == ".toml") {
          in_dir.push_back(entry.path());
        }
      }
      std::sort(in_dir.begin(), in_dir.end());
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else {
      files.emplace_back(a);
    }
  }
  return files;
}

void match(CliContext& ctx, const MatchOptions& opt) {
  std::ifstream in(opt.inventory);
  if (!in) {
    ctx.error(
        base::trf(ctx.lang(), "--inventory: cannot read '{file}'", {{"file", opt.inventory}}));
    return;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto facts = profiles::facts_from_inventory_json(text.str());
  if (!facts) {
    ctx.error(fmt::format("{}: {}", opt.inventory, facts.error()));
    return;
  }
  std::vector<profiles::Profile> loaded;
  for (const auto& file : profile_files(opt.profiles)) {
    if (const auto checked = profiles::check_file(file);
        checked.kind == profiles::FileKind::program) {
      continue; // a program file beside the profiles is not a candidate
    }
    auto p = profiles::load_profile(file);
    if (!p) {
      for (const auto& d : p.error()) {
        ctx.err << d.to_string() << '\n';
      }
      ctx.error(base::trf(ctx.lang(),
                          "{file}: invalid profile; fix it (atelier profile check) before matching",
                          {{"file", file.string()}}));
      return;
    }
    loaded.push_back(std::move(*p));
  }
  if (loaded.empty()) {
    ctx.error(base::tr(ctx.lang(), "no profiles to match against (give --profiles DIR or files)"));
    return;
  }
  const auto result = profiles::match(loaded, *facts);
  if (opt.json) {
    json candidates = json::array();
    for (const auto& c : result.candidates) {
      candidates.push_back({{"profile", c.profile_name}, {"fits", c.fits}, {"reasons", c.reasons}});
    }
    ctx.out << json{{"chosen", result.chosen ? json(result.candidates[*result.chosen].profile_name)
                                             : json(nullptr)},
                    {"candidates", candidates}}
                   .dump(2)
            << '\n';
  } else {
    if (result.chosen) {
      ctx.out << base::trf(ctx.lang(), "chosen: {profile}",
                           {{"profile", result.candidates[*result.chosen].profile_name}})
              << '\n';
    } else {
      ctx.out << base::tr(ctx.lang(), "no profile fits this machine") << '\n';
    }
    for (const auto& c : result.candidates) {
      ctx.out << fmt::format("  {:<20} {}\n", c.profile_name,
                             c.fits ? base::tr(ctx.lang(), "fits")
                                    : base::tr(ctx.lang(), "does not fit"));
      for (const auto& r : c.reasons) {
        ctx.out << "      - " << r << '\n';
      }
    }
  }
  if (!result.chosen) {
    ctx.status = 1;
  }
}

} // namespace

void add_profile_commands(CLI::App& app, CliContext& ctx) {
  auto* profile = app.add_subcommand("profile", "imaging profiles and program files");
  profile->require_subcommand(1);

  auto check_opt = std::make_shared<CheckOptions>();
  auto* check_cmd = profile->add_subcommand(
      "check", "validate profile and program files; exit status 1 if any has an error");
  check_cmd->add_option("FILE", check_opt->files, "profile or program files (.toml)")->required();
  check_cmd->add_flag("--json", check_opt->json, "print JSON");
  check_cmd->callback([&ctx, check_opt] { check(ctx, *check_opt); });

  auto match_opt = std::make_shared<MatchOptions>();
  auto* match_cmd =
      profile->add_subcommand("match", "which profile fits a machine, and why the others do not");
  match_cmd->add_option("--inventory", match_opt->inventory, "inventory report (JSON)")->required();
  match_cmd
      ->add_option("--profiles", match_opt->profiles,
                   "profile files or directories (default: $ATELIER_PROFILES, else "
                   "/etc/atelier/profiles)")
      ->expected(1, -1);
  match_cmd->add_flag("--json", match_opt->json, "print JSON");
  match_cmd->callback([&ctx, match_opt] {
    if (match_opt->profiles.empty()) {
      match_opt->profiles.push_back(workshop::default_profiles_dir());
    }
    match(ctx, *match_opt);
  });
}

} // namespace atelier::cli
