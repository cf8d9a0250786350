// The access policy (workshop/access.h): one table, checked here row by row against the issue's
// rules.
#include "workshop/access.h"

#include <gtest/gtest.h>

namespace atelier::workshop {
namespace {

// Issue 8: "Volunteers see units but not households; only coordinators and admins see households."
TEST(AccessPolicy, OnlyCoordinatorsAndAdminsTouchHouseholds) {
  for (const Role role : all_roles()) {
    const bool expected = role == Role::coordinator || role == Role::admin;
    EXPECT_EQ(allows(role, Permission::read_households), expected) << to_string(role);
    EXPECT_EQ(allows(role, Permission::write_households), expected) << to_string(role);
    EXPECT_EQ(allows(role, Permission::distribute), expected) << to_string(role);
  }
}

// Every role sees the machines: a volunteer reads verdicts and labels.
TEST(AccessPolicy, EveryRoleReadsUnits) {
  for (const Role role : all_roles()) {
    EXPECT_TRUE(allows(role, Permission::read_units)) << to_string(role);
  }
}

// Accounts and the audit log (which names households) belong to admins alone.
TEST(AccessPolicy, AccountsAndAuditAreAdminOnly) {
  for (const Role role : all_roles()) {
    EXPECT_EQ(allows(role, Permission::manage_accounts), role == Role::admin) << to_string(role);
    EXPECT_EQ(allows(role, Permission::read_audit), role == Role::admin) << to_string(role);
  }
}

// Roles are ordered by trust: whatever a role may do, every role above it may do too.
TEST(AccessPolicy, HigherRolesHoldEveryPermissionOfLowerOnes) {
  const auto roles = all_roles();
  for (std::size_t lower = 0; lower < roles.size(); ++lower) {
    for (std::size_t higher = lower + 1; higher < roles.size(); ++higher) {
      for (const Permission p : all_permissions()) {
        if (allows(roles[lower], p)) {
          EXPECT_TRUE(allows(roles[higher], p))
              << to_string(roles[higher]) << " lacks " << to_string(p) << " that "
              << to_string(roles[lower]) << " has";
        }
      }
    }
  }
}

// Role names are what the database, the CLI and the API exchange.
TEST(AccessPolicy, RoleNamesRoundTripAndUnknownNamesAreRejected) {
  for (const Role role : all_roles()) {
    EXPECT_EQ(parse_role(to_string(role)), role);
  }
  EXPECT_FALSE(parse_role("Admin"));
  EXPECT_FALSE(parse_role("root"));
  EXPECT_EQ(actor_name(Role::coordinator, "alice"), "coordinator:alice");
}

} // namespace
} // namespace atelier::workshop
