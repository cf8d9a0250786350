// `atelier suggest|assign|unassign|deliver|return` (a ready unit to a household and back) and
// `atelier intake ...` (donation batches). Rules and audit entries live in the Registry
// (hardware-db/registry_handover.cpp); this file parses, prints and reads the program file.
#include "base/i18n.h"
#include "base/typography.h"
#include "cli/context.h"
#include "cli/table.h"

#include <charconv>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace atelier::cli {
namespace {

using base::tr;
using base::tr_ctx;
using base::trf;
using nlohmann::json;

std::string day(hwdb::Timestamp t) {
  return base::format_date(t);
}

// "60", "59.9", "59.90" or "59,90" euros to cents; nullopt for anything else.
std::optional<std::int64_t> parse_price(std::string_view text) {
  const auto sep = text.find_first_of(".,");
  const std::string_view whole = text.substr(0, sep);
  std::string_view frac = sep == std::string_view::npos ? "" : text.substr(sep + 1);
  if (whole.empty() || frac.size() > 2) {
    return std::nullopt;
  }
  std::int64_t euros = 0;
  auto [p, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), euros);
  if (ec != std::errc{} || p != whole.data() + whole.size() || euros < 0 || euros > 1'000'000) {
    return std::nullopt;
  }
  std::int64_t cents = 0;
  for (std::size_t i = 0; i < 2; ++i) {
    const char c = i < frac.size() ? frac[i] : '0';
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    cents = cents * 10 + (c - '0');
  }
  return euros * 100 + cents;
}

// A YYYY-MM-DD day as a time: today is now; another day is its noon (UTC).
std::optional<hwdb::Timestamp> parse_day(const std::string& text, hwdb::Timestamp now) {
  auto midnight = base::parse_date(text);
  if (!midnight || text.size() != 10) {
    return std::nullopt;
  }
  if (day(now) == text) {
    return now;
  }
  return *midnight + std::chrono::hours{12};
}

void suggest(CliContext& ctx, const std::string& reference, std::size_t limit, bool as_json) {
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  auto found = registry->suggest(reference, ctx.who());
  if (!found) {
    ctx.error(found.error());
    return;
  }
  if (limit > 0 && found->size() > limit) {
    found->resize(limit);
  }
  if (as_json) {
    json out = json::array();
    for (const auto& s : *found) {
      out.push_back({{"tag", s.unit.tag.str()},
                     {"chassis", hwdb::to_string(s.unit.chassis)},
                     {"vendor", s.unit.identity.vendor},
                     {"model", s.unit.identity.model},
                     {"score", s.score},
                     {"reason", s.reason}});
    }
    ctx.out << out.dump(2) << '\n';
    return;
  }
  if (found->empty()) {
    ctx.out << tr(ctx.lang(), "no ready unit fits this household's needs now") << '\n';
    return;
  }
  Table table(
      {base::tr_ctx(ctx.lang(), "column", "TAG"), base::tr_ctx(ctx.lang(), "column", "VENDOR"),
       base::tr_ctx(ctx.lang(), "column", "MODEL"), base::tr_ctx(ctx.lang(), "column", "WHY")});
  for (const auto& s : *found) {
    table.add({s.unit.tag.str(), s.unit.identity.vendor, s.unit.identity.model, s.reason});
  }
  table.print(ctx.out);
}

void assign(CliContext& ctx, const std::string& tag, const std::string& reference) {
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  auto a = registry->assign(tag, reference, ctx.who());
  if (!a) {
    ctx.error(a.error());
    return;
  }
  ctx.out << trf(ctx.lang(),
                 "{tag} assigned to household {household}; record the handover with: atelier "
                 "deliver {tag} --price EUR",
                 {{"tag", tag}, {"household", reference}})
          << '\n';
}

