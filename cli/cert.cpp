// `atelier cert ...`: erasure certificates (docs/ERASURE-RECORD.md, docs/CLI.md): sign a record
// produced by `atelier-imager wipe --json`, verify a signed file offline, list and show what the
// database holds, render the PDF for people, and export the workshop's public key.
#include "base/file_io.h"
#include "base/i18n.h"
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

using base::tr;
using base::tr_ctx;
using base::trf;
using nlohmann::json;

// "record.json" → "record.signed.json"; other names get ".signed.json" appended.
std::string default_signed_path(const std::string& input) {
  std::filesystem::path path(input);
  if (path.extension() == ".json") {
    path.replace_extension();
  }
  return path.string() + ".signed.json";
}

std::string disk_words(base::Language l, const records::ErasureRecord& r) {
  const std::string model = r.model.empty() ? tr(l, "unknown model") : r.model;
  return trf(l, "{disk}, serial {serial}",
             {{"disk", r.manufacturer.empty() ? model : r.manufacturer + " " + model},
              {"serial", r.serial.empty() ? tr_ctx(l, "serial", "unknown") : r.serial}});
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
    ctx.error(trf(ctx.lang(),
                  "{file}: not JSON; expected the record written by atelier-imager wipe --json",
                  {{"file", o.file}}));
    return;
  }
  if (doc.is_object() && doc.contains("signature") && doc.contains("record")) {
    ctx.error(trf(ctx.lang(),
                  "{file} is already a signed certificate; check it with atelier cert verify",
                  {{"file", o.file}}));
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
    ctx.error(unit.error());
    return;
  }
  const std::string tag = unit->tag.str();
  if (record->source_property.empty()) {
    record->source_property = tag;
  } else if (auto said = hwdb::AssetTag::parse(record->source_property);
             !said || said->str() != tag) {
    ctx.error(trf(ctx.lang(),
                  "{file}: the record says the disk came from '{said}', not {tag}; refusing to "
                  "file it against {tag}",
                  {{"file", o.file}, {"said", record->source_property}, {"tag", tag}}));
    return;
  }
  if (!o.operator_name.empty()) {
    if (!record->operator_name.empty() && record->operator_name != o.operator_name) {
      ctx.error(
          trf(ctx.lang(),
              "{file}: the record already names its operator '{recorded}'; --operator "
              "'{given}' would change what was recorded",
              {{"file", o.file}, {"recorded", record->operator_name}, {"given", o.operator_name}}));
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
    ctx.err << "atelier: "
            << trf(ctx.lang(),
                   "created the workshop signing key {file} ({fingerprint}); back it up, and "
                   "publish its public key (atelier cert key export)",
                   {{"file", key->path().string()},
                    {"fingerprint", key->public_key().fingerprint()}})
            << '\n';
  }
  auto filed = workshop::file_erasure(*registry, *unit, *record, *key);
  if (!filed) {
    ctx.error(fmt::format("{}: {}", o.file, filed.error()));
    return;
  }
  if (!filed->certificate) {
    const base::Language l = ctx.lang();
    const std::string reason =
        record->failure_reason.empty() ? tr(l, "no reason given") : record->failure_reason;
    ctx.error(filed->filed.created
                  ? trf(l,
                        "{file}: the erasure of {disk} failed ({reason}); a failed erasure is "
                        "never signed as a certificate. Its record {id} is kept in the database "
                        "against {tag} as evidence",
                        {{"file", o.file},
                         {"disk", disk_words(l, *record)},
                         {"reason", reason},
                         {"id", record->record_id},
                         {"tag", tag}})
                  : trf(l,
                        "{file}: the erasure of {disk} failed ({reason}); a failed erasure is "
                        "never signed as a certificate. Its record {id} is kept in the database "
                        "against {tag} as evidence (it was already there)",
                        {{"file", o.file},
                         {"disk", disk_words(l, *record)},
                         {"reason", reason},
                         {"id", record->record_id},
                         {"tag", tag}}));
    return;
  }
  const std::string out = o.out.empty() ? default_signed_path(o.file) : o.out;
  if (auto w = base::write_file_atomically(out, filed->certificate->document_text()); !w) {
    ctx.error(w.error());
    return;
  }
  const base::Language l = ctx.lang();
  ctx.out
      << (filed->filed.created
              ? trf(l, "signed erasure record {id} ({disk}) for {tag}",
                    {{"id", record->record_id}, {"disk", disk_words(l, *record)}, {"tag", tag}})
              : trf(l,
                    "signed erasure record {id} ({disk}) for {tag} (already in the database: "
                    "unchanged)",
                    {{"id", record->record_id}, {"disk", disk_words(l, *record)}, {"tag", tag}}))
      << '\n'
      << trf(l, "wrote {file}", {{"file", out}}) << '\n'
      << trf(l, "key {fingerprint}", {{"fingerprint", filed->certificate->fingerprint}}) << '\n';
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
  CliContext db_ctx = ctx;
  db_ctx.db = o.db;
  auto registry = open_registry(db_ctx);
  if (!registry) {
    ctx.status = k_exit_usage;
    return;
  }
  auto stored = registry->erasure_record(id->get<std::string>());
  if (!stored) {
    v.problems.push_back(trf(ctx.lang(), "cannot read the database: {error}",
                             {{"error", error_text(ctx.lang(), stored.error())}}));
    return;
  }
  if (!*stored) {
    v.notes.push_back(trf(ctx.lang(), "the database {db} holds no record {id}",
                          {{"db", o.db}, {"id", id->get<std::string>()}}));
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
    v.problems.push_back(trf(
        ctx.lang(),
        "the database holds the original of record {id} (filed against {tag}); the file differs "
        "in:",
        {{"id", row.record_id}, {"tag", tag}}));
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
        trf(ctx.lang(), "the database holds record {id} with another signature (key {fingerprint})",
            {{"id", row.record_id},
             {"fingerprint", stored_sig.is_object() ? stored_sig.value("key_fingerprint", "?")
                                                    : tr_ctx(ctx.lang(), "key", "none")}}));
    return;
  }
  v.notes.push_back(trf(ctx.lang(), "identical to the record filed against {tag} in {db}",
                        {{"tag", tag}, {"db", o.db}}));
}

