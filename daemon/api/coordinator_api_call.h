// Internal to the coordinator API: one request being answered, and the helpers its handlers share
// (coordinator_api.cpp and the coordinator_api_*.cpp files that hold groups of endpoints).
#pragma once

#include "daemon/api/coordinator_api.h"

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace atelier::daemon {

struct CoordinatorApi::Call {
  const ApiRequest& request;
  hwdb::Registry& registry;
  workshop::Accounts& accounts;
  std::map<std::string, std::string> params;    // the {name} segments of the route
  std::optional<workshop::Principal> principal; // set for every route that needs a login
  nlohmann::json body;                          // the parsed JSON body (null when none)

  const CoordinatorSettings& settings;

  const std::string& param(const std::string& name) const { return params.at(name); }
  // The actor for events and audit entries: the account's login in its role.
  hwdb::Actor actor() const {
    return principal ? principal->account.actor() : hwdb::Actor{"api", ""};
  }
};

namespace api {

using nlohmann::json;

ApiResponse json_response(unsigned status, const json& body);
ApiResponse error_response(unsigned status, std::string_view code, std::string_view message);
// hwdb errors → 400 invalid_argument, 404 not_found, 409 conflict, 422 refused, 500 storage.
ApiResponse error_response(const hwdb::Error& error);

// A string field of the body: absent → nullopt; present but not a string → error.
std::expected<std::optional<std::string>, ApiResponse> string_field(const json& body,
                                                                    std::string_view name);
// Same, required.
std::expected<std::string, ApiResponse> required_string(const json& body, std::string_view name);

} // namespace api

using ApiHandlerFn = ApiResponse (*)(CoordinatorApi::Call&);

struct ApiRouteEntry {
  ApiRouteInfo info;
  ApiHandlerFn handler;
};

// The endpoints of coordinator_api_distribution.cpp: households, distribution, donations, reports,
// audit. coordinator_api.cpp puts them after its own (session, units, accounts).
std::span<const ApiRouteEntry> distribution_routes();

} // namespace atelier::daemon
