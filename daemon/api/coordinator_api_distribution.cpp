// Coordinator API: households, distribution (suggest, assign, unassign, deliver, return),
// donations, reports and the audit log. Each handler parses the request and calls the Registry
// function the `atelier` command line calls; the Registry checks the rules and writes the audit
// entry (reads of household data included) with the account as actor.
#include "daemon/api/coordinator_api_call.h"
#include "hardware-db/report.h"
#include "workshop/unit_json.h"

#include <algorithm>
#include <array>
#include <charconv>

#include <fmt/format.h>

namespace atelier::daemon {
namespace {

using namespace api;
using workshop::Permission;

json ts_or_null(const std::optional<hwdb::Timestamp>& t) {
  return t ? json(base::format_rfc3339(*t)) : json(nullptr);
}

json household_json(const hwdb::Household& h) {
  return {{"reference", h.reference},
          {"contact", h.contact},
          {"eligibility_basis", h.eligibility_basis},
          {"device", h.device},
          {"uses", h.uses},
          {"needs", h.needs},
          {"district", h.district},
          {"notes", h.notes},
          {"created_at", base::format_rfc3339(h.created_at)},
          {"updated_at", ts_or_null(h.updated_at)}};
}

json assignment_json(const hwdb::Assignment& a, const std::string& tag) {
  return {{"unit", tag},
          {"assigned_at", base::format_rfc3339(a.assigned_at)},
          {"delivered_at", ts_or_null(a.delivered_at)},
          {"price_cents", a.price_cents ? json(*a.price_cents) : json(nullptr)},
          {"warranty_end", ts_or_null(a.warranty_end)},
          {"returned_at", ts_or_null(a.returned_at)},
          {"return_reason", a.return_reason},
          {"district", a.district},
          {"program", a.program}};
}

json audit_json(const hwdb::AuditEntry& e) {
  return {{"at", base::format_rfc3339(e.at)},
          {"actor", e.actor},
          {"role", e.role},
          {"action", e.action},
          {"subject", e.subject},
          {"detail", e.detail}};
}

// The household fields of a POST or PATCH body; unknown fields are an error (a typo must not be
// silently dropped).
std::expected<hwdb::HouseholdChanges, ApiResponse> household_changes(const json& body) {
  if (!body.is_object()) {
    return std::unexpected(error_response(400, "invalid_argument", "expected a JSON object"));
  }
  hwdb::HouseholdChanges changes;
  const std::array<std::pair<std::string_view, std::optional<std::string>*>, 7> text_fields = {{
      {"reference", &changes.reference},
      {"contact", &changes.contact},
      {"eligibility_basis", &changes.eligibility_basis},
      {"device", &changes.device},
      {"needs", &changes.needs},
      {"district", &changes.district},
      {"notes", &changes.notes},
  }};
  for (const auto& [key, value] : body.items()) {
    if (key == "uses") {
      if (!value.is_array() ||
          !std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_string(); })) {
        return std::unexpected(
            error_response(400, "invalid_argument", "field 'uses' must be an array of strings"));
      }
      changes.uses = value.get<std::vector<std::string>>();
      continue;
    }
    const auto field = std::find_if(text_fields.begin(), text_fields.end(),
                                    [&](const auto& f) { return f.first == key; });
    if (field == text_fields.end()) {
      return std::unexpected(error_response(
          400, "invalid_argument",
          fmt::format("unknown field '{}' (reference, contact, eligibility_basis, device, uses, "
                      "needs, district, notes)",
                      key)));
    }
    if (!value.is_string()) {
      return std::unexpected(
          error_response(400, "invalid_argument", fmt::format("field '{}' must be a string", key)));
    }
    *field->second = value.get<std::string>();
  }
  return changes;
}

// ---- households ----

ApiResponse list_households(CoordinatorApi::Call& call) {
  auto all = call.registry.households(call.actor());
  if (!all) {
    return error_response(all.error());
  }
  json out = json::array();
  for (const auto& h : *all) {
    out.push_back(household_json(h));
  }
  return json_response(200, out);
}

