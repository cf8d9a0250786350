#include "daemon/api/coordinator_api.h"

#include "daemon/api/coordinator_api_call.h"
#include "workshop/unit_json.h"

#include <array>
#include <vector>

#include <fmt/format.h>

namespace atelier::daemon {

namespace api {

ApiResponse json_response(unsigned status, const json& body) {
  return ApiResponse{status, body.dump(2) + "\n"};
}

ApiResponse error_response(unsigned status, std::string_view code, std::string_view message) {
  return json_response(status, json{{"error", {{"code", code}, {"message", message}}}});
}

ApiResponse error_response(const hwdb::Error& error) {
  switch (error.code) {
  case hwdb::ErrorCode::invalid_argument:
    return error_response(400, "invalid_argument", error.message);
  case hwdb::ErrorCode::not_found:
    return error_response(404, "not_found", error.message);
  case hwdb::ErrorCode::conflict:
    return error_response(409, "conflict", error.message);
  case hwdb::ErrorCode::refused:
    return error_response(422, "refused", error.message);
  case hwdb::ErrorCode::storage:
  case hwdb::ErrorCode::unsupported:
    break;
  }
  return error_response(500, "storage", error.message);
}

std::expected<std::optional<std::string>, ApiResponse> string_field(const json& body,
                                                                    std::string_view name) {
  if (!body.is_object()) {
    return std::optional<std::string>{};
  }
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    return std::optional<std::string>{};
  }
  if (!it->is_string()) {
    return std::unexpected(
        error_response(400, "invalid_argument", fmt::format("field '{}' must be a string", name)));
  }
  return std::optional<std::string>(it->get<std::string>());
}

std::expected<std::string, ApiResponse> required_string(const json& body, std::string_view name) {
  auto value = string_field(body, name);
  if (!value) {
    return std::unexpected(value.error());
  }
  if (!*value) {
    return std::unexpected(
        error_response(400, "invalid_argument", fmt::format("field '{}' is missing", name)));
  }
  return std::move(**value);
}

} // namespace api

