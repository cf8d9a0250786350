// `atelier batch run PLAN.toml`: a technician's unattended run (docs/BATCH.md). The plan becomes
// an open batch in the database; atelierd's pipeline claims the next machines that register (or
// the listed ones) and installs the plan's profile on them; this command follows them until all
// are done or the timeout, prints a summary, and exits non-zero if any failed.
#include "base/clock.h"
#include "base/i18n.h"
#include "cli/context.h"
#include "cli/table.h"
#include "papers/record_phrases.h"
#include "profiles/batch_plan.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <map>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace atelier::cli {
namespace {

std::atomic<bool> g_interrupted{false};

struct BatchOptions {
  std::string plan;
  bool json = false;
  double interval = 2.0;
};

bool is_done(hwdb::UnitState s) {
  return s == hwdb::UnitState::ready || s == hwdb::UnitState::failed || s == hwdb::UnitState::parts;
}

std::string last_reason(hwdb::Store& store, hwdb::RowId unit_id) {
  auto events = store.events(unit_id);
  return events && !events->empty() ? events->back().reason : "";
}

// `clock` dates the batch, times the plan's timeout and waits between polls.
void run_batch(CliContext& ctx, const BatchOptions& opt, const base::Clock& clock) {
  auto plan = profiles::load_batch_plan(opt.plan);
  if (!plan) {
    for (const auto& d : plan.error()) {
      ctx.err << d.to_string() << '\n';
    }
    ctx.status = 2;
    return;
  }
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  hwdb::Store& store = registry->store();
  hwdb::Batch batch;
  batch.name = plan->name;
  batch.profile = plan->profile;
  batch.max_units = plan->count;
  batch.macs = plan->macs;
  batch.created_at = clock.wall_seconds();
  auto id = store.add_batch(batch);
  if (!id) {
    ctx.error(id.error());
    return;
  }
  const std::size_t wanted =
      plan->macs.empty() ? static_cast<std::size_t>(plan->count) : plan->macs.size();
  if (!opt.json) {
    const base::Language lang = ctx.lang();
    ctx.out << (plan->profile.empty()
                    ? base::tr_n(lang,
                                 "batch {id} \"{name}\": waiting for {count} machine (timeout "
                                 "{minutes} min); PXE-boot it now",
                                 "batch {id} \"{name}\": waiting for {count} machines (timeout "
                                 "{minutes} min); PXE-boot them now",
                                 wanted,
                                 {{"id", *id},
                                  {"name", plan->name},
                                  {"count", wanted},
                                  {"minutes", plan->timeout_minutes}})
                    : base::tr_n(lang,
                                 "batch {id} \"{name}\": waiting for {count} machine, profile "
                                 "{profile} (timeout {minutes} min); PXE-boot it now",
                                 "batch {id} \"{name}\": waiting for {count} machines, profile "
                                 "{profile} (timeout {minutes} min); PXE-boot them now",
                                 wanted,
                                 {{"id", *id},
                                  {"name", plan->name},
                                  {"count", wanted},
                                  {"profile", plan->profile},
                                  {"minutes", plan->timeout_minutes}}))
            << '\n';
    ctx.out.flush();
  }
  g_interrupted = false;
  auto previous_handler = std::signal(SIGINT, [](int) { g_interrupted = true; });
  const auto deadline = clock.monotonic() + std::chrono::minutes(plan->timeout_minutes);
  std::map<hwdb::RowId, hwdb::UnitState> seen;
  std::vector<hwdb::Unit> members;
  bool timed_out = false;
  while (true) {
    auto ids = store.batch_units(*id);
    if (!ids) {
      ctx.error(ids.error());
      break;
    }
    members.clear();
    for (const auto unit_id : *ids) {
      auto unit = store.unit_by_id(unit_id);
      if (unit && *unit) {
        members.push_back(**unit);
        const auto it = seen.find(unit_id);
        if (!opt.json && (it == seen.end() || it->second != (*unit)->state)) {
          ctx.out << fmt::format("{} {}: {}\n", (*unit)->tag.str(), hwdb::to_string((*unit)->state),
                                 papers::record_text(last_reason(store, unit_id), ctx.lang()));
          ctx.out.flush();
        }
        seen[unit_id] = (*unit)->state;
      }
    }
    const bool all_done =
        members.size() >= wanted &&
        std::all_of(members.begin(), members.end(), [](const auto& u) { return is_done(u.state); });
    if (all_done || g_interrupted) {
      break;
    }
    if (clock.monotonic() > deadline) {
      timed_out = true;
      break;
    }
    clock.sleep_for(std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(opt.interval)));
  }
  std::signal(SIGINT, previous_handler);
  (void)store.close_batch(*id, clock.wall_seconds());