void unassign(CliContext& ctx, const std::string& tag, const std::string& reason) {
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  auto u = registry->unassign(tag, reason, ctx.who());
  if (!u) {
    ctx.error(u.error());
    return;
  }
  ctx.out << trf(ctx.lang(), "{tag} is ready again (assignment cancelled)", {{"tag", u->tag.str()}})
          << '\n';
}

struct DeliverOptions {
  std::string price;
  std::string date;
  bool json = false;
};

void deliver(CliContext& ctx, const std::string& tag, const DeliverOptions& opt) {
  const auto cents = parse_price(opt.price);
  if (!cents) {
    ctx.error(trf(ctx.lang(), "--price: '{price}' is not an amount in euros like 60 or 59.90",
                  {{"price", opt.price}}));
    return;
  }
  const base::SystemClock clock;
  hwdb::DeliveryTerms terms;
  terms.price_cents = *cents;
  if (!opt.date.empty()) {
    terms.date = parse_day(opt.date, clock.wall_seconds());
    if (!terms.date) {
      ctx.error(
          trf(ctx.lang(), "--date: '{date}' is not a date like 2026-03-02", {{"date", opt.date}}));
      return;
    }
  }
  auto program = load_program_file(ctx);
  if (!program) {
    return;
  }
  terms.warranty_months = program->handover.warranty_months;
  terms.price_min_cents = program->handover.price_min_cents;
  terms.price_max_cents = program->handover.price_max_cents;
  terms.program = program->name;
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  auto a = registry->deliver(tag, terms, ctx.who());
  if (!a) {
    ctx.error(a.error());
    return;
  }
  if (opt.json) {
    ctx.out << json{{"tag", tag},
                    {"delivered_at", base::format_rfc3339(*a->delivered_at)},
                    {"price_cents", *a->price_cents},
                    {"warranty_end", a->warranty_end ? json(base::format_rfc3339(*a->warranty_end))
                                                     : json(nullptr)},
                    {"program", a->program}}
                   .dump(2)
            << '\n';
    return;
  }
  const base::Language l = ctx.lang();
  const std::string price =
      base::format_decimal(static_cast<double>(*a->price_cents) / 100.0, 2, l);
  ctx.out << (a->warranty_end
                  ? trf(l, "{tag} delivered on {date} for {price} EUR; warranty until {end}",
                        {{"tag", tag},
                         {"date", day(*a->delivered_at)},
                         {"price", price},
                         {"end", day(*a->warranty_end)}})
                  : trf(l,
                        "{tag} delivered on {date} for {price} EUR; no warranty (the program file "
                        "sets none)",
                        {{"tag", tag}, {"date", day(*a->delivered_at)}, {"price", price}}))
          << '\n';
}

void return_unit(CliContext& ctx, const std::string& tag, const std::string& reason,
                 const std::string& to, bool disks_removed) {
  hwdb::ReturnTo where = hwdb::ReturnTo::pipeline;
  if (to == "parts") {
    where = hwdb::ReturnTo::parts;
  } else if (to != "pipeline") {
    ctx.error(trf(ctx.lang(), "--to: '{to}' is not 'pipeline' or 'parts'", {{"to", to}}));
    return;
  }
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  auto u =
      registry->return_unit(tag, reason, where, ctx.who(),
                            disks_removed ? hwdb::Disposal::disks_removed : hwdb::Disposal::erased);
  if (!u) {
    ctx.error(u.error());
    return;
  }
  ctx.out << (where == hwdb::ReturnTo::parts
                  ? trf(ctx.lang(), "{tag} returned and sent to parts", {{"tag", u->tag.str()}})
                  : trf(ctx.lang(),
                        "{tag} returned; it is 'detected' again: boot it on the workshop network "
                        "to wipe and image it before it is ready",
                        {{"tag", u->tag.str()}}))
          << '\n';
}

// ---- intake

