#include "workshop/access.h"

#include <array>
#include <utility>

#include <fmt/format.h>

namespace atelier::workshop {
namespace {

constexpr std::array k_roles = {Role::volunteer, Role::technician, Role::coordinator, Role::admin};
constexpr std::array k_role_names = {std::pair{Role::volunteer, std::string_view("volunteer")},
                                     std::pair{Role::technician, std::string_view("technician")},
                                     std::pair{Role::coordinator, std::string_view("coordinator")},
                                     std::pair{Role::admin, std::string_view("admin")}};

struct Grant {
  Permission permission;
  std::string_view name;
  bool volunteer, technician, coordinator, admin;
};

// The policy, one row per permission. Read across: who holds it.
// clang-format off
constexpr std::array k_grants = {
    //    permission                    name                vol    tech   coord  admin
    Grant{Permission::read_units,       "read_units",       true,  true,  true,  true},
    Grant{Permission::record_intake,    "record_intake",    false, true,  true,  true},
    Grant{Permission::read_households,  "read_households",  false, false, true,  true},
    Grant{Permission::write_households, "write_households", false, false, true,  true},
    Grant{Permission::distribute,       "distribute",       false, false, true,  true},
    Grant{Permission::read_reports,     "read_reports",     false, false, true,  true},
    Grant{Permission::manage_accounts,  "manage_accounts",  false, false, false, true},
    Grant{Permission::read_audit,       "read_audit",       false, false, false, true},
};
// clang-format on

constexpr std::array<Permission, k_grants.size()> permission_list() {
  std::array<Permission, k_grants.size()> out{};
  for (std::size_t i = 0; i < k_grants.size(); ++i) {
    out[i] = k_grants[i].permission;
  }
  return out;
}
constexpr auto k_permissions = permission_list();

} // namespace

std::string_view to_string(Role role) {
  for (const auto& [r, name] : k_role_names) {
    if (r == role) {
      return name;
    }
  }
  return "?";
}

std::optional<Role> parse_role(std::string_view text) {
  for (const auto& [r, name] : k_role_names) {
    if (name == text) {
      return r;
    }
  }
  return std::nullopt;
}

std::string_view to_string(Permission permission) {
  for (const auto& g : k_grants) {
    if (g.permission == permission) {
      return g.name;
    }
  }
  return "?";
}

std::span<const Role> all_roles() {
  return k_roles;
}
std::span<const Permission> all_permissions() {
  return k_permissions;
}

bool allows(Role role, Permission permission) {
  for (const auto& g : k_grants) {
    if (g.permission != permission) {
      continue;
    }
    switch (role) {
    case Role::volunteer:
      return g.volunteer;
    case Role::technician:
      return g.technician;
    case Role::coordinator:
      return g.coordinator;
    case Role::admin:
      return g.admin;
    }
  }
  return false; // a permission missing from the table is granted to no one
}

std::string actor_name(Role role, std::string_view account) {
  return fmt::format("{}:{}", to_string(role), account);
}

} // namespace atelier::workshop