ApiResponse add_household(CoordinatorApi::Call& call) {
  auto changes = household_changes(call.body);
  if (!changes) {
    return changes.error();
  }
  auto added = call.registry.add_household(*changes, call.actor());
  return added ? json_response(201, household_json(*added)) : error_response(added.error());
}

ApiResponse show_household(CoordinatorApi::Call& call) {
  auto h = call.registry.household(call.param("reference"), call.actor());
  return h ? json_response(200, household_json(*h)) : error_response(h.error());
}

// PATCH: the fields to change. An empty object is refused before the household is read; fields
// that already hold their values return the record, audited as a read (Registry::edit_household).
ApiResponse edit_household(CoordinatorApi::Call& call) {
  auto changes = household_changes(call.body);
  if (!changes) {
    return changes.error();
  }
  if (changes->empty()) {
    return error_response(400, "invalid_argument",
                          "nothing to change: give at least one of reference, contact, "
                          "eligibility_basis, device, uses, needs, district, notes");
  }
  auto h = call.registry.edit_household(call.param("reference"), *changes, call.actor());
  return h ? json_response(200, household_json(*h)) : error_response(h.error());
}

ApiResponse export_household(CoordinatorApi::Call& call) {
  auto record = call.registry.export_household(call.param("reference"), call.actor());
  if (!record) {
    return error_response(record.error());
  }
  json out = {{"household", household_json(record->household)},
              {"assignments", json::array()},
              {"audit", json::array()}};
  for (const auto& [assignment, tag] : record->assignments) {
    out["assignments"].push_back(assignment_json(assignment, tag));
  }
  for (const auto& e : record->audit) {
    out["audit"].push_back(audit_json(e));
  }
  return json_response(200, out);
}

// DELETE /households/{reference}?reason=...: the GDPR erasure; the reason is kept in the audit log.
ApiResponse delete_household(CoordinatorApi::Call& call) {
  const auto reason = call.request.query.find("reason");
  if (reason == call.request.query.end() || reason->second.empty()) {
    return error_response(400, "invalid_argument",
                          "query parameter 'reason' is missing (e.g. ?reason=request)");
  }
  auto id = call.registry.delete_household(call.param("reference"), reason->second, call.actor());
  if (!id) {
    return error_response(id.error());
  }
  return json_response(200, {{"deleted", hwdb::household_subject(*id)}});
}

ApiResponse purge_expired(CoordinatorApi::Call& call) {
  if (!call.settings.retention_days) {
    return error_response(422, "refused",
                          "no retention period: set [households] retention_days in the program "
                          "file atelierd reads");
  }
  auto ids = call.registry.purge_expired(*call.settings.retention_days, call.actor());
  if (!ids) {
    return error_response(ids.error());
  }
  json deleted = json::array();
  for (const auto id : *ids) {
    deleted.push_back(hwdb::household_subject(id));
  }
  return json_response(200,
                       {{"retention_days", *call.settings.retention_days}, {"deleted", deleted}});
}

// ---- distribution ----

ApiResponse suggest(CoordinatorApi::Call& call) {
  auto suggestions = call.registry.suggest(call.param("reference"), call.actor());
  if (!suggestions) {
    return error_response(suggestions.error());
  }
  json out = json::array();
  for (const auto& s : *suggestions) {
    json j = workshop::to_json(s.unit);
    j["score"] = s.score;
    j["reason"] = s.reason;
    out.push_back(std::move(j));
  }
  return json_response(200, out);
}

ApiResponse assign(CoordinatorApi::Call& call) {
  auto household = required_string(call.body, "household");
  if (!household) {
    return household.error();
  }
  auto a = call.registry.assign(call.param("tag"), *household, call.actor());
  return a ? json_response(200, assignment_json(*a, call.param("tag"))) : error_response(a.error());
}