json to_json(const hwdb::Donation& d) {
  return json{
      {"id", d.id},
      {"donor", d.donor},
      {"date", d.received_on},
      {"expected", d.expected_count ? json(*d.expected_count) : json(nullptr)},
      {"notes", d.notes},
      {"opened_at", base::format_rfc3339(d.opened_at)},
      {"closed_at", d.closed_at ? json(base::format_rfc3339(*d.closed_at)) : json(nullptr)}};
}

struct OpenOptions {
  std::string donor, date, notes;
  int expected = -1;
};

void intake_open(CliContext& ctx, const OpenOptions& opt) {
  const base::SystemClock clock;
  hwdb::Donation d;
  d.donor = opt.donor;
  d.received_on = opt.date.empty() ? day(clock.wall_seconds()) : opt.date;
  if (opt.expected >= 0) {
    d.expected_count = opt.expected;
  }
  d.notes = opt.notes;
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  auto opened = registry->open_donation(d, ctx.who());
  if (!opened) {
    ctx.error(opened.error());
    return;
  }
  ctx.out << trf(ctx.lang(),
                 "donation #{id} from {donor} open: machines that boot or are added now are "
                 "linked to it; close it with: atelier intake close {id}",
                 {{"id", opened->id}, {"donor", opened->donor}})
          << '\n';
}

void intake_close(CliContext& ctx, hwdb::RowId id) {
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  auto closed = registry->close_donation(id, ctx.who());
  if (!closed) {
    ctx.error(closed.error());
    return;
  }
  auto units = registry->store().donation_units(id);
  const std::size_t count = units ? units->size() : 0;
  ctx.out << (closed->expected_count
                  ? base::tr_n(
                        ctx.lang(), "donation #{id} closed with {count} unit (expected {expected})",
                        "donation #{id} closed with {count} units (expected {expected})", count,
                        {{"id", id}, {"count", count}, {"expected", *closed->expected_count}})
                  : base::tr_n(ctx.lang(), "donation #{id} closed with {count} unit",
                               "donation #{id} closed with {count} units", count,
                               {{"id", id}, {"count", count}}))
          << '\n';
}

void intake_list(CliContext& ctx, bool as_json) {
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  auto all = registry->store().list_donations();
  if (!all) {
    ctx.error(all.error());
    return;
  }
  json out = json::array();
  Table table(
      {base::tr_ctx(ctx.lang(), "column", "ID"), base::tr_ctx(ctx.lang(), "column", "DONOR"),
       base::tr_ctx(ctx.lang(), "column", "DATE"), base::tr_ctx(ctx.lang(), "column", "EXPECTED"),
       base::tr_ctx(ctx.lang(), "column", "UNITS"), base::tr_ctx(ctx.lang(), "column", "STATUS")});
  for (const auto& d : *all) {
    auto units = registry->store().donation_units(d.id);
    const std::size_t n = units ? units->size() : 0;
    json j = to_json(d);
    j["units"] = n;
    out.push_back(j);
    table.add({std::to_string(d.id), d.donor, d.received_on,
               d.expected_count ? std::to_string(*d.expected_count) : "", std::to_string(n),
               d.closed_at ? tr_ctx(ctx.lang(), "donation", "closed")
                           : tr_ctx(ctx.lang(), "donation", "open")});
  }
  if (as_json) {
    ctx.out << out.dump(2) << '\n';
  } else if (all->empty()) {
    ctx.out << tr(ctx.lang(), "no donations recorded") << '\n';
  } else {
    table.print(ctx.out);
  }
}

void print_import(CliContext& ctx, const hwdb::DonationImport& r) {
  const base::Language l = ctx.lang();
  ctx.out << (r.matched_tags.empty()
                  ? base::tr_n(l, "{count} serial on the list, {matched} matched to units",
                               "{count} serials on the list, {matched} matched to units",
                               static_cast<std::uint64_t>(r.listed),
                               {{"count", r.listed}, {"matched", r.matched_tags.size()}})
                  : base::tr_n(l, "{count} serial on the list, {matched} matched to units: {tags}",
                               "{count} serials on the list, {matched} matched to units: {tags}",
                               static_cast<std::uint64_t>(r.listed),
                               {{"count", r.listed},
                                {"matched", r.matched_tags.size()},
                                {"tags", fmt::format("{}", fmt::join(r.matched_tags, ", "))}}))
          << '\n';
  if (!r.unmatched.empty()) {
    ctx.out << trf(l, "not seen yet: {serials}",
                   {{"serials", fmt::format("{}", fmt::join(r.unmatched, ", "))}})
            << '\n';
  }
}

