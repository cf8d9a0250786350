#include "records/agent_protocol.h"

#include <utility>

namespace atelier::records {
namespace {

// One table per enum: the only place its spelling is written.
constexpr std::array<std::pair<Endpoint, std::string_view>, 4> k_endpoint_names{{
    {Endpoint::register_unit, "register"},
    {Endpoint::next, "next"},
    {Endpoint::progress, "progress"},
    {Endpoint::result, "result"},
}};
constexpr std::array<std::pair<Step, std::string_view>, 6> k_step_names{{
    {Step::bench, "bench"},
    {Step::confirm, "confirm"},
    {Step::wipe, "wipe"},
    {Step::deploy, "deploy"},
    {Step::verify, "verify"},
    {Step::finish, "finish"},
}};
constexpr std::array<std::pair<ResultStatus, std::string_view>, 2> k_result_status_names{{
    {ResultStatus::done, "done"},
    {ResultStatus::failed, "failed"},
}};
constexpr std::array<std::pair<Verdict, std::string_view>, 3> k_verdict_names{{
    {Verdict::ready, "READY"},
    {Verdict::parts, "PARTS"},
    {Verdict::failed, "FAILED"},
}};
constexpr std::array<std::pair<Action, std::string_view>, 3> k_action_names{{
    {Action::poweroff, "poweroff"},
    {Action::reboot, "reboot"},
    {Action::wait, "wait"},
}};
constexpr std::array<std::pair<ConfirmGate, std::string_view>, 2> k_confirm_gate_names{{
    {ConfirmGate::every_machine, "every_machine"},
    {ConfirmGate::unexpected, "unexpected"},
}};

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) {
      return name;
    }
  }
  return {}; // unreachable for a valid enumerator: every table lists all of them
}

template <class E, std::size_t N>
std::optional<E> value_of(const std::array<std::pair<E, std::string_view>, N>& table,
                          std::string_view name) {
  for (const auto& [v, n] : table) {
    if (n == name) {
      return v;
    }
  }
  return std::nullopt;
}

} // namespace

std::string_view to_string(Endpoint e) {
  return name_of(k_endpoint_names, e);
}
std::optional<Endpoint> endpoint_from_string(std::string_view name) {
  return value_of(k_endpoint_names, name);
}
std::string agent_api_path(Endpoint endpoint) {
  return std::string(k_agent_api_prefix) + std::string(to_string(endpoint));
}
std::optional<Endpoint> endpoint_from_path(std::string_view path) {
  if (!path.starts_with(k_agent_api_prefix)) {
    return std::nullopt;
  }
  return endpoint_from_string(path.substr(k_agent_api_prefix.size()));
}

std::string_view to_string(Step s) {
  return name_of(k_step_names, s);
}
std::optional<Step> step_from_string(std::string_view name) {
  return value_of(k_step_names, name);
}

std::string_view to_string(ResultStatus s) {
  return name_of(k_result_status_names, s);
}
std::optional<ResultStatus> result_status_from_string(std::string_view name) {
  return value_of(k_result_status_names, name);
}

std::string_view to_string(Verdict v) {
  return name_of(k_verdict_names, v);
}
std::optional<Verdict> verdict_from_string(std::string_view name) {
  return value_of(k_verdict_names, name);
}

std::string_view to_string(Action a) {
  return name_of(k_action_names, a);
}
std::optional<Action> action_from_string(std::string_view name) {
  return value_of(k_action_names, name);
}

std::string_view to_string(ConfirmGate g) {
  return name_of(k_confirm_gate_names, g);
}
std::optional<ConfirmGate> confirm_gate_from_string(std::string_view name) {
  return value_of(k_confirm_gate_names, name);
}

} // namespace atelier::records
