// `atelier watch`: all machines of the workshop, live, in a terminal (docs/CLI.md).
#include "cli/watch.h"

#include "base/clock.h"
#include "base/i18n.h"
#include "base/typography.h"
#include "cli/context.h"
#include "cli/table.h"
#include "papers/record_phrases.h"
#include "records/step_words.h"
#include "workshop/workshop_view.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace atelier::cli {
namespace {

struct WatchOptions {
  bool once = false;
  bool json = false;
  double interval = 2.0;
};

std::string job_status_name(const std::string& status, base::Language lang) {
  if (status == "failed") {
    return base::tr_ctx(lang, "job", "failed");
  }
  if (status == "abandoned") {
    return base::tr_ctx(lang, "job", "abandoned");
  }
  return status;
}

} // namespace

WatchCells watch_cells(const workshop::WorkshopRow& r, base::Language lang) {
  if (lang == base::Language::en) {
    return {r.stage, r.progress, r.verdict};
  }
  WatchCells c;
  if (!r.step.empty()) {
    c.stage = r.attempt > 1
                  ? base::trf(lang, "{step} (attempt {attempt})",
                              {{"step", records::step_words(r.step, lang)}, {"attempt", r.attempt}})
                  : records::step_words(r.step, lang);
    if (r.job_status != "issued" && r.job_status != "done") {
      c.stage += " " + job_status_name(r.job_status, lang);
    }
  }
  if (r.waiting_for_key) {
    c.progress = base::tr(lang, "WAITING FOR A KEY AT THE MACHINE (erase its disks?)");
  } else {
    std::vector<std::string> parts;
    if (r.percent) {
      parts.push_back(
          base::trf(lang, "{percent}%", {{"percent", base::format_decimal(*r.percent, 0, lang)}}));
    }
    if (r.bytes_per_second) {
      parts.push_back(
          base::trf(lang, "{rate} MB/s",
                    {{"rate", base::format_decimal(*r.bytes_per_second / 1e6, 0, lang)}}));
    }
    if (r.eta_seconds) {
      parts.push_back(base::trf(lang, "ETA {minutes}m{seconds}s",
                                {{"minutes", *r.eta_seconds / 60},
                                 {"seconds", fmt::format("{:02}", *r.eta_seconds % 60)}}));
    }
    for (const auto& part : parts) {
      c.progress += (c.progress.empty() ? "" : " ") + part;
    }
  }
  const std::string reason = papers::record_text(r.reason, lang);
  if (r.state == "ready") {
    c.verdict = base::tr_ctx(lang, "screen verdict", "READY");
  } else if (r.state == "failed") {
    c.verdict = base::trf(
        lang, "{verdict}: {reason}",
        {{"verdict", base::tr_ctx(lang, "screen verdict", "FAILED")}, {"reason", reason}});
  } else if (r.state == "parts") {
    c.verdict =
        base::trf(lang, "{verdict}: {reason}",
                  {{"verdict", base::tr_ctx(lang, "screen verdict", "PARTS")}, {"reason", reason}});
  }
  return c;
}

namespace {

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
    const WatchCells c = watch_cells(r, ctx.lang());
    table.add({r.tag, r.state, c.stage, c.progress, c.verdict, r.updated});
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