void intake_show(CliContext& ctx, hwdb::RowId id, bool as_json) {
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  auto d = registry->store().donation_by_id(id);
  if (!d || !*d) {
    ctx.error(d ? trf(ctx.lang(), "no donation #{id} (atelier intake list)", {{"id", id}})
                : error_text(ctx.lang(), d.error()));
    return;
  }
  auto matched = registry->match_donation_assets(id); // units inventoried since the import
  auto links = registry->store().donation_units(id);
  if (!matched || !links) {
    ctx.error(!matched ? matched.error() : links.error());
    return;
  }
  std::vector<std::pair<std::string, std::string>> units; // tag, how
  for (const auto& l : *links) {
    auto u = registry->store().unit_by_id(l.unit_id);
    units.emplace_back(u && *u ? (*u)->tag.str() : "?", l.how);
  }
  if (as_json) {
    json j = to_json(**d);
    j["units"] = json::array();
    for (const auto& [tag, how] : units) {
      j["units"].push_back({{"tag", tag}, {"linked_by", how}});
    }
    j["listed_serials"] = matched->listed;
    j["unmatched_serials"] = matched->unmatched;
    ctx.out << j.dump(2) << '\n';
    return;
  }
  const base::Language l = ctx.lang();
  ctx.out << trf(l, "Donation #{id} from {donor}, received {date}",
                 {{"id", (*d)->id}, {"donor", (*d)->donor}, {"date", (*d)->received_on}});
  if ((*d)->expected_count) {
    ctx.out << trf(l, ", {count} expected", {{"count", *(*d)->expected_count}});
  }
  ctx.out << ", "
          << ((*d)->closed_at ? tr_ctx(l, "donation", "closed") : tr_ctx(l, "donation", "open"))
          << '\n';
  if (!(*d)->notes.empty()) {
    ctx.out << trf(l, "Notes: {notes}", {{"notes", (*d)->notes}}) << '\n';
  }
  for (const auto& [tag, how] : units) {
    ctx.out << "  " << trf(l, "{tag} (linked by {how})", {{"tag", tag}, {"how", how}}) << '\n';
  }
  if (matched->listed > 0) {
    print_import(ctx, *matched);
  }
}

// Reads the serial column of a donor's CSV asset list: the column named `column`, else the first
// whose header contains "serial", "série" or is "S/N". Comma or semicolon separated (spreadsheets
// in French locales write semicolons); quotes around fields are removed.
std::optional<std::vector<std::string>> read_serials(CliContext& ctx, const std::string& file,
                                                     const std::string& column) {
  std::ifstream in(file);
  if (!in) {
    ctx.error(trf(ctx.lang(), "{file}: cannot read the asset list", {{"file", file}}));
    return std::nullopt;
  }
  std::string header;
  std::getline(in, header);
  const char sep = header.find(';') != std::string::npos ? ';' : ',';
  const auto split = [sep](const std::string& line) {
    std::vector<std::string> fields;
    std::string field;
    bool quoted = false;
    for (char c : line) {
      if (c == '"') {
        quoted = !quoted;
      } else if (c == sep && !quoted) {
        fields.push_back(field);
        field.clear();
      } else if (c != '\r') {
        field += c;
      }
    }
    fields.push_back(field);
    return fields;
  };
  const auto lower = [](std::string s) {
    for (char& c : s) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return s;
  };
  const auto names = split(header);
  std::optional<std::size_t> index;
  for (std::size_t i = 0; i < names.size() && !index; ++i) {
    const std::string n = lower(names[i]);
    if (column.empty() ? (n.find("serial") != std::string::npos ||
                          n.find("série") != std::string::npos || n == "s/n" || n == "sn")
                       : n == lower(column)) {
      index = i;
    }
  }
  if (!index) {
    const std::string columns = fmt::format("{}", fmt::join(names, ", "));
    ctx.error(column.empty()
                  ? trf(ctx.lang(),
                        "{file}: line 1: no serial number column (columns: {columns}); name it "
                        "with --column",
                        {{"file", file}, {"columns", columns}})
                  : trf(ctx.lang(),
                        "{file}: line 1: no '{column}' column (columns: {columns}); name it with "
                        "--column",
                        {{"file", file}, {"column", column}, {"columns", columns}}));
    return std::nullopt;
  }
  std::vector<std::string> serials;
  std::string line;
  while (std::getline(in, line)) {
    const auto fields = split(line);
    if (*index < fields.size() && !fields[*index].empty()) {
      serials.push_back(fields[*index]);
    }
  }
  return serials;
}

