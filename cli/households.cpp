// `atelier households ...`: the households a program serves (personal data;
// docs/COORDINATOR-GUIDE.md). Every command goes through the Registry, which writes the audit entry
// (reads included).
#include "base/i18n.h"
#include "cli/cli.h"
#include "cli/context.h"
#include "cli/table.h"

#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace atelier::cli {
namespace {

using base::tr;
using base::trf;
using nlohmann::json;

std::string opt_ts(const std::optional<hwdb::Timestamp>& t) {
  return t ? base::format_rfc3339(*t) : "";
}

json to_json(const hwdb::Household& h) {
  return json{{"reference", h.reference},
              {"contact", h.contact},
              {"eligibility", h.eligibility_basis},
              {"device", h.device},
              {"uses", h.uses},
              {"needs", h.needs},
              {"district", h.district},
              {"notes", h.notes},
              {"created_at", base::format_rfc3339(h.created_at)},
              {"updated_at", h.updated_at ? json(opt_ts(h.updated_at)) : json(nullptr)}};
}

json to_json(const hwdb::Assignment& a, const std::string& tag) {
  const auto ts_or_null = [](const std::optional<hwdb::Timestamp>& t) {
    return t ? json(base::format_rfc3339(*t)) : json(nullptr);
  };
  return json{{"unit", tag},
              {"assigned_at", base::format_rfc3339(a.assigned_at)},
              {"delivered_at", ts_or_null(a.delivered_at)},
              {"price_cents", a.price_cents ? json(*a.price_cents) : json(nullptr)},
              {"warranty_end", ts_or_null(a.warranty_end)},
              {"returned_at", ts_or_null(a.returned_at)},
              {"return_reason", a.return_reason},
              {"district", a.district},
              {"program", a.program}};
}

json to_json(const hwdb::AuditEntry& e) {
  return json{{"at", base::format_rfc3339(e.at)},
              {"actor", e.actor},
              {"role", e.role},
              {"action", e.action},
              {"subject", e.subject},
              {"detail", e.detail}};
}

// The options shared by add and edit. Edit changes only the fields whose option was given
// (an option given as "" clears its field).
struct FieldOptions {
  std::string reference, contact, eligibility, device, needs, district, notes;
  std::vector<std::string> uses;
  bool json = false;
  const CLI::App* cmd = nullptr;

