// `atelier report` (counts for funders, with the program file's factors and their sources) and
// `atelier audit` (the audit log). Counting rules: hardware-db/report.h.
#include "hardware-db/report.h"

#include "base/i18n.h"
#include "cli/context.h"
#include "cli/table.h"

#include <cmath>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace atelier::cli {
namespace {

using nlohmann::json;

struct ReportOptions {
  std::string from, to;
  bool csv = false;
  bool json = false;
};

// What the factors give for the distributed units.
struct Impact {
  std::optional<double> kg; // empty: no kg factor configured
  int kg_units = 0;         // distributed units whose chassis has a factor
  double co2e_kg = 0;
};

Impact impact(const hwdb::Report& r, const profiles::ReportFactors& f) {
  Impact out;
  for (const auto& [chassis, count] : r.by_chassis) {
    for (const auto& [name, kg] : f.kg_per_unit) {
      if (name == chassis) {
        out.kg = out.kg.value_or(0) + kg * count;
        out.kg_units += count;
      }
    }
  }
  out.co2e_kg = f.co2e_kg_per_unit * r.distributed;
  return out;
}

std::string join_counts(const std::map<std::string, int>& counts) {
  std::vector<std::string> parts;
  for (const auto& [key, n] : counts) {
    parts.push_back(fmt::format("{} {}", key, n));
  }
  return parts.empty() ? "-" : fmt::format("{}", fmt::join(parts, ", "));
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) {
    return s;
  }
  std::string quoted = "\"";
  for (char c : s) {
    quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  }
  return quoted + "\"";
}

void report(CliContext& ctx, const ReportOptions& opt) {
  if (opt.csv && opt.json) {
    ctx.error(base::tr(ctx.lang(), "--csv and --json: choose one"));
    return;
  }
  const auto from = base::parse_date(opt.from);
  const auto to = base::parse_rfc3339(opt.to + "T23:59:59Z");
  if (!from || opt.from.size() != 10) {
    ctx.error(base::trf(ctx.lang(), "--from: '{date}' is not a date like 2026-01-01",
                        {{"date", opt.from}}));
    return;
  }
  if (!to || opt.to.size() != 10) {
    ctx.error(
        base::trf(ctx.lang(), "--to: '{date}' is not a date like 2026-03-31", {{"date", opt.to}}));
    return;
  }
  if (*to < *from) {
    ctx.error(base::tr(ctx.lang(), "--to is before --from"));
    return;
  }
  profiles::Program program;
  std::string factors_note;
  if (std::filesystem::exists(ctx.program)) {
    auto loaded = load_program_file(ctx);
    if (!loaded) {
      return;
    }
    program = std::move(*loaded);
  } else {
    factors_note = base::trf(ctx.lang(), "note: no program file at {file}: default factors",
                             {{"file", ctx.program}});
    ctx.err << "atelier: " << factors_note << '\n';
  }
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  auto r = hwdb::build_report(registry->store(), *from, *to);
  if (!r) {
    ctx.error(r.error());
    return;
  }
  const Impact im = impact(*r, program.report);
  const auto& f = program.report;
  const double avg = std::round(r->average_days_to_delivery.value_or(0) * 10) / 10;
  const bool has_avg = r->average_days_to_delivery.has_value();
  const std::string avg_text = has_avg ? fmt::format("{:.1f}", avg) : "";

  if (opt.json) {
    json erased = json::array();
    for (const auto& e : r->erased) {
      erased.push_back({{"level", e.level}, {"method", e.method}, {"disks", e.disks}});
    }
    json j{{"from", opt.from},
           {"to", opt.to},
           {"program", program.name},
           {"received", r->received},
           {"refurbished", r->refurbished},
           {"distributed",
            {{"total", r->distributed},
             {"by_program", r->by_program},
             {"by_district", r->by_district},
             {"by_profile", r->by_profile},
             {"by_chassis", r->by_chassis}}},
           {"returned", r->returned},
           {"parts", r->parts},
           {"recycled", r->recycled},
           {"average_days_intake_to_delivery", has_avg ? json(avg) : json(nullptr)},
           {"disks_erased", erased},
           {"kg_diverted", im.kg ? json(*im.kg) : json(nullptr)},
           {"kg_units_counted", im.kg_units},
           {"kg_source", f.kg_source},
           {"co2e_kg_avoided", std::round(im.co2e_kg)},
           {"co2e_kg_per_unit", f.co2e_kg_per_unit},
           {"co2e_source", f.co2e_source},
           {"units_at_end", {{"total", r->units_at_end}, {"by_state", r->state_at_end}}}};
    ctx.out << j.dump(2) << '\n';
    return;
  }
  if (opt.csv) {
    // One fact per row: section, key, value. Spreadsheet-friendly and stable.
    const auto row = [&](std::string_view section, const std::string& key, const std::string& v) {
      ctx.out << csv_field(std::string(section)) << ',' << csv_field(key) << ',' << csv_field(v)
              << '\n';
    };
    row("section", "key", "value");
    row("period", "from", opt.from);
    row("period", "to", opt.to);
    row("units", "received", std::to_string(r->received));
    row("units", "refurbished", std::to_string(r->refurbished));
    row("units", "distributed", std::to_string(r->distributed));
    row("units", "returned", std::to_string(r->returned));
    row("units", "parts", std::to_string(r->parts));
    row("units", "recycled", std::to_string(r->recycled));
    for (const auto& [k, n] : r->by_program)
      row("distributed_by_program", k, std::to_string(n));
    for (const auto& [k, n] : r->by_district)
      row("distributed_by_district", k, std::to_string(n));
    for (const auto& [k, n] : r->by_profile)
      row("distributed_by_profile", k, std::to_string(n));
    row("delivery", "average_days_intake_to_delivery", avg_text);
    for (const auto& e : r->erased) {
      row("disks_erased", e.level + " " + e.method, std::to_string(e.disks));
    }
    row("impact", "kg_diverted", im.kg ? fmt::format("{:.1f}", *im.kg) : "");
    row("impact", "kg_source", f.kg_source);
    row("impact", "co2e_kg_avoided", fmt::format("{:.0f}", im.co2e_kg));
    row("impact", "co2e_source", f.co2e_source);
    for (const auto& [k, n] : r->state_at_end)
      row("units_at_end", k, std::to_string(n));
    row("units_at_end", "total", std::to_string(r->units_at_end));
    return;
  }
  const auto line = [&](std::string_view label, const std::string& value) {
    ctx.out << fmt::format("{:<34}{}\n", label, value);
  };
  ctx.out << fmt::format("{}report {} to {}\n\n", program.name.empty() ? "" : program.name + " ",
                         opt.from, opt.to);
  line("Units received", std::to_string(r->received));
  line("Refurbished (became ready)", std::to_string(r->refurbished));
  line("Distributed", std::to_string(r->distributed));
  line("  by program", join_counts(r->by_program));
  line("  by district", join_counts(r->by_district));
  line("  by profile", join_counts(r->by_profile));
  line("Returned", std::to_string(r->returned));
  line("Sent to parts", std::to_string(r->parts));
  line("Sent to recycling", std::to_string(r->recycled));
  line("Average days, intake to delivery", has_avg ? avg_text : "-");
  std::vector<std::string> erased;
  for (const auto& e : r->erased) {
    erased.push_back(fmt::format("{} {} {}", e.level, e.method, e.disks));
  }
  line("Disks erased (level method count)",
       erased.empty() ? "-" : fmt::format("{}", fmt::join(erased, ", ")));
  if (im.kg) {
    line("Equipment diverted",
         fmt::format("{:.1f} kg ({} of {} distributed units weighed by chassis; {})", *im.kg,
                     im.kg_units, r->distributed,
                     f.kg_source.empty() ? "source not given" : f.kg_source));
  } else {
    line("Equipment diverted", "not computed: set [report] kg_per_unit in the program file");
  }
  line("CO2e avoided", fmt::format("about {:.0f} kg ({} distributed x {} kg; {})", im.co2e_kg,
                                   r->distributed, f.co2e_kg_per_unit, f.co2e_source));
  line("Units at end of period",
       fmt::format("{} ({})", r->units_at_end, join_counts(r->state_at_end)));
}