namespace {

using namespace api;
using workshop::Permission;

json account_json(const workshop::AccountView& a) {
  return {{"name", a.name},
          {"role", to_string(a.role)},
          {"disabled", a.disabled},
          {"created_at", base::format_rfc3339(a.created_at)},
          {"updated_at", base::format_rfc3339(a.updated_at)}};
}

// ---- session ----

ApiResponse login(CoordinatorApi::Call& call) {
  auto name = required_string(call.body, "name");
  auto password = required_string(call.body, "password");
  if (!name || !password) {
    return !name ? name.error() : password.error();
  }
  auto issued = call.accounts.login(*name, *password, call.request.client);
  if (!issued) {
    if (issued.error().code == hwdb::ErrorCode::refused ||
        issued.error().code == hwdb::ErrorCode::invalid_argument) {
      ApiResponse r = error_response(401, "unauthorized", "wrong name or password");
      r.actor = fmt::format("(failed login as '{}')", name->substr(0, 64));
      return r;
    }
    return error_response(issued.error());
  }
  ApiResponse r = json_response(201, {{"token", issued->token},
                                      {"token_type", "Bearer"},
                                      {"expires_at", base::format_rfc3339(issued->expires_at)},
                                      {"account", account_json(issued->account)}});
  r.actor = workshop::actor_name(issued->account.role, issued->account.name) + " (login)";
  return r;
}

ApiResponse whoami(CoordinatorApi::Call& call) {
  const workshop::AccountView& a = call.principal->account;
  json permissions = json::array();
  for (const Permission p : workshop::all_permissions()) {
    if (workshop::allows(a.role, p)) {
      permissions.push_back(to_string(p));
    }
  }
  json j = account_json(a);
  j["permissions"] = std::move(permissions);
  return json_response(200, j);
}

ApiResponse logout(CoordinatorApi::Call& call) {
  if (auto r = call.accounts.revoke(call.principal->token_id); !r) {
    return error_response(r.error());
  }
  return ApiResponse{204, ""};
}

// ---- units ----

ApiResponse list_units(CoordinatorApi::Call& call) {
  hwdb::UnitFilter filter;
  if (const auto it = call.request.query.find("state"); it != call.request.query.end()) {
    filter.state = hwdb::parse_unit_state(it->second);
    if (!filter.state) {
      return error_response(400, "invalid_argument",
                            fmt::format("state: unknown state '{}'", it->second));
    }
  }
  auto all = workshop::unit_list_json(call.registry.store(), filter);
  return all ? json_response(200, *all) : error_response(all.error());
}

ApiResponse show_unit(CoordinatorApi::Call& call) {
  auto unit = call.registry.find(call.param("tag"));
  if (!unit) {
    return error_response(unit.error());
  }
  auto j = workshop::unit_detail_json(call.registry.store(), *unit);
  return j ? json_response(200, *j) : error_response(j.error());
}

ApiResponse unit_history(CoordinatorApi::Call& call) {
  auto unit = call.registry.find(call.param("tag"));
  if (!unit) {
    return error_response(unit.error());
  }
  auto events = call.registry.store().events(unit->id);
  if (!events) {
    return error_response(events.error());
  }
  json all = json::array();
  for (const auto& e : *events) {
    all.push_back(workshop::to_json(e));
  }
  return json_response(200, all);
}

// ---- accounts ----

ApiResponse list_accounts(CoordinatorApi::Call& call) {
  auto all = call.accounts.list();
  if (!all) {
    return error_response(all.error());
  }
  json out = json::array();
  for (const auto& a : *all) {
    out.push_back(account_json(a));
  }
  return json_response(200, out);
}

std::expected<workshop::Role, ApiResponse> role_field(const std::string& text) {
  auto role = workshop::parse_role(text);
  if (!role) {
    return std::unexpected(error_response(
        400, "invalid_argument",
        fmt::format("role '{}': expected volunteer, technician, coordinator or admin", text)));
  }
  return *role;
}

ApiResponse create_account(CoordinatorApi::Call& call) {
  auto name = required_string(call.body, "name");
  auto role_text = required_string(call.body, "role");
  auto password = required_string(call.body, "password");
  if (!name || !role_text || !password) {
    return !name ? name.error() : !role_text ? role_text.error() : password.error();
  }
  auto role = role_field(*role_text);
  if (!role) {
    return role.error();
  }
  auto created = call.accounts.create(*name, *role, *password, call.actor());
  return created ? json_response(201, account_json(*created)) : error_response(created.error());
}

// PATCH {"role"?, "password"?, "disabled"?}: each present field is applied, in that order.
ApiResponse update_account(CoordinatorApi::Call& call) {
  const std::string& name = call.param("name");
  if (!call.body.is_object()) {
    return error_response(400, "invalid_argument",
                          "expected a JSON object with role, password or disabled");
  }
  for (const auto& [key, value] : call.body.items()) {
    if (key != "role" && key != "password" && key != "disabled") {
      return error_response(400, "invalid_argument",
                            fmt::format("unknown field '{}' (role, password, disabled)", key));
    }
  }
  auto role_text = string_field(call.body, "role");
  auto password = string_field(call.body, "password");
  if (!role_text || !password) {
    return !role_text ? role_text.error() : password.error();
  }
  std::optional<bool> disabled;
  if (const auto it = call.body.find("disabled"); it != call.body.end()) {
    if (!it->is_boolean()) {
      return error_response(400, "invalid_argument", "field 'disabled' must be true or false");
    }
    disabled = it->get<bool>();
  }
  std::optional<workshop::Role> role;
  if (*role_text) {
    auto parsed = role_field(**role_text);
    if (!parsed) {
      return parsed.error();
    }
    role = *parsed;
  }
  // An admin cannot lock themselves out by mistake.
  const auto target = call.accounts.find(name);
  const bool self = target && target->id == call.principal->account.id;
  if (self && ((role && *role != workshop::Role::admin) || (disabled && *disabled))) {
    return error_response(422, "refused",
                          "you cannot demote or disable your own account; ask another admin");
  }
  hwdb::Result<workshop::AccountView> result = call.accounts.find(name);
  if (result && role) {
    result = call.accounts.set_role(name, *role, call.actor());
  }
  if (result && *password) {
    result = call.accounts.set_password(name, **password, call.actor());
  }
  if (result && disabled) {
    result = call.accounts.set_disabled(name, *disabled, call.actor());
  }
  return result ? json_response(200, account_json(*result)) : error_response(result.error());
}

const std::vector<ApiRouteEntry>& route_table() {
  static const std::vector<ApiRouteEntry> routes = [] {
    std::vector<ApiRouteEntry> all = {
        {{"POST", "/api/v1/session", false, std::nullopt,
          "log in: name and password → bearer token"},
         login},
        {{"GET", "/api/v1/session", true, std::nullopt, "who am I: account, role, permissions"},
         whoami},
        {{"DELETE", "/api/v1/session", true, std::nullopt, "log out: revoke this token"}, logout},
        {{"GET", "/api/v1/units", true, Permission::read_units, "list units (?state=ready)"},
         list_units},
        {{"GET", "/api/v1/units/{tag}", true, Permission::read_units, "one unit"}, show_unit},
        {{"GET", "/api/v1/units/{tag}/history", true, Permission::read_units,
          "a unit's lifecycle events"},
         unit_history},
        {{"GET", "/api/v1/accounts", true, Permission::manage_accounts, "list accounts"},
         list_accounts},
        {{"POST", "/api/v1/accounts", true, Permission::manage_accounts, "create an account"},
         create_account},
        {{"PATCH", "/api/v1/accounts/{name}", true, Permission::manage_accounts,
          "change an account's role, password or disabled flag"},
         update_account},
    };
    const auto more = distribution_routes();
    all.insert(all.end(), more.begin(), more.end());
    return all;
  }();
  return routes;
}

// Splits "/a/b/c" into segments; matches "{x}" against any one non-empty segment.
bool match(std::string_view pattern, std::string_view path,
           std::map<std::string, std::string>& out) {
  out.clear();
  while (!pattern.empty() && !path.empty()) {
    if (pattern.front() != '/' || path.front() != '/') {
      return false;
    }
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const auto pattern_end = pattern.find('/');
    const auto path_end = path.find('/');
    const std::string_view want = pattern.substr(0, pattern_end);
    const std::string_view got = path.substr(0, path_end);
    if (want.starts_with('{') && want.ends_with('}')) {
      if (got.empty()) {
        return false;
      }
      out[std::string(want.substr(1, want.size() - 2))] = std::string(got);
    } else if (want != got) {
      return false;
    }
    pattern =
        pattern_end == std::string_view::npos ? std::string_view() : pattern.substr(pattern_end);
    path = path_end == std::string_view::npos ? std::string_view() : path.substr(path_end);
  }
  return pattern.empty() && path.empty();
}

std::string bearer_token(std::string_view header) {
  constexpr std::string_view scheme = "Bearer ";
  if (header.size() <= scheme.size()) {
    return "";
  }
  // The scheme is case-insensitive (RFC 7235).
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) !=
        std::tolower(static_cast<unsigned char>(scheme[i]))) {
      return "";
    }
  }
  std::string_view token = header.substr(scheme.size());
  while (!token.empty() && token.front() == ' ') {
    token.remove_prefix(1);
  }
  return std::string(token);
}