ApiResponse unassign(CoordinatorApi::Call& call) {
  auto reason = required_string(call.body, "reason");
  if (!reason) {
    return reason.error();
  }
  auto unit = call.registry.unassign(call.param("tag"), *reason, call.actor());
  return unit ? json_response(200, workshop::to_json(*unit)) : error_response(unit.error());
}

// {"price_cents": 4500, "date": "2026-11-23", "warranty_months": 6}: the program file's terms
// (name, warranty, price bounds) apply as on the command line; warranty_months overrides.
ApiResponse deliver(CoordinatorApi::Call& call) {
  const auto price = call.body.is_object() ? call.body.find("price_cents") : call.body.end();
  if (!call.body.is_object() || price == call.body.end() || !price->is_number_integer()) {
    return error_response(400, "invalid_argument",
                          "field 'price_cents' is missing or not a whole number of cents");
  }
  hwdb::DeliveryTerms terms;
  terms.price_cents = price->get<std::int64_t>();
  terms.warranty_months = call.settings.warranty_months;
  terms.price_min_cents = call.settings.price_min_cents;
  terms.price_max_cents = call.settings.price_max_cents;
  terms.program = call.settings.program;
  if (const auto w = call.body.find("warranty_months"); w != call.body.end()) {
    if (!w->is_number_integer() || w->get<int>() < 0 || w->get<int>() > 120) {
      return error_response(400, "invalid_argument", "field 'warranty_months' must be 0 to 120");
    }
    terms.warranty_months = w->get<int>();
  }
  auto date = string_field(call.body, "date");
  if (!date) {
    return date.error();
  }
  if (*date) {
    terms.date = base::parse_date(**date);
    if (!terms.date) {
      return error_response(400, "invalid_argument",
                            fmt::format("date: '{}' is not a date like 2026-11-23", **date));
    }
  }
  auto a = call.registry.deliver(call.param("tag"), terms, call.actor());
  return a ? json_response(200, assignment_json(*a, call.param("tag"))) : error_response(a.error());
}

// {"reason": "screen broken", "to": "pipeline" | "parts", "disks_removed": false}
ApiResponse return_unit(CoordinatorApi::Call& call) {
  auto reason = required_string(call.body, "reason");
  auto to = string_field(call.body, "to");
  if (!reason || !to) {
    return !reason ? reason.error() : to.error();
  }
  bool disks_removed = false;
  if (const auto it = call.body.find("disks_removed"); it != call.body.end()) {
    if (!it->is_boolean()) {
      return error_response(400, "invalid_argument", "field 'disks_removed' must be true or false");
    }
    disks_removed = it->get<bool>();
  }
  const std::string where = to->value_or("pipeline");
  if (where != "pipeline" && where != "parts") {
    return error_response(400, "invalid_argument", "field 'to' must be \"pipeline\" or \"parts\"");
  }
  auto unit = call.registry.return_unit(
      call.param("tag"), *reason,
      where == "parts" ? hwdb::ReturnTo::parts : hwdb::ReturnTo::pipeline, call.actor(),
      disks_removed ? hwdb::Disposal::disks_removed : hwdb::Disposal::erased);
  return unit ? json_response(200, workshop::to_json(*unit)) : error_response(unit.error());
}

// ---- donations ----

json donation_json(const hwdb::Donation& d) {
  return {{"id", d.id},
          {"donor", d.donor},
          {"received_on", d.received_on},
          {"expected_count", d.expected_count ? json(*d.expected_count) : json(nullptr)},
          {"notes", d.notes},
          {"opened_at", base::format_rfc3339(d.opened_at)},
          {"closed_at", ts_or_null(d.closed_at)}};
}

std::expected<hwdb::RowId, ApiResponse> donation_id(const CoordinatorApi::Call& call) {
  const std::string& text = call.param("id");
  hwdb::RowId id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || end != text.data() + text.size() || id <= 0) {
    return std::unexpected(error_response(400, "invalid_argument",
                                          fmt::format("donation id '{}' is not a number", text)));
  }
  return id;
}