  hwdb::HouseholdChanges changes() const {
    const auto present = [&](const char* name) {
      const CLI::Option* o = cmd->get_option_no_throw(name);
      return o != nullptr && o->count() > 0;
    };
    const auto given = [&](const char* name, const std::string& value) {
      return present(name) ? std::optional(value) : std::nullopt;
    };
    hwdb::HouseholdChanges c;
    // add sets `reference` from its positional argument; edit from --reference.
    c.reference =
        !reference.empty() || present("--reference") ? std::optional(reference) : std::nullopt;
    c.contact = given("--contact", contact);
    c.eligibility_basis = given("--eligibility", eligibility);
    c.device = given("--device", device);
    c.needs = given("--needs", needs);
    c.district = given("--district", district);
    c.notes = given("--notes", notes);
    if (present("--use")) {
      c.uses = uses;
    }
    return c;
  }
};

void add_field_options(CLI::App* cmd, FieldOptions& o) {
  o.cmd = cmd;
  cmd->add_option("--contact", o.contact, "how to reach the household (phone, e-mail, via whom)");
  cmd->add_option("--eligibility", o.eligibility,
                  "the eligibility basis (e.g. \"RSA\", \"student grant\")");
  cmd->add_option("--device", o.device, "desktop, laptop or any");
  cmd->add_option("--use", o.uses, "school, job-search, family (repeat, or separate with commas)")
      ->delimiter(',');
  cmd->add_option("--needs", o.needs, "anything else needed (free text)");
  cmd->add_option("--district", o.district, "district, kept for reports after deletion");
  cmd->add_option("--notes", o.notes, "notes");
  cmd->add_flag("--json", o.json, "print JSON");
}

// The labels are words (translated); the values are what the coordinator typed, and the device and
// uses are the command line's own words (`laptop`, `school`).
void print_household(CliContext& ctx, const hwdb::Household& h) {
  const base::Language l = ctx.lang();
  Fields fields(13);
  const auto row = [&](std::string label, std::string value) {
    fields.add(std::move(label), std::move(value));
  };
  row(tr(l, "Reference"), h.reference);
  row(tr(l, "Contact"), h.contact);
  row(tr(l, "Eligibility"), h.eligibility_basis);
  row(tr(l, "Device"), h.device);
  row(tr(l, "Uses"), fmt::format("{}", fmt::join(h.uses, ", ")));
  row(tr(l, "Needs"), h.needs);
  row(tr(l, "District"), h.district);
  row(tr(l, "Notes"), h.notes);
  row(tr(l, "Recorded"), base::format_rfc3339(h.created_at));
  row(tr(l, "Edited"), opt_ts(h.updated_at));
  fields.print(ctx.out);
}

void add(CliContext& ctx, const std::string& reference, FieldOptions opt) {
  opt.reference = reference;
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  auto h = registry->add_household(opt.changes(), ctx.who());
  if (!h) {
    ctx.error(h.error());
    return;
  }
  if (opt.json) {
    ctx.out << to_json(*h).dump(2) << '\n';
    return;
  }
  ctx.out << trf(ctx.lang(), "household {reference} recorded", {{"reference", h->reference}})
          << '\n';
}

void edit(CliContext& ctx, const std::string& reference, const FieldOptions& opt) {
  const hwdb::HouseholdChanges changes = opt.changes();
  if (changes.empty()) {
    ctx.err << "atelier: "
            << trf(ctx.lang(),
                   "nothing to change: give at least one of --reference, --contact, "
                   "--eligibility, --device, --use, --needs, --district, --notes (`atelier "
                   "households show {reference}` shows the household)",
                   {{"reference", reference}})
            << '\n';
    ctx.status = k_exit_usage;
    return;
  }
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  auto h = registry->edit_household(reference, changes, ctx.who());
  if (!h) {
    ctx.error(h.error());
    return;
  }
  if (opt.json) {
    ctx.out << to_json(*h).dump(2) << '\n';
    return;
  }
  print_household(ctx, *h);
}

void list(CliContext& ctx, bool as_json) {
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  auto all = registry->households(ctx.who());
  if (!all) {
    ctx.error(all.error());
    return;
  }
  if (as_json) {
    json out = json::array();
    for (const auto& h : *all) {
      out.push_back(to_json(h));
    }
    ctx.out << out.dump(2) << '\n';
    return;
  }
  if (all->empty()) {
    ctx.out << tr(ctx.lang(), "no households") << '\n';
    return;
  }
  Table table({base::tr_ctx(ctx.lang(), "column", "REFERENCE"),
               base::tr_ctx(ctx.lang(), "column", "DEVICE"),
               base::tr_ctx(ctx.lang(), "column", "USES"),
               base::tr_ctx(ctx.lang(), "column", "DISTRICT"),
               base::tr_ctx(ctx.lang(), "column", "RECORDED")});
  for (const auto& h : *all) {
    table.add({h.reference, h.device, fmt::format("{}", fmt::join(h.uses, ",")), h.district,
               base::format_date(h.created_at)});
  }
  table.print(ctx.out);
}

void show(CliContext& ctx, const std::string& reference, bool as_json) {
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  auto h = registry->household(reference, ctx.who());
  if (!h) {
    ctx.error(h.error());
    return;
  }
  auto assignments = registry->store().household_assignments(h->id);
  if (!assignments) {
    ctx.error(assignments.error());
    return;
  }
  std::vector<std::pair<hwdb::Assignment, std::string>> with_tags;
  for (const auto& a : *assignments) {
    auto unit = registry->store().unit_by_id(a.unit_id);
    with_tags.emplace_back(a, unit && *unit ? (*unit)->tag.str() : "");
  }
  if (as_json) {
    json j = to_json(*h);
    j["assignments"] = json::array();
    for (const auto& [a, tag] : with_tags) {
      j["assignments"].push_back(to_json(a, tag));
    }
    ctx.out << j.dump(2) << '\n';
    return;
  }
  print_household(ctx, *h);
  const base::Language l = ctx.lang();
  for (const auto& [a, tag] : with_tags) {
    std::string what = trf(l, "assigned {date}", {{"date", base::format_date(a.assigned_at)}});
    if (a.delivered_at) {
      what += trf(l, ", delivered {date}", {{"date", base::format_date(*a.delivered_at)}});
    }
    if (a.returned_at) {
      what += trf(l, ", returned {date}", {{"date", base::format_date(*a.returned_at)}});
    }
    ctx.out << fmt::format("{:<13}{} ({})\n", tr(l, "Unit"), tag, what);
  }
}

void export_household(CliContext& ctx, const std::string& reference, const std::string& output) {
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  auto record = registry->export_household(reference, ctx.who());
  if (!record) {
    ctx.error(record.error());
    return;
  }
  json j{{"format", "atelier.household-export/1"},
         {"exported_at", base::format_rfc3339(record->audit.empty() ? record->household.created_at
                                                                    : record->audit.back().at)},
         {"household", to_json(record->household)},
         {"assignments", json::array()},
         {"audit_log", json::array()}};
  for (const auto& [a, tag] : record->assignments) {
    j["assignments"].push_back(to_json(a, tag));
  }
  for (const auto& e : record->audit) {
    j["audit_log"].push_back(to_json(e));
  }
  if (output.empty() || output == "-") {
    ctx.out << j.dump(2) << '\n';
    return;
  }
  std::ofstream file(output, std::ios::trunc);
  file << j.dump(2) << '\n';
  if (!file.flush()) {
    ctx.error(trf(ctx.lang(), "{file}: cannot write the export", {{"file", output}}));
    return;
  }
  ctx.out << trf(ctx.lang(), "everything held about household {reference} written to {file}",
                 {{"reference", reference}, {"file", output}})
          << '\n';
}

void remove(CliContext& ctx, const std::string& reference, const std::string& reason, bool yes) {
  if (!yes) {
    ctx.error(trf(ctx.lang(),
                  "this deletes the personal data of household {reference} for good (its "
                  "deliveries stay, anonymous); run again with --yes",
                  {{"reference", reference}}));
    return;
  }
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  auto id = registry->delete_household(reference, reason, ctx.who());
  if (!id) {
    ctx.error(id.error());
    return;
  }
  ctx.out << trf(ctx.lang(),
                 "household {reference} deleted; its deliveries are kept without personal data "
                 "(audit log: {subject})",
                 {{"reference", reference}, {"subject", hwdb::household_subject(*id)}})
          << '\n';
}

void purge_expired(CliContext& ctx) {
  auto program = load_program_file(ctx);
  if (!program) {
    return;
  }
  if (!program->households.retention_days) {
    ctx.error(trf(ctx.lang(),
                  "{file}: no [households] retention_days; set the program's retention period "
                  "before purging",
                  {{"file", ctx.program}}));
    return;
  }
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  auto deleted = registry->purge_expired(*program->households.retention_days, ctx.who());
  if (!deleted) {
    ctx.error(deleted.error());
    return;
  }
  ctx.out << base::tr_n(ctx.lang(),
                        "{count} household past the retention period of {days} days deleted",
                        "{count} households past the retention period of {days} days deleted",
                        deleted->size(),
                        {{"count", deleted->size()}, {"days", *program->households.retention_days}})
          << '\n';
}

} // namespace