void intake_import(CliContext& ctx, hwdb::RowId id, const std::string& file,
                   const std::string& column) {
  auto serials = read_serials(ctx, file, column);
  if (!serials) {
    return;
  }
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  auto r = registry->import_donation_assets(id, *serials, ctx.who());
  if (!r) {
    ctx.error(r.error());
    return;
  }
  ctx.out << base::tr_n(ctx.lang(), "{file}: {count} new serial added to donation #{id}",
                        "{file}: {count} new serials added to donation #{id}",
                        static_cast<std::uint64_t>(r->added),
                        {{"file", file}, {"count", r->added}, {"id", id}})
          << '\n';
  print_import(ctx, *r);
}

} // namespace

void add_handover_commands(CLI::App& app, CliContext& ctx) {
  auto sug_ref = std::make_shared<std::string>();
  auto sug_limit = std::make_shared<std::size_t>(10);
  auto sug_json = std::make_shared<bool>(false);
  auto* sug = app.add_subcommand("suggest", "ready units that fit a household's needs, best first");
  sug->add_option("HOUSEHOLD", *sug_ref, "the household's reference")->required();
  sug->add_option("--limit", *sug_limit, "at most this many (0: all)");
  sug->add_flag("--json", *sug_json, "print JSON");
  sug->callback(
      [&ctx, sug_ref, sug_limit, sug_json] { suggest(ctx, *sug_ref, *sug_limit, *sug_json); });

  auto as_tag = std::make_shared<std::string>();
  auto as_ref = std::make_shared<std::string>();
  auto* as = app.add_subcommand("assign", "assign a ready unit to a household");
  as->add_option("TAG", *as_tag, "asset tag")->required();
  as->add_option("HOUSEHOLD", *as_ref, "the household's reference")->required();
  as->callback([&ctx, as_tag, as_ref] { assign(ctx, *as_tag, *as_ref); });

  auto un_tag = std::make_shared<std::string>();
  auto un_reason = std::make_shared<std::string>();
  auto* un = app.add_subcommand("unassign", "cancel an assignment before the handover");
  un->add_option("TAG", *un_tag, "asset tag")->required();
  un->add_option("--reason", *un_reason, "why (kept in the unit's history)");
  un->callback([&ctx, un_tag, un_reason] { unassign(ctx, *un_tag, *un_reason); });

  auto dl_tag = std::make_shared<std::string>();
  auto dl_opt = std::make_shared<DeliverOptions>();
  auto* dl = app.add_subcommand(
      "deliver", "record the handover: price, date; the warranty end comes from the program file");
  dl->add_option("TAG", *dl_tag, "asset tag")->required();
  dl->add_option("--price", dl_opt->price, "price paid, in euros (e.g. 60 or 59.90)")->required();
  dl->add_option("--date", dl_opt->date, "day of the handover, YYYY-MM-DD (default: today)");
  dl->add_flag("--json", dl_opt->json, "print JSON");
  dl->callback([&ctx, dl_tag, dl_opt] { deliver(ctx, *dl_tag, *dl_opt); });

  auto rt_tag = std::make_shared<std::string>();
  auto rt_reason = std::make_shared<std::string>();
  auto rt_to = std::make_shared<std::string>("pipeline");
  auto* rt = app.add_subcommand("return", "a delivered unit came back");
  rt->add_option("TAG", *rt_tag, "asset tag")->required();
  rt->add_option("--reason", *rt_reason, "why it came back")->required();
  rt->add_option("--to", *rt_to,
                 "pipeline (default: wiped and imaged again) or parts (not worth repairing; "
                 "needs --disks-removed, else send it through the pipeline to wipe it first)");
  auto rt_removed = std::make_shared<bool>(false);
  rt->add_flag("--disks-removed", *rt_removed,
               "its disks were taken out (to be erased or destroyed apart): it may go to parts "
               "without a wipe");
  rt->callback([&ctx, rt_tag, rt_reason, rt_to, rt_removed] {
    return_unit(ctx, *rt_tag, *rt_reason, *rt_to, *rt_removed);
  });
}