std::string log_actor(const CoordinatorApi::Call& call) {
  return call.principal
             ? workshop::actor_name(call.principal->account.role, call.principal->account.name)
             : "";
}

ApiResponse unauthorized(std::string_view message) {
  ApiResponse r = error_response(401, "unauthorized", message);
  r.headers.emplace_back("WWW-Authenticate", R"(Bearer realm="atelier")");
  return r;
}

} // namespace

CoordinatorApi::CoordinatorApi(hwdb::Registry& registry, workshop::Accounts& accounts,
                               CoordinatorSettings settings)
    : m_registry(registry), m_accounts(accounts), m_settings(std::move(settings)) {}

std::span<const ApiRouteInfo> CoordinatorApi::routes() {
  static const std::vector<ApiRouteInfo> infos = [] {
    std::vector<ApiRouteInfo> out;
    for (const auto& r : route_table()) {
      out.push_back(r.info);
    }
    return out;
  }();
  return infos;
}

ApiResponse CoordinatorApi::handle(const ApiRequest& request) {
  Call call{request, m_registry, m_accounts, {}, std::nullopt, nullptr, m_settings};
  const ApiRouteEntry* route = nullptr;
  std::vector<std::string_view> allowed;
  for (const auto& r : route_table()) {
    std::map<std::string, std::string> params;
    if (!match(r.info.pattern, request.path, params)) {
      continue;
    }
    allowed.push_back(r.info.method);
    if (r.info.method == request.method) {
      route = &r;
      call.params = std::move(params);
      break;
    }
  }
  if (route == nullptr) {
    if (allowed.empty()) {
      return error_response(404, "not_found", fmt::format("no endpoint {}", request.path));
    }
    ApiResponse r =
        error_response(405, "method_not_allowed",
                       fmt::format("{} takes {}", request.path, fmt::join(allowed, ", ")));
    r.headers.emplace_back("Allow", fmt::format("{}", fmt::join(allowed, ", ")));
    return r;
  }
  if (route->info.needs_login) {
    const std::string token = bearer_token(request.authorization);
    if (token.empty()) {
      return unauthorized(
          "log in first: POST /api/v1/session, then send Authorization: Bearer <token>");
    }
    auto principal = m_accounts.authenticate(token);
    if (!principal) {
      if (principal.error().code == hwdb::ErrorCode::refused) {
        ApiResponse r = unauthorized("the token is unknown, expired or revoked; log in again");
        r.actor = "(" + principal.error().message + ")";
        return r;
      }
      return error_response(principal.error());
    }
    call.principal = std::move(*principal);
    if (route->info.permission &&
        !workshop::allows(call.principal->account.role, *route->info.permission)) {
      ApiResponse r =
          error_response(403, "forbidden",
                         fmt::format("the {} role may not {} {} (needs {})",
                                     to_string(call.principal->account.role), request.method,
                                     route->info.pattern, to_string(*route->info.permission)));
      r.actor = log_actor(call);
      return r;
    }
  }
  if (!request.body.empty()) {
    call.body = json::parse(request.body, nullptr, false);
    if (call.body.is_discarded()) {
      ApiResponse r = error_response(400, "invalid_json", "the request body is not valid JSON");
      r.actor = log_actor(call);
      return r;
    }
  }
  ApiResponse response = route->handler(call);
  if (response.actor.empty() && call.principal) {
    response.actor = log_actor(call);
  }
  return response;
}

} // namespace atelier::daemon