void add_households_commands(CLI::App& app, CliContext& ctx) {
  auto* hh = app.add_subcommand("households", "the households a program serves (personal data)");
  hh->require_subcommand(1);

  auto add_ref = std::make_shared<std::string>();
  auto add_opt = std::make_shared<FieldOptions>();
  auto* add_cmd = hh->add_subcommand("add", "record a household (only the reference is required)");
  add_cmd->add_option("REFERENCE", *add_ref, "the referring social worker's reference")->required();
  add_field_options(add_cmd, *add_opt);
  add_cmd->callback([&ctx, add_ref, add_opt] { add(ctx, *add_ref, *add_opt); });

  auto list_json = std::make_shared<bool>(false);
  auto* list_cmd = hh->add_subcommand("list", "list households");
  list_cmd->add_flag("--json", *list_json, "print JSON");
  list_cmd->callback([&ctx, list_json] { list(ctx, *list_json); });

  auto show_ref = std::make_shared<std::string>();
  auto show_json = std::make_shared<bool>(false);
  auto* show_cmd = hh->add_subcommand("show", "one household and its units");
  show_cmd->add_option("REFERENCE", *show_ref, "reference")->required();
  show_cmd->add_flag("--json", *show_json, "print JSON");
  show_cmd->callback([&ctx, show_ref, show_json] { show(ctx, *show_ref, *show_json); });

  auto edit_ref = std::make_shared<std::string>();
  auto edit_opt = std::make_shared<FieldOptions>();
  auto* edit_cmd = hh->add_subcommand("edit", "change fields (only those given)");
  edit_cmd->add_option("REFERENCE", *edit_ref, "reference")->required();
  edit_cmd->add_option("--reference", edit_opt->reference, "a new reference");
  add_field_options(edit_cmd, *edit_opt);
  edit_cmd->callback([&ctx, edit_ref, edit_opt] { edit(ctx, *edit_ref, *edit_opt); });

  auto exp_ref = std::make_shared<std::string>();
  auto exp_out = std::make_shared<std::string>();
  auto* exp_cmd =
      hh->add_subcommand("export", "everything held about a household, as JSON (GDPR access)");
  exp_cmd->add_option("REFERENCE", *exp_ref, "reference")->required();
  exp_cmd->add_option("--output,-o", *exp_out, "write to this file instead of standard output");
  exp_cmd->callback([&ctx, exp_ref, exp_out] { export_household(ctx, *exp_ref, *exp_out); });

  auto del_ref = std::make_shared<std::string>();
  auto del_reason = std::make_shared<std::string>();
  auto del_yes = std::make_shared<bool>(false);
  auto* del_cmd = hh->add_subcommand(
      "delete", "delete a household's personal data (GDPR erasure); deliveries stay, anonymous");
  del_cmd->add_option("REFERENCE", *del_ref, "reference")->required();
  del_cmd->add_option("--reason", *del_reason,
                      "why, for the audit log (e.g. \"request of 2026-03-02\"); no personal data");
  del_cmd->add_flag("--yes", *del_yes, "confirm");
  del_cmd->callback(
      [&ctx, del_ref, del_reason, del_yes] { remove(ctx, *del_ref, *del_reason, *del_yes); });

  auto* purge_cmd = hh->add_subcommand(
      "purge-expired", "delete households past the program file's retention period");
  purge_cmd->callback([&ctx] { purge_expired(ctx); });
}

} // namespace atelier::cli
