// `atelier cert ...`: erasure certificates (docs/ERASURE-RECORD.md, docs/CLI.md): sign a record
// produced by `atelier-imager wipe --json`, verify a signed file offline, list and show what the
// database holds, render the PDF for people, and export the workshop's public key.
#include "base/file_io.h"
#include "cli/cert_key.h"
#include "cli/cli.h"
#include "cli/context.h"
#include "papers/certificate_text.h"
#include "records/canonical_json.h"
#include "workshop/erasure_certificate.h"
#include "workshop/settings.h"

#include <filesystem>

#include <fmt/format.h>

namespace atelier::cli {
namespace {

using nlohmann::json;

// "record.json" → "record.signed.json"; other names get ".signed.json" appended.
std::string default_signed_path(const std::string& input) {
  std::filesystem::path path(input);
  if (path.extension() == ".json") {
    path.replace_extension();
  }
  return path.string() + ".signed.json";
}

std::string disk_words(const records::ErasureRecord& r) {
  return fmt::format("{}{}{}, serial {}", r.manufacturer, r.manufacturer.empty() ? "" : " ",
                     r.model.empty() ? "unknown model" : r.model,
                     r.serial.empty() ? "unknown" : r.serial);
}

// --- sign ---------------------------------------------------------------------------------------

struct SignOptions {
  std::string file;
  std::string tag;
  std::string operator_name;
  std::string out;
  std::string key_dir = workshop::default_key_dir();
};

void sign(CliContext& ctx, const SignOptions& o) {
  auto text = base::read_file(o.file);
  if (!text) {
    ctx.error(text.error());
    return;
  }
  const json doc = json::parse(*text, nullptr, false);
  if (doc.is_discarded()) {
    ctx.error(fmt::format("{}: not JSON; expected the record written by atelier-imager wipe --json",
                          o.file));
    return;
  }
  if (doc.is_object() && doc.contains("signature") && doc.contains("record")) {
    ctx.error(fmt::format("{} is already a signed certificate; check it with atelier cert verify",
                          o.file));
    return;
  }
  auto record = records::erasure_record_from_json(doc);
  if (!record) {
    ctx.error(fmt::format("{}: {}", o.file, record.error()));
    return;
  }
  if (auto ok = workshop::check_fileable(*record); !ok) {
    ctx.error(fmt::format("{}: {}", o.file, ok.error()));
    return;
  }
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  auto unit = registry->find(o.tag);
  if (!unit) {
    ctx.error(unit.error().message);
    return;
  }
  const std::string tag = unit->tag.str();
  if (record->source_property.empty()) {
    record->source_property = tag;
  } else if (auto said = hwdb::AssetTag::parse(record->source_property);
             !said || said->str() != tag) {
    ctx.error(
        fmt::format("{}: the record says the disk came from '{}', not {}; refusing to file it "
                    "against {}",
                    o.file, record->source_property, tag, tag));
    return;
  }
  if (!o.operator_name.empty()) {
    if (!record->operator_name.empty() && record->operator_name != o.operator_name) {
      ctx.error(fmt::format("{}: the record already names its operator '{}'; --operator '{}' "
                            "would change what was recorded",
                            o.file, record->operator_name, o.operator_name));
      return;
    }
    record->operator_name = o.operator_name;
  }
  bool created = false;
  auto key = workshop::SigningKey::load_or_create(o.key_dir, &created);
  if (!key) {
    ctx.error(key.error());
    return;
  }
  if (created) {
    ctx.err << fmt::format("atelier: created the workshop signing key {} ({}); back it up, and "
                           "publish its public key (atelier cert key export)\n",
                           key->path().string(), key->public_key().fingerprint());
  }
  auto filed = workshop::file_erasure(*registry, *unit, *record, *key);
  if (!filed) {
    ctx.error(fmt::format("{}: {}", o.file, filed.error()));
    return;
  }
  if (!filed->certificate) {
    ctx.error(fmt::format(
        "{}: the erasure of {} failed ({}); a failed erasure is never signed as a certificate. "
        "Its record {} is kept in the database against {} as evidence{}",
        o.file, disk_words(*record),
        record->failure_reason.empty() ? "no reason given" : record->failure_reason,
        record->record_id, tag, filed->filed.created ? "" : " (it was already there)"));
    return;
  }
  const std::string out = o.out.empty() ? default_signed_path(o.file) : o.out;
  if (auto w = base::write_file_atomically(out, filed->certificate->document_text()); !w) {
    ctx.error(w.error());
    return;
  }
  ctx.out << fmt::format("signed erasure record {} ({}) for {}{}\nwrote {}\nkey {}\n",
                         record->record_id, disk_words(*record), tag,
                         filed->filed.created ? "" : " (already in the database: unchanged)", out,
                         filed->certificate->fingerprint);
}

// --- verify -------------------------------------------------------------------------------------

struct VerifyOptions {
  std::string file;
  CertKeyOptions key; // the workshop key: --key, else the key directory's
  std::string db;
};

// Compares the file with the database's copy of the same record (by record_id), adding what
// differs to the verification's problems.
void compare_with_database(CliContext& ctx, const VerifyOptions& o, workshop::Verification& v) {
  const json* id = v.record_json.is_object() && v.record_json.contains("record_id")
                       ? &v.record_json["record_id"]
                       : nullptr;
  if (id == nullptr || !id->is_string()) {
    return;
  }
  CliContext db_ctx{ctx.out, ctx.err, o.db, ctx.actor, ctx.program};
  auto registry = open_registry(db_ctx);
  if (!registry) {
    ctx.status = k_exit_usage;
    return;
  }
  auto stored = registry->erasure_record(id->get<std::string>());
  if (!stored) {
    v.problems.push_back("cannot read the database: " + stored.error().message);
    return;
  }
  if (!*stored) {
    v.notes.push_back(
        fmt::format("the database {} holds no record {}", o.db, id->get<std::string>()));
    return;
  }
  const hwdb::ErasureRecord& row = **stored;
  std::string tag = "?";
  if (row.unit_id) {
    if (auto u = registry->store().unit_by_id(*row.unit_id); u && *u) {
      tag = (*u)->tag.str();
    }
  }
  const std::string date = base::format_date(row.finished_at);
  const auto differences = workshop::record_differences(
      v.record_json, json::parse(row.record_json, nullptr, false), date);
  if (!differences.empty()) {
    v.problems.push_back(fmt::format(
        "the database holds the original of record {} (filed against {}); the file differs in:",
        row.record_id, tag));
    for (const std::string& d : differences) {
      v.problems.push_back("  " + d);
    }
    return;
  }
  const json file_signature = json::parse(base::read_file(o.file).value_or("{}"), nullptr, false)
                                  .value("signature", json::object());
  const auto canonical_signature = records::canonical_json(file_signature);
  if (!canonical_signature || *canonical_signature != row.signature) {
    const json stored_sig = json::parse(row.signature, nullptr, false);
    v.problems.push_back(
        fmt::format("the database holds record {} with another signature (key {})", row.record_id,
                    stored_sig.is_object() ? stored_sig.value("key_fingerprint", "?") : "none"));
    return;
  }
  v.notes.push_back(fmt::format("identical to the record filed against {} in {}", tag, o.db));
}

// Exit 0 valid (intact and signed by the workshop key), 1 not valid (altered, broken, or signed by
// another key: a self-signed forgery), 2 usage, 3 intact but no workshop key to check who signed.
void verify(CliContext& ctx, const VerifyOptions& o) {
  auto found = find_cert_key(o.key);
  if (!found) {
    ctx.err << "atelier: " << found.error() << '\n';
    ctx.status = k_exit_usage;
    return;
  }
  const std::optional<workshop::PublicKey>& workshop = found->key;
  auto text = base::read_file(o.file);
  if (!text) {
    ctx.err << "atelier: " << text.error() << '\n';
    ctx.status = k_exit_usage;
    return;
  }
  workshop::Verification v = workshop::verify_certificate(*text, workshop);
  if (!o.db.empty()) {
    if (!std::filesystem::exists(o.db)) {
      ctx.err << fmt::format("atelier: --db {}: no such database\n", o.db);
      ctx.status = k_exit_usage;
      return;
    }
    compare_with_database(ctx, o, v);
    if (ctx.status == k_exit_usage) {
      return;
    }
  }
  if (!v.intact()) {
    ctx.out << fmt::format("{}: NOT VALID\n", o.file);
    for (const std::string& p : v.problems) {
      // Lines indented by compare_with_database are the details of the problem above them.
      ctx.out << (p.starts_with("  ") ? "    " : "  - ") << p << '\n';
    }
  } else {
    const records::ErasureRecord& r = *v.record;
    ctx.out << (v.valid() ? fmt::format("{}: VALID erasure certificate\n", o.file)
                          : fmt::format("{}: AUTHENTICITY NOT CHECKED: intact, but not compared "
                                        "with the workshop key, so not valid\n",
                                        o.file));
    ctx.out << fmt::format("  record {}: {}\n", r.record_id, disk_words(r));
    ctx.out << fmt::format("  erased {} ({}, {}); verification {}: {}\n", r.finished_at,
                           to_string(r.level), r.method, to_string(r.verification),
                           r.verification_result.empty() ? "-" : r.verification_result);
    if (v.valid()) {
      ctx.out << fmt::format("  signed by the workshop key {} ({})\n", workshop->fingerprint(),
                             found->source);
    }
  }
  for (const std::string& n : v.notes) {
    ctx.out << "  note: " << n << '\n';
  }
  if (!workshop) {
    ctx.out << "  note: " << found->source << '\n';
  }
  ctx.status = v.valid() ? k_exit_ok : !v.intact() ? k_exit_failure : k_exit_not_checked;
}

} // namespace

// Defined in cli_cert_store.cpp: list, show, pdf and key (what reads the database or the key).
void add_cert_store_commands(CLI::App& cert, CliContext& ctx);

void add_cert_commands(CLI::App& app, CliContext& ctx) {
  auto* cert = app.add_subcommand("cert", "erasure certificates: sign, verify, list, show, PDF");
  cert->require_subcommand(1);

  auto sign_opt = std::make_shared<SignOptions>();
  auto* sign_cmd = cert->add_subcommand(
      "sign", "sign a record from `atelier-imager wipe --json` and file it against a unit");
  sign_cmd->add_option("FILE", sign_opt->file, "the erasure record (JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  sign_cmd->add_option("--tag", sign_opt->tag, "asset tag of the unit the disk came from")
      ->required();
  sign_cmd->add_option("--operator", sign_opt->operator_name, "who performed the erasure");
  sign_cmd->add_option("--out", sign_opt->out, "signed file (default: FILE as NAME.signed.json)");
  sign_cmd->add_option("--key-dir", sign_opt->key_dir,
                       "workshop key directory (default: $ATELIER_KEY_DIR, else "
                       "/var/lib/atelier/keys)");
  sign_cmd->callback([&ctx, sign_opt] { sign(ctx, *sign_opt); });

  auto verify_opt = std::make_shared<VerifyOptions>();
  auto* verify_cmd = cert->add_subcommand(
      "verify", "check a signed certificate offline against the workshop key (exit 0 valid, 1 not "
                "valid, 2 usage, 3 no workshop key to check who signed it)");
  verify_cmd->add_option("FILE", verify_opt->file, "the signed certificate (JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  add_cert_key_options(*verify_cmd, verify_opt->key);
  verify_cmd->add_option("--db", verify_opt->db,
                         "also compare with the database's copy of the record");
  verify_cmd->callback([&ctx, verify_opt] { verify(ctx, *verify_opt); });

  add_cert_store_commands(*cert, ctx);
}

} // namespace atelier::cli
