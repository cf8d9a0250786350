// Records of the hardware database. Plain values; the Store (store.h) persists them and the
// Registry (registry.h) applies the business rules. Times are UTC, whole seconds.
#pragma once

#include "base/mac_address.h"
#include "base/time_text.h"
#include "hardware-db/asset_tag.h"
#include "hardware-db/identity.h"
#include "hardware-db/lifecycle.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace atelier::hwdb {

// As text: base::format_rfc3339 / base::parse_rfc3339 (2026-11-23T09:15:00Z).
using Timestamp = std::chrono::sys_seconds;
using RowId = std::int64_t;

enum class Chassis { unknown, desktop, laptop, all_in_one, mini, server, tablet, other };
std::string_view to_string(Chassis);
std::optional<Chassis> parse_chassis(std::string_view);

struct Unit {
  RowId id = 0;
  AssetTag tag;
  UnitState state = UnitState::detected;
  Identity identity;             // as last reported (vendor, model, serials, first wired MAC)
  IdentityKey key;               // what identifies this machine (identity.h)
  std::optional<RowId> previous; // earlier record of the same machine (re-intake), if any
  Chassis chassis = Chassis::unknown;
  std::string notes;
  bool do_not_boot = false; // workshop's own PCs: the PXE service ignores them
  Timestamp created_at{};
  Timestamp updated_at{};
};

// One lifecycle change, append-only (the SQLite schema refuses UPDATE and DELETE on it).
struct Event {
  RowId id = 0;
  RowId unit_id = 0;
  Timestamp at{};
  std::string actor;             // "atelierd", a coordinator's login, "cli:alice"
  std::optional<UnitState> from; // empty for the creation event
  UnitState to = UnitState::detected;
  std::string reason;
};

// A PXE boot seen on the network (written by the PXE service of atelierd).
struct BootSighting {
  RowId id = 0;
  RowId unit_id = 0;
  base::MacAddress mac;
  std::optional<int> arch;  // DHCP option 93 (0 BIOS, 7 x86-64 UEFI, 16 HTTP boot, ...)
  std::string firmware;     // "bios-pxe", "uefi-pxe", "uefi-http", "ipxe"
  std::string guid;         // option 97, formatted; empty when absent or all-zero
  std::string vendor_class; // option 60 verbatim
  Timestamp seen_at{};
};

struct NetworkInterface {
  RowId id = 0;
  RowId unit_id = 0;
  base::MacAddress mac;
  bool wired = true;
  std::string driver;
};

// An inventory as the agent reported it: the raw JSON document verbatim (so a later version can
// re-parse it) beside the fields the database indexes.
struct InventorySnapshot {
  RowId id = 0;
  RowId unit_id = 0;
  Timestamp taken_at{};
  std::string schema; // e.g. "atelier.inventory/1"
  std::string raw_json;
  std::string cpu_model;
  int cpu_threads = 0;
  int x86_64_level = 0;
  std::uint64_t ram_bytes = 0;
  std::string firmware; // "uefi" | "bios"
};

struct BenchResult {
  RowId id = 0;
  RowId unit_id = 0;
  Timestamp run_at{};
  std::string name;       // "cpu.single", "disk.seq_read:sda", ...
  double score = 0;       // normalised against the reference machine (1.0 = reference)
  double value = 0;       // raw measurement
  std::string value_unit; // "MB/s", "IOPS", ...
  std::int64_t duration_ms = 0;
  std::string method;
};

struct GradeRecord {
  RowId id = 0;
  RowId unit_id = 0;
  Timestamp graded_at{};
  std::string grade; // "A" | "B" | "C" | "parts"
  int score = 0;
  std::string explanation; // every rule that contributed, one per line
};

struct Disk {
  RowId id = 0;
  RowId unit_id = 0;
  std::string model;
  std::string serial;
  std::uint64_t size_bytes = 0;
  std::string media; // "hdd" | "ssd" | "nvme" | "usb"
  std::string bus;   // "sata" | "nvme" | "usb" | "virtio"
};

struct ErasureRecord {
  RowId id = 0;
  RowId disk_id = 0;
  Timestamp started_at{};
  Timestamp finished_at{};
  std::string method;       // profile method name, e.g. "nvme-sanitize-crypto", "zero"
  std::string level;        // "clear" | "purge" (NIST SP 800-88)
  std::string verification; // "none" | "sample" | "full"
  std::string result;       // "erased" | "failed"
  std::string record_json;  // the record's canonical JSON: exactly the bytes that were signed
  std::string signature;    // the signature object (canonical JSON); empty for a failed erasure
  std::string record_id{};  // the record's own id (UUID); unique when not empty (schema version 4)
  std::optional<RowId> unit_id{}; // the unit the disk was in when erased (disks move between units)
};

