// The coordinator API: REST + JSON over daemon/api/api_server.h, for the web page to come and for
// scripts (docs/API.md documents every endpoint). Every endpoint names the permission it needs
// (workshop/access.h); the handlers call the same Registry, Store and account functions the
// `atelier` command line calls, so the two never disagree on a rule.
//
// Order of checks for every request: route (404), method (405), bearer token (401 with
// WWW-Authenticate), permission (403), then the request itself (400, 404, 409, 422).
//
// Thread model: handle() runs on the API's io thread; the Registry and Accounts it holds are used
// from that thread only.
#pragma once

#include "daemon/api/api_server.h"
#include "hardware-db/registry.h"
#include "workshop/access.h"
#include "workshop/accounts.h"

#include <functional>
#include <optional>
#include <span>
#include <string_view>

namespace atelier::daemon {

struct ApiRouteInfo {
  std::string_view method;
  std::string_view pattern; // "/api/v1/units/{tag}": {name} matches one path segment
  bool needs_login = true;  // false only for the login itself
  std::optional<workshop::Permission> permission; // none: any logged-in account
  std::string_view summary;
};

// What the program file says about distribution (profiles/program.h [households], [handover]),
// applied to API requests exactly as the command line applies it.
struct CoordinatorSettings {
  std::string program;     // the program's name, kept on deliveries for reports
  int warranty_months = 0; // default warranty of a delivery
  std::optional<std::int64_t> price_min_cents, price_max_cents;
  std::optional<int> retention_days; // purge-expired refuses without one
};

class CoordinatorApi {
public:
  // Both must outlive the CoordinatorApi.
  CoordinatorApi(hwdb::Registry& registry, workshop::Accounts& accounts,
                 CoordinatorSettings settings = {});

  ApiResponse handle(const ApiRequest& request);

  // Every endpoint, in documentation order (the role-matrix test walks this list).
  static std::span<const ApiRouteInfo> routes();

  struct Call; // one request being answered (coordinator_api.cpp)

private:
  hwdb::Registry& m_registry;
  workshop::Accounts& m_accounts;
  CoordinatorSettings m_settings;
};

} // namespace atelier::daemon
