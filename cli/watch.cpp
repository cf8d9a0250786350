// `atelier watch`: all machines of the workshop, live, in a terminal (docs/CLI.md).
#include "base/clock.h"
#include "base/i18n.h"
#include "cli/context.h"
#include "cli/table.h"
#include "workshop/workshop_view.h"

#include <chrono>
#include <memory>

namespace atelier::cli {
namespace {

struct WatchOptions {
  bool once = false;
  bool json = false;
  double interval = 2.0;
};

bool print_once(CliContext& ctx, hwdb::Registry& registry, const WatchOptions& opt, bool clear) {
  auto units = registry.store().list_units({});
  auto jobs = registry.store().latest_jobs();
  if (!units || !jobs) {
    ctx.error(!units ? units.error() : jobs.error());
    return false;
  }
  std::vector<std::pair<hwdb::RowId, std::string>> reasons;
  for (const auto& u : *units) {
    if (u.state == hwdb::UnitState::failed || u.state == hwdb::UnitState::parts) {
      if (auto events = registry.store().events(u.id); events && !events->empty()) {
        reasons.emplace_back(u.id, events->back().reason);
      }
    }
  }
  const auto rows = workshop::workshop_rows(*units, *jobs, reasons);
  if (opt.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : rows) {
      out.push_back(to_json(r));
    }
    ctx.out << out.dump(2) << '\n';
    return true;
  }
  if (clear) {
    ctx.out << "\033[2J\033[H";
  }
  Table table(
      {base::tr_ctx(ctx.lang(), "column", "TAG"), base::tr_ctx(ctx.lang(), "column", "STATE"),
       base::tr_ctx(ctx.lang(), "column", "STEP"), base::tr_ctx(ctx.lang(), "column", "PROGRESS"),
       base::tr_ctx(ctx.lang(), "column", "VERDICT"),
       base::tr_ctx(ctx.lang(), "column", "UPDATED")});
  int working = 0;
  int ready = 0;
  int failed = 0;
  for (const auto& r : rows) {
    table.add({r.tag, r.state, r.stage, r.progress, r.verdict, r.updated});
    working += r.verdict.empty() ? 1 : 0;
    ready += r.state == "ready" ? 1 : 0;
    failed += r.state == "failed" ? 1 : 0;
  }
  if (table.empty()) {
    ctx.out << base::tr(ctx.lang(),
                        "no machine in the workshop yet: PXE-boot one on the workshop network")
            << '\n';
  } else {
    table.print(ctx.out);
    ctx.out << base::trf(ctx.lang(), "{working} working, {ready} ready, {failed} failed",
                         {{"working", working}, {"ready", ready}, {"failed", failed}})
            << '\n';
  }
  ctx.out.flush();
  return true;
}

} // namespace

void add_watch_command(CLI::App& app, CliContext& ctx) {
  auto opt = std::make_shared<WatchOptions>();
  auto* watch = app.add_subcommand("watch", "all machines in the workshop, live: tag, step, "
                                            "progress, verdict (Ctrl-C to quit)");
  watch->add_flag("--once", opt->once, "print the table once and exit");
  watch->add_flag("--json", opt->json, "print JSON once and exit");
  watch->add_option("--interval", opt->interval, "seconds between refreshes")
      ->check(CLI::Range(0.2, 60.0));
  watch->callback([&ctx, opt] {
    auto registry = open_registry(ctx);
    if (!registry) {
      return;
    }
    const bool live = !opt->once && !opt->json;
    while (print_once(ctx, *registry, *opt, live) && live) {
      base::system_clock().sleep_for(std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::duration<double>(opt->interval)));
    }
  });
}

} // namespace atelier::cli