struct ImagingRecord {
  RowId id = 0;
  RowId unit_id = 0;
  Timestamp started_at{};
  Timestamp finished_at{};
  std::string profile;
  std::string image_sha256;
  std::string result; // "imaged" | "failed"
  std::string detail;
};

// One boot of a unit that registered with the agent API. The boot token (one per boot, put on the
// kernel command line by atelierd) authenticates every later request of that boot; only its
// sha256 is stored. A newer registration of the same unit supersedes the older sessions: their
// agents are told to stop.
struct AgentSession {
  RowId id = 0;
  RowId unit_id = 0;
  std::string token_sha256;
  std::string mac;
  std::string client_ip;
  Timestamp started_at{};
  std::optional<Timestamp> superseded_at;
};

// One step the daemon told an agent to do (docs/AGENT-API.md). At most one job per session is
// `issued` at a time; a job ends `done` or `failed` with the agent's result, or `abandoned` when
// its session is superseded. Steps are redone as new attempts, never resumed.
struct PipelineJob {
  RowId id = 0;
  RowId unit_id = 0;
  RowId session_id = 0;
  std::string step;   // "bench" | "wipe" | "deploy" | "verify" | "finish"
  int attempt = 1;    // 1 + the number of earlier jobs of this step for this unit
  std::string status; // "issued" | "done" | "failed" | "abandoned"
  Timestamp issued_at{};
  std::optional<Timestamp> finished_at;
  std::string params_json = "{}";
  std::string result_json;
  std::string progress_json; // the latest progress report, verbatim
  std::optional<Timestamp> progress_at;
};

// A technician's batch run: the next `max_units` machines that register (0: no limit), or the
// machines whose MACs are listed, join it; `profile` (when set) is installed on all of them.
struct Batch {
  RowId id = 0;
  std::string name;
  std::string profile;
  int max_units = 0;
  std::vector<std::string> macs; // lower-case "aa:bb:..."; empty: any machine
  Timestamp created_at{};
  std::optional<Timestamp> closed_at;
};

// Who does something, for the event and audit logs: a name ("cli:alice", "atelierd", an account's
// login) and the role it acted in ("admin"; the local CLI run by root is "admin", by another user
// "local"). Never a household's data.
struct Actor {
  std::string name;
  std::string role;
};

// What a household needs (docs/COORDINATOR-GUIDE.md). Every field but the reference is optional.
inline constexpr std::array<std::string_view, 3> k_household_devices = {"desktop", "laptop", "any"};
inline constexpr std::array<std::string_view, 3> k_household_uses = {"school", "job-search",
                                                                     "family"};

// Personal data: lives in `households` only, and is really deleted on request (delete_household).
// Other tables and logs name a household by subject_of(id), never by reference or contact.
struct Household {
  RowId id = 0;
  std::string reference; // from the referring social worker; the only required field; unique
  std::string contact;
  std::string eligibility_basis;
  std::string device;            // "" (not said) or one of k_household_devices
  std::vector<std::string> uses; // each one of k_household_uses
  std::string needs;             // anything else needed, free text
  std::string district;          // also copied to its assignments: reports keep it after deletion
  std::string notes;
  Timestamp created_at{};
  std::optional<Timestamp> updated_at;
};

// "household#12": how logs and events name a household (anonymous once the row is deleted).
std::string household_subject(RowId id);

struct Assignment {
  RowId id = 0;
  RowId unit_id = 0;
  std::optional<RowId> household_id; // empty once the household's personal data was deleted (GDPR)
  Timestamp assigned_at{};
  std::optional<Timestamp> delivered_at;
  std::optional<std::int64_t> price_cents;
  std::optional<Timestamp> warranty_end;
  std::optional<Timestamp> returned_at;
  std::string return_reason;
  std::string district; // the household's district at assignment (kept for reports)
  std::string program;  // the program name at delivery (schema version 7)
};

// One line of the audit log (schema version 7): every change, and every read of household data.
// Append-only. `subject` names what was touched ("household#12", "unit AT-0042-7", "donation#3").
// `detail` says what changed (field names, never values of personal data).
struct AuditEntry {
  RowId id = 0;
  Timestamp at{};
  std::string actor;
  std::string role;
  std::string action; // "household.add", "household.read", "unit.assign", ...
  std::string subject;
  std::string detail;
};

// A donation batch recorded at intake: the machines that boot while it is open are linked to it;
// a donor's asset list (serials) links the units whose serial it lists.
struct Donation {
  RowId id = 0;
  std::string donor;
  std::string received_on; // YYYY-MM-DD
  std::optional<int> expected_count;
  std::string notes;
  Timestamp opened_at{};
  std::optional<Timestamp> closed_at;
};

// How a unit was linked to a donation: it booted (or was added) while the donation was open, or
// its serial is on the donor's asset list (which wins: a list is more reliable than timing).
struct DonationLink {
  RowId unit_id = 0;
  std::string how; // "boot" | "serial"
  Timestamp linked_at{};
};

} // namespace atelier::hwdb