  int ready = 0;
  int failed = 0;
  int parts = 0;
  int working = 0;
  nlohmann::json units = nlohmann::json::array();
  Table table(
      {base::tr_ctx(ctx.lang(), "column", "TAG"), base::tr_ctx(ctx.lang(), "column", "STATE"),
       base::tr_ctx(ctx.lang(), "column", "GRADE"), base::tr_ctx(ctx.lang(), "column", "REASON")});
  for (const auto& u : members) {
    auto grade = store.latest_grade(u.id);
    const std::string letter = grade && *grade ? (*grade)->grade : "";
    const std::string reason = last_reason(store, u.id);
    ready += u.state == hwdb::UnitState::ready ? 1 : 0;
    failed += u.state == hwdb::UnitState::failed ? 1 : 0;
    parts += u.state == hwdb::UnitState::parts ? 1 : 0;
    working += is_done(u.state) ? 0 : 1;
    table.add({u.tag.str(), std::string(hwdb::to_string(u.state)), letter,
               papers::record_text(reason, ctx.lang())});
    units.push_back({{"tag", u.tag.str()},
                     {"state", hwdb::to_string(u.state)},
                     {"grade", letter},
                     {"reason", reason}});
  }
  const int missing = static_cast<int>(wanted) - static_cast<int>(members.size());
  const bool ok = failed == 0 && working == 0 && missing <= 0 && !timed_out && !g_interrupted;
  if (opt.json) {
    ctx.out << nlohmann::json{{"batch", *id},
                              {"name", plan->name},
                              {"ok", ok},
                              {"timed_out", timed_out},
                              {"interrupted", g_interrupted.load()},
                              {"ready", ready},
                              {"failed", failed},
                              {"parts", parts},
                              {"still_working", working},
                              {"never_booted", std::max(missing, 0)},
                              {"units", units}}
                   .dump(2)
            << '\n';
  } else {
    ctx.out << '\n';
    if (!table.empty()) {
      table.print(ctx.out);
    }
    const base::Language lang = ctx.lang();
    const base::MessageArgs counts = {{"name", plan->name}, {"ready", ready},
                                      {"parts", parts},     {"failed", failed},
                                      {"working", working}, {"never", std::max(missing, 0)}};
    ctx.out << (timed_out ? base::trf(lang,
                                      "batch \"{name}\": {ready} ready, {parts} parts, {failed} "
                                      "failed, {working} still working, {never} never booted "
                                      "(timed out)",
                                      counts)
                : g_interrupted
                    ? base::trf(lang,
                                "batch \"{name}\": {ready} ready, {parts} parts, {failed} failed, "
                                "{working} still working, {never} never booted (interrupted)",
                                counts)
                    : base::trf(lang,
                                "batch \"{name}\": {ready} ready, {parts} parts, {failed} failed, "
                                "{working} still working, {never} never booted",
                                counts))
            << '\n';
  }
  ctx.status = ok ? 0 : 1;
}

} // namespace

void add_batch_commands(CLI::App& app, CliContext& ctx) {
  auto* batch = app.add_subcommand("batch", "unattended batch runs for technicians");
  batch->require_subcommand(1);
  auto opt = std::make_shared<BatchOptions>();
  auto* run = batch->add_subcommand(
      "run", "claim the next machines that boot (or listed MACs), follow them "
             "to the end, print a summary; exit 1 if any failed");
  run->add_option("PLAN", opt->plan, "batch plan (TOML, docs/BATCH.md)")->required();
  run->add_flag("--json", opt->json, "print the summary as JSON");
  run->add_option("--interval", opt->interval, "seconds between database polls")
      ->check(CLI::Range(0.1, 60.0));
  run->callback([&ctx, opt] { run_batch(ctx, *opt, base::system_clock()); });
}

} // namespace atelier::cli