ApiResponse list_donations(CoordinatorApi::Call& call) {
  auto all = call.registry.store().list_donations();
  if (!all) {
    return error_response(all.error());
  }
  json out = json::array();
  for (const auto& d : *all) {
    out.push_back(donation_json(d));
  }
  return json_response(200, out);
}

ApiResponse open_donation(CoordinatorApi::Call& call) {
  auto donor = required_string(call.body, "donor");
  auto received_on = required_string(call.body, "received_on");
  auto notes = string_field(call.body, "notes");
  if (!donor || !received_on || !notes) {
    return !donor ? donor.error() : !received_on ? received_on.error() : notes.error();
  }
  hwdb::Donation donation;
  donation.donor = *donor;
  donation.received_on = *received_on;
  donation.notes = notes->value_or("");
  if (const auto n = call.body.find("expected_count"); n != call.body.end() && !n->is_null()) {
    if (!n->is_number_integer() || n->get<int>() < 0) {
      return error_response(400, "invalid_argument", "field 'expected_count' must be 0 or more");
    }
    donation.expected_count = n->get<int>();
  }
  auto opened = call.registry.open_donation(donation, call.actor());
  return opened ? json_response(201, donation_json(*opened)) : error_response(opened.error());
}

ApiResponse close_donation(CoordinatorApi::Call& call) {
  auto id = donation_id(call);
  if (!id) {
    return id.error();
  }
  auto closed = call.registry.close_donation(*id, call.actor());
  return closed ? json_response(200, donation_json(*closed)) : error_response(closed.error());
}

// {"serials": ["PC0ABCDE", ...]}: the donor's asset list (the CLI reads the same from a CSV).
ApiResponse import_assets(CoordinatorApi::Call& call) {
  auto id = donation_id(call);
  if (!id) {
    return id.error();
  }
  const auto serials = call.body.is_object() ? call.body.find("serials") : call.body.end();
  if (serials == call.body.end() || !serials->is_array() ||
      !std::all_of(serials->begin(), serials->end(), [](const json& s) { return s.is_string(); })) {
    return error_response(400, "invalid_argument", "field 'serials' must be an array of strings");
  }
  auto imported = call.registry.import_donation_assets(
      *id, serials->get<std::vector<std::string>>(), call.actor());
  if (!imported) {
    return error_response(imported.error());
  }
  return json_response(200, {{"listed", imported->listed},
                             {"added", imported->added},
                             {"matched", imported->matched_tags},
                             {"unmatched", imported->unmatched}});
}

// ---- report and audit ----

// GET /reports?from=2026-01-01&to=2026-06-30: the counts of hwdb::build_report (the command line's
// `atelier report` adds the program file's kg and CO2e factors to the same counts).
ApiResponse report(CoordinatorApi::Call& call) {
  const auto day = [&](const char* key, const char* time) -> std::optional<hwdb::Timestamp> {
    const auto it = call.request.query.find(key);
    return it == call.request.query.end() ? std::nullopt : base::parse_rfc3339(it->second + time);
  };
  const auto from = day("from", "T00:00:00Z");
  const auto to = day("to", "T23:59:59Z");
  if (!from || !to) {
    return error_response(
        400, "invalid_argument",
        "query parameters 'from' and 'to' are required, as dates like 2026-01-31");
  }
  auto r = hwdb::build_report(call.registry.store(), *from, *to);
  if (!r) {
    return error_response(r.error());
  }
  json erased = json::array();
  for (const auto& e : r->erased) {
    erased.push_back({{"level", e.level}, {"method", e.method}, {"disks", e.disks}});
  }
  return json_response(
      200, {{"from", base::format_rfc3339(r->from)},
            {"to", base::format_rfc3339(r->to)},
            {"received", r->received},
            {"refurbished", r->refurbished},
            {"distributed", r->distributed},
            {"returned", r->returned},
            {"parts", r->parts},
            {"recycled", r->recycled},
            {"by_program", r->by_program},
            {"by_district", r->by_district},
            {"by_profile", r->by_profile},
            {"by_chassis", r->by_chassis},
            {"average_days_to_delivery",
             r->average_days_to_delivery ? json(*r->average_days_to_delivery) : json(nullptr)},
            {"erased", erased},
            {"state_at_end", r->state_at_end},
            {"units_at_end", r->units_at_end}});
}