// Exit 0 valid (intact and signed by the workshop key), 1 not valid (altered, broken, or signed by
// another key: a self-signed forgery), 2 usage, 3 intact but no workshop key to check who signed.
void verify(CliContext& ctx, const VerifyOptions& o) {
  auto found = find_cert_key(o.key, ctx.lang());
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
      ctx.err << "atelier: " << trf(ctx.lang(), "--db {db}: no such database", {{"db", o.db}})
              << '\n';
      ctx.status = k_exit_usage;
      return;
    }
    compare_with_database(ctx, o, v);
    if (ctx.status == k_exit_usage) {
      return;
    }
  }
  const base::Language l = ctx.lang();
  if (!v.intact()) {
    ctx.out << trf(l, "{file}: NOT VALID", {{"file", o.file}}) << '\n';
    for (const std::string& p : v.problems) {
      // Lines indented by compare_with_database are the details of the problem above them.
      ctx.out << (p.starts_with("  ") ? "    " : "  - ") << p << '\n';
    }
  } else {
    const records::ErasureRecord& r = *v.record;
    ctx.out << (v.valid() ? trf(l, "{file}: VALID erasure certificate", {{"file", o.file}})
                          : trf(l,
                                "{file}: AUTHENTICITY NOT CHECKED: intact, but not compared with "
                                "the workshop key, so not valid",
                                {{"file", o.file}}))
            << '\n';
    ctx.out << "  "
            << trf(l, "record {id}: {disk}", {{"id", r.record_id}, {"disk", disk_words(l, r)}})
            << '\n';
    ctx.out << "  "
            << trf(l, "erased {time} ({level}, {method}); verification {verification}: {result}",
                   {{"time", r.finished_at},
                    {"level", to_string(r.level)},
                    {"method", r.method},
                    {"verification", to_string(r.verification)},
                    {"result", r.verification_result.empty() ? "-" : r.verification_result}})
            << '\n';
    if (v.valid()) {
      ctx.out << "  "
              << trf(l, "signed by the workshop key {fingerprint} ({source})",
                     {{"fingerprint", workshop->fingerprint()}, {"source", found->source}})
              << '\n';
    }
  }
  for (const std::string& n : v.notes) {
    ctx.out << "  " << trf(l, "note: {note}", {{"note", n}}) << '\n';
  }
  if (!workshop) {
    ctx.out << "  " << trf(l, "note: {note}", {{"note", found->source}}) << '\n';
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