void audit(CliContext& ctx, const std::string& subject, std::size_t limit, bool as_json) {
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  auto entries = registry->audit_log(subject, limit);
  if (!entries) {
    ctx.error(entries.error());
    return;
  }
  if (as_json) {
    json out = json::array();
    for (const auto& e : *entries) {
      out.push_back({{"at", base::format_rfc3339(e.at)},
                     {"actor", e.actor},
                     {"role", e.role},
                     {"action", e.action},
                     {"subject", e.subject},
                     {"detail", e.detail}});
    }
    ctx.out << out.dump(2) << '\n';
    return;
  }
  Table table(
      {base::tr_ctx(ctx.lang(), "column", "TIME"), base::tr_ctx(ctx.lang(), "column", "ACTOR"),
       base::tr_ctx(ctx.lang(), "column", "ROLE"), base::tr_ctx(ctx.lang(), "column", "ACTION"),
       base::tr_ctx(ctx.lang(), "column", "SUBJECT"),
       base::tr_ctx(ctx.lang(), "column", "DETAIL")});
  for (const auto& e : *entries) {
    table.add({base::format_rfc3339(e.at), e.actor, e.role, e.action, e.subject, e.detail});
  }
  table.print(ctx.out);
}

} // namespace

void add_report_commands(CLI::App& app, CliContext& ctx) {
  auto opt = std::make_shared<ReportOptions>();
  auto* rep = app.add_subcommand("report", "what the program did in a period, for funders");
  rep->add_option("--from", opt->from, "first day, YYYY-MM-DD")->required();
  rep->add_option("--to", opt->to, "last day, YYYY-MM-DD (included)")->required();
  rep->add_flag("--csv", opt->csv, "print CSV (section,key,value)");
  rep->add_flag("--json", opt->json, "print JSON");
  rep->callback([&ctx, opt] { report(ctx, *opt); });

  auto subject = std::make_shared<std::string>();
  auto limit = std::make_shared<std::size_t>(0);
  auto as_json = std::make_shared<bool>(false);
  auto* au = app.add_subcommand("audit", "the audit log: who changed or read what, oldest first");
  au->add_option("--subject", *subject, "only about this subject (household#12, unit AT-0001-7)");
  au->add_option("--limit", *limit, "only the newest N entries");
  au->add_flag("--json", *as_json, "print JSON");
  au->callback([&ctx, subject, limit, as_json] { audit(ctx, *subject, *limit, *as_json); });
}

} // namespace atelier::cli
