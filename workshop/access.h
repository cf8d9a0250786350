// Who may do what: the roles of the coordinator API and the one table that grants permissions to
// them. Pure; every endpoint names the permission it needs (daemon/api/coordinator_api.h) and asks
// allows(). docs/API.md prints the table.
//
// The rule the table encodes (issue 8, GDPR): household data (names, contacts, eligibility) is
// seen only by coordinators and admins; volunteers see machines only.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace atelier::workshop {

enum class Role {
  volunteer,   // plugs machines in, reads verdicts: units, read-only
  technician,  // runs the workshop: units, donations intake
  coordinator, // runs distribution: households, assignment, delivery, reports
  admin,       // everything a coordinator does, plus accounts and the audit log
};

enum class Permission {
  read_units,       // list and show machines, their history
  record_intake,    // record donations (intake)
  read_households,  // household records (personal data)
  write_households, // create, edit, delete, export, purge household records
  distribute,       // suggest, assign, deliver, return machines
  read_reports,     // aggregate figures for funders (no personal data)
  manage_accounts,  // create accounts, change roles, passwords, disable
  read_audit,       // the audit log (it names households and who looked at them)
};

std::string_view to_string(Role);
std::optional<Role> parse_role(std::string_view);
std::string_view to_string(Permission);

std::span<const Role> all_roles();
std::span<const Permission> all_permissions();

// The whole access policy.
bool allows(Role role, Permission permission);

// How an account appears as the actor of events and audit entries: "<role>:<name>", e.g.
// "coordinator:alice"; the local root on the command line is "admin:root".
std::string actor_name(Role role, std::string_view account);

} // namespace atelier::workshop