ApiResponse audit_log(CoordinatorApi::Call& call) {
  const auto subject = call.request.query.find("subject");
  std::size_t limit = 0;
  if (const auto it = call.request.query.find("limit"); it != call.request.query.end()) {
    const auto [end, ec] =
        std::from_chars(it->second.data(), it->second.data() + it->second.size(), limit);
    if (ec != std::errc{} || end != it->second.data() + it->second.size()) {
      return error_response(400, "invalid_argument", "limit: expected a number");
    }
  }
  auto entries = call.registry.audit_log(
      subject == call.request.query.end() ? std::string() : subject->second, limit);
  if (!entries) {
    return error_response(entries.error());
  }
  json out = json::array();
  for (const auto& e : *entries) {
    out.push_back(audit_json(e));
  }
  return json_response(200, out);
}

} // namespace

std::span<const ApiRouteEntry> distribution_routes() {
  static const std::vector<ApiRouteEntry> routes = {
      {{"GET", "/api/v1/households", true, Permission::read_households, "list households"},
       list_households},
      {{"POST", "/api/v1/households", true, Permission::write_households, "record a household"},
       add_household},
      {{"POST", "/api/v1/households/purge-expired", true, Permission::write_households,
        "delete households past the retention period"},
       purge_expired},
      {{"GET", "/api/v1/households/{reference}", true, Permission::read_households,
        "one household"},
       show_household},
      {{"PATCH", "/api/v1/households/{reference}", true, Permission::write_households,
        "change a household's fields"},
       edit_household},
      {{"DELETE", "/api/v1/households/{reference}", true, Permission::write_households,
        "delete a household's personal data (?reason=)"},
       delete_household},
      {{"GET", "/api/v1/households/{reference}/export", true, Permission::read_households,
        "everything held about a household (GDPR access)"},
       export_household},
      {{"GET", "/api/v1/households/{reference}/suggestions", true, Permission::distribute,
        "ready units for a household, best first"},
       suggest},
      {{"POST", "/api/v1/units/{tag}/assign", true, Permission::distribute,
        "assign a ready unit to a household"},
       assign},
      {{"POST", "/api/v1/units/{tag}/unassign", true, Permission::distribute,
        "cancel an assignment before handover"},
       unassign},
      {{"POST", "/api/v1/units/{tag}/deliver", true, Permission::distribute,
        "record the handover (price, date, warranty)"},
       deliver},
      {{"POST", "/api/v1/units/{tag}/return", true, Permission::distribute,
        "a delivered unit came back"},
       return_unit},
      {{"GET", "/api/v1/donations", true, Permission::record_intake, "list donations"},
       list_donations},
      {{"POST", "/api/v1/donations", true, Permission::record_intake, "open a donation (intake)"},
       open_donation},
      {{"POST", "/api/v1/donations/{id}/close", true, Permission::record_intake,
        "close the open donation"},
       close_donation},
      {{"POST", "/api/v1/donations/{id}/assets", true, Permission::record_intake,
        "import the donor's asset list (serials)"},
       import_assets},
      {{"GET", "/api/v1/reports", true, Permission::read_reports,
        "counts for funders (?from=&to=)"},
       report},
      {{"GET", "/api/v1/audit", true, Permission::read_audit, "the audit log (?subject=&limit=)"},
       audit_log},
  };
  return routes;
}

} // namespace atelier::daemon
