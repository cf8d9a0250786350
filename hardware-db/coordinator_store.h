// Storage of the coordinator's workflow: households and their assignments (personal data, kept
// apart from the hardware records in unit_store.h), donations with their units and asset lists,
// and the audit log every one of those operations writes. Contract: store.h.
#pragma once

#include "hardware-db/store_base.h"

#include <optional>
#include <string>
#include <vector>

namespace atelier::hwdb {

class CoordinatorStore : public virtual AuditStore {
public:
  // Households and assignments.
  virtual Result<RowId> add_household(const Household& household) = 0;
  virtual Result<std::optional<Household>> household_by_reference(const std::string& ref) = 0;
  virtual Result<std::optional<Household>> household_by_id(RowId id) = 0;
  virtual Result<std::vector<Household>> list_households() = 0;
  // Replaces every field but id and created_at.
  virtual Result<void> update_household(const Household& household) = 0;
  // Removes the row; its assignments keep their anonymous facts with household_id set to NULL.
  virtual Result<void> delete_household(RowId id) = 0;
  // Makes deleted data unrecoverable from the storage's files (SQLite: deleted content is zeroed
  // by secure_delete; this checkpoints and truncates the write-ahead log, which may still hold
  // the old pages). Outside any transaction.
  virtual Result<void> scrub() = 0;
  virtual Result<RowId> add_assignment(const Assignment& assignment) = 0;
  virtual Result<std::vector<Assignment>> assignments(RowId unit_id) = 0;
  virtual Result<std::vector<Assignment>> household_assignments(RowId household_id) = 0;
  virtual Result<std::vector<Assignment>> all_assignments() = 0;
  // Replaces delivered_at, price_cents, warranty_end, returned_at, return_reason, program.
  virtual Result<void> update_assignment(const Assignment& assignment) = 0;

  // Donation batches.
  virtual Result<RowId> add_donation(const Donation& donation) = 0;
  virtual Result<std::optional<Donation>> donation_by_id(RowId id) = 0;
  virtual Result<std::vector<Donation>> list_donations() = 0;
  virtual Result<void> close_donation(RowId id, Timestamp at) = 0;
  // Links a unit to a donation, replacing any earlier link of that unit.
  virtual Result<void> link_donation_unit(RowId donation_id, const DonationLink& link) = 0;
  virtual Result<std::vector<DonationLink>> donation_units(RowId donation_id) = 0;
  // The donation a unit is linked to, if any.
  virtual Result<std::optional<RowId>> donation_of_unit(RowId unit_id) = 0;
  // Adds serials to the donor's asset list (already listed ones are ignored); returns how many
  // were new.
  virtual Result<int> add_donation_assets(RowId donation_id,
                                          const std::vector<std::string>& serials) = 0;
  virtual Result<std::vector<std::string>> donation_assets(RowId donation_id) = 0;
};

} // namespace atelier::hwdb