void add_intake_commands(CLI::App& app, CliContext& ctx) {
  auto* intake = app.add_subcommand("intake", "donation batches: who gave which machines");
  intake->require_subcommand(1);

  auto open_opt = std::make_shared<OpenOptions>();
  auto* open_cmd = intake->add_subcommand(
      "open", "record a donation; machines that boot while it is open are linked to it");
  open_cmd->add_option("--donor", open_opt->donor, "who gave the machines")->required();
  open_cmd->add_option("--date", open_opt->date, "day received, YYYY-MM-DD (default: today)");
  open_cmd->add_option("--expected", open_opt->expected, "how many machines the donor announced")
      ->check(CLI::NonNegativeNumber);
  open_cmd->add_option("--notes", open_opt->notes, "notes");
  open_cmd->callback([&ctx, open_opt] { intake_open(ctx, *open_opt); });

  auto close_id = std::make_shared<hwdb::RowId>(0);
  auto* close_cmd = intake->add_subcommand("close", "close a donation batch");
  close_cmd->add_option("ID", *close_id, "donation number")->required();
  close_cmd->callback([&ctx, close_id] { intake_close(ctx, *close_id); });

  auto list_json = std::make_shared<bool>(false);
  auto* list_cmd = intake->add_subcommand("list", "donations and how many units each brought");
  list_cmd->add_flag("--json", *list_json, "print JSON");
  list_cmd->callback([&ctx, list_json] { intake_list(ctx, *list_json); });

  auto show_id = std::make_shared<hwdb::RowId>(0);
  auto show_json = std::make_shared<bool>(false);
  auto* show_cmd = intake->add_subcommand("show", "one donation, its units and listed serials");
  show_cmd->add_option("ID", *show_id, "donation number")->required();
  show_cmd->add_flag("--json", *show_json, "print JSON");
  show_cmd->callback([&ctx, show_id, show_json] { intake_show(ctx, *show_id, *show_json); });

  auto imp_id = std::make_shared<hwdb::RowId>(0);
  auto imp_file = std::make_shared<std::string>();
  auto imp_col = std::make_shared<std::string>();
  auto* imp = intake->add_subcommand(
      "import", "a donor's asset list (CSV with serial numbers): link the units it lists");
  imp->add_option("ID", *imp_id, "donation number")->required();
  imp->add_option("CSV", *imp_file, "the asset list")->required();
  imp->add_option("--column", *imp_col, "the serial number column's header");
  imp->callback(
      [&ctx, imp_id, imp_file, imp_col] { intake_import(ctx, *imp_id, *imp_file, *imp_col); });
}

} // namespace atelier::cli
