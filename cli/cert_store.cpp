// `atelier cert list|show|pdf|key`: what the database and the key directory hold (docs/CLI.md).
#include "base/file_io.h"
#include "base/i18n.h"
#include "cli/cert_key.h"
#include "cli/cli.h"
#include "cli/context.h"
#include "cli/paper_settings.h"
#include "cli/table.h"
#include "papers/certificate_pdf.h"
#include "papers/certificate_text.h"
#include "papers/paper_text.h"
#include "records/canonical_json.h"
#include "workshop/erasure_certificate.h"
#include "workshop/settings.h"

#include <filesystem>

#include <fmt/format.h>

namespace atelier::cli {
namespace {

using base::tr;
using base::trf;
using nlohmann::json;

bool write_bytes(CliContext& ctx, const std::string& path, const std::string& bytes) {
  if (auto w = base::write_file_atomically(path, bytes); !w) {
    ctx.error(w.error());
    return false;
  }
  return true;
}

std::string fingerprint_of(const hwdb::ErasureRecord& row) {
  if (row.signature.empty()) {
    return "";
  }
  const json sig = json::parse(row.signature, nullptr, false);
  return sig.is_object() ? sig.value("key_fingerprint", "") : "";
}

// --- list ---------------------------------------------------------------------------------------

void list(CliContext& ctx, const std::string& tag, bool as_json) {
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  auto unit = registry->find(tag);
  if (!unit) {
    ctx.error(unit.error());
    return;
  }
  auto rows = registry->erasure_records_for_unit(*unit);
  if (!rows) {
    ctx.error(rows.error());
    return;
  }
  json all = json::array();
  Table table(
      {base::tr_ctx(ctx.lang(), "column", "RECORD"), base::tr_ctx(ctx.lang(), "column", "FINISHED"),
       base::tr_ctx(ctx.lang(), "column", "DISK"), base::tr_ctx(ctx.lang(), "column", "SERIAL"),
       base::tr_ctx(ctx.lang(), "column", "LEVEL"), base::tr_ctx(ctx.lang(), "column", "METHOD"),
       base::tr_ctx(ctx.lang(), "column", "VERIFIED"), base::tr_ctx(ctx.lang(), "column", "RESULT"),
       base::tr_ctx(ctx.lang(), "column", "SIGNED BY")});
  for (const hwdb::ErasureRecord& row : *rows) {
    const json record = json::parse(row.record_json, nullptr, false);
    const auto text = [&](const char* key) {
      return record.is_object() ? record.value(key, std::string()) : std::string();
    };
    const std::string fingerprint = fingerprint_of(row);
    all.push_back({{"record_id", row.record_id},
                   {"finished_at", base::format_rfc3339(row.finished_at)},
                   {"model", text("model")},
                   {"serial", text("serial")},
                   {"level", row.level},
                   {"method", row.method},
                   {"verification", row.verification},
                   {"result", row.result},
                   {"key_fingerprint", fingerprint.empty() ? json(nullptr) : json(fingerprint)}});
    table.add({row.record_id, base::format_rfc3339(row.finished_at), text("model"), text("serial"),
               row.level, row.method, row.verification, row.result,
               fingerprint.empty() ? tr(ctx.lang(), "not signed") : fingerprint});
  }
  if (as_json) {
    ctx.out << all.dump(2) << '\n';
  } else if (table.empty()) {
    ctx.out << trf(ctx.lang(), "no erasure records for {tag}", {{"tag", unit->tag.str()}}) << '\n';
  } else {
    table.print(ctx.out);
  }
}

// --- show ---------------------------------------------------------------------------------------

// Why a stored record has no certificate, in `language`: from the row itself (signed or not, its
// result), never from an English sentence of the workshop layer.
std::string why_not_signed(base::Language language, const hwdb::ErasureRecord& row,
                           const std::string& error) {
  if (row.signature.empty()) {
    return row.result == "failed"
               ? tr(language, "not signed: the erasure failed, and a failed erasure is kept only "
                              "as evidence")
               : tr(language, "not signed: the record was stored without a signature");
  }
  return trf(language, "unreadable in the database: {error}", {{"error", error}});
}

// `cert show` speaks the language of the papers: --lang, else the program file's language (the
// same words as the PDF), else, without a program file, the language of the CLI's messages.
std::optional<base::Language> show_language(CliContext& ctx) {
  if (ctx.lang_option) {
    return ctx.lang_option;
  }
  if (ctx.program != workshop::default_program_file() || std::filesystem::exists(ctx.program)) {
    auto program = load_program_file(ctx);
    if (!program) {
      return std::nullopt;
    }
    return program->language;
  }
  return ctx.lang();
}

void show(CliContext& ctx, const std::string& record_id, bool as_json) {
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  auto row = registry->erasure_record(record_id);
  if (!row) {
    ctx.error(row.error());
    return;
  }
  if (!*row) {
    ctx.error(trf(ctx.lang(), "no erasure record has the id {id}", {{"id", record_id}}));
    return;
  }
  const hwdb::ErasureRecord& stored = **row;
  auto certificate = workshop::certificate_from_stored(stored);
  if (as_json) {
    // The signed document; a failed erasure's record (never signed) is printed as it was stored.
    ctx.out << (certificate ? certificate->document_text()
                            : json::parse(stored.record_json, nullptr, false).dump(2) + "\n");
    if (!certificate) {
      ctx.err << "atelier: " << why_not_signed(ctx.lang(), stored, certificate.error()) << '\n';
    }
    return;
  }
  const std::optional<base::Language> shown = show_language(ctx);
  if (!shown) {
    return;
  }
  const base::Language language = *shown;
  auto record = records::erasure_record_from_json(json::parse(stored.record_json, nullptr, false));
  if (!record) {
    ctx.error(trf(ctx.lang(), "record {id} in the database is unreadable: {error}",
                  {{"id", record_id}, {"error", record.error()}}));
    return;
  }
  // "Label:" / "Libellé :" (French spacing), then the value in the next column.
  const auto label = [language](const std::string& text) {
    return base::trf(language, "{label}:", {{"label", text}});
  };
  for (const papers::RecordLine& line : papers::record_lines(*record, language)) {
    ctx.out << fmt::format("{:<24}{}\n", label(line.label), line.value);
  }
  ctx.out << fmt::format(
      "{:<24}{}\n", label(base::tr(language, "Signature")),
      certificate ? base::trf(language, "Ed25519, key {fingerprint}",
                              {{"fingerprint", certificate->fingerprint}})
                  : base::trf(language, "none ({why})",
                              {{"why", why_not_signed(language, stored, certificate.error())}}));
}

// --- pdf ----------------------------------------------------------------------------------------

struct PdfOptions {
  std::string source; // a signed file, or an asset tag
  PaperOptions paper; // --out, --program, --lang
  CertKeyOptions key; // for a file: the workshop key it must be signed by
};

// A certificate from a signed file, after checking it: a PDF is never made of a tampered file, nor
// of one the workshop key did not sign (a self-signed forgery), nor of one whose signer could not
// be checked for want of the workshop key.
std::optional<workshop::Certificate> certificate_from_file(CliContext& ctx, const PdfOptions& o) {
  auto found = find_cert_key(o.key, ctx.lang());
  if (!found) {
    ctx.error(found.error());
    return std::nullopt;
  }
  auto text = base::read_file(o.source);
  if (!text) {
    ctx.error(text.error());
    return std::nullopt;
  }
  const workshop::Verification v = workshop::verify_certificate(*text, found->key);
  if (!v.intact()) {
    ctx.error(trf(ctx.lang(),
                  "{file} is not a valid erasure certificate ({problem}); no PDF was "
                  "written",
                  {{"file", o.source}, {"problem", v.problems.front()}}));
    return std::nullopt;
  }
  if (!v.valid()) {
    ctx.error(trf(ctx.lang(),
                  "{file}: its authenticity could not be checked, so no PDF was written: {why}",
                  {{"file", o.source}, {"why", found->source}}));
    return std::nullopt;
  }
  for (const std::string& n : v.notes) {
    ctx.err << "atelier: " << trf(ctx.lang(), "note: {note}", {{"note", n}}) << '\n';
  }
  const json doc = json::parse(*text);
  return workshop::Certificate{*v.record, records::canonical_json(doc["record"]).value(),
                               records::canonical_json(doc["signature"]).value(),
                               *v.signer_fingerprint};
}

void pdf(CliContext& ctx, const PdfOptions& o) {
  // The language first: a program file that cannot be read must not cost a verification.
  auto settings = paper_settings(ctx, o.paper, nullptr, "");
  if (!settings) {
    return;
  }
  const auto unit_subject = [language = settings->language](const std::string& tag) {
    return base::trf(language, "Unit {tag}", {{"tag", tag}});
  };
  std::vector<workshop::Certificate> certificates;
  papers::PdfTitle title;
  if (std::filesystem::is_regular_file(o.source)) {
    auto c = certificate_from_file(ctx, o);
    if (!c) {
      return;
    }
    title.subject = c->record.source_property.empty()
                        ? std::filesystem::path(o.source).filename().string()
                        : unit_subject(c->record.source_property);
    certificates.push_back(std::move(*c));
  } else {
    auto registry = open_registry(ctx);
    if (!registry) {
      return;
    }
    auto unit = registry->find(o.source);
    if (!unit) {
      ctx.error(trf(ctx.lang(), "{error} (not a file either)",
                    {{"error", error_text(ctx.lang(), unit.error())}}));
      return;
    }
    auto rows = registry->erasure_records_for_unit(*unit);
    if (!rows) {
      ctx.error(rows.error());
      return;
    }
    std::size_t failed = 0;
    for (const hwdb::ErasureRecord& row : *rows) {
      auto c = workshop::certificate_from_stored(row);
      if (!c) {
        ++failed;
        continue;
      }
      // The database copy is checked like a file would be: a PDF never shows a broken signature.
      // Its signer is not compared with today's key: the workshop filed it, and a record signed
      // before the key was replaced stays the workshop's record (docs/ERASURE-RECORD.md, "Keys").
      const workshop::Verification v =
          workshop::verify_certificate(c->document_text(), std::nullopt);
      if (!v.intact()) {
        ctx.error(trf(ctx.lang(),
                      "record {id} in the database does not verify ({problem}); no PDF was written",
                      {{"id", row.record_id}, {"problem", v.problems.front()}}));
        return;
      }
      certificates.push_back(std::move(*c));
    }
    if (certificates.empty()) {
      ctx.error(failed > 0 ? base::tr_n(ctx.lang(),
                                        "{tag} has no signed erasure record ({count} failed "
                                        "attempt kept as evidence)",
                                        "{tag} has no signed erasure record ({count} failed "
                                        "attempts kept as evidence)",
                                        failed, {{"tag", unit->tag.str()}, {"count", failed}})
                           : trf(ctx.lang(), "{tag} has no signed erasure record",
                                 {{"tag", unit->tag.str()}}));
      return;
    }
    title.subject = unit_subject(unit->tag.str());
  }
  title.site = certificates.front().record.site;
  auto bytes = papers::render_certificate_pdf(certificates, title, settings->language);
  if (!bytes) {
    ctx.error(bytes.error());
    return;
  }
  if (write_bytes(ctx, o.paper.out, *bytes)) {
    ctx.out << base::tr_n(ctx.lang(),
                          "wrote {file}: {count} disk record, key {fingerprint} ({lang})",
                          "wrote {file}: {count} disk records, key {fingerprint} ({lang})",
                          certificates.size(),
                          {{"file", o.paper.out},
                           {"count", certificates.size()},
                           {"fingerprint", certificates.front().fingerprint},
                           {"lang", profiles::to_string(settings->language)}})
            << '\n';
  }
}

// --- key ----------------------------------------------------------------------------------------

void key_export(CliContext& ctx, const std::string& key_dir, const std::string& out) {
  bool created = false;
  auto key = workshop::SigningKey::load_or_create(key_dir, &created);
  if (!key) {
    ctx.error(key.error());
    return;
  }
  const workshop::PublicKey& pub = key->public_key();
  if (created) {
    ctx.err << "atelier: "
            << trf(ctx.lang(), "created the workshop signing key {file}; back it up",
                   {{"file", key->path().string()}})
            << '\n';
  }
  if (out.empty()) {
    ctx.out << pub.pem();
    ctx.err << "atelier: "
            << trf(ctx.lang(), "workshop key {fingerprint}", {{"fingerprint", pub.fingerprint()}})
            << '\n';
    return;
  }
  if (write_bytes(ctx, out, pub.pem())) {
    ctx.out << trf(ctx.lang(), "wrote {file}: workshop public key {fingerprint}",
                   {{"file", out}, {"fingerprint", pub.fingerprint()}})
            << '\n';
  }
}

void key_show(CliContext& ctx, const std::string& key_dir) {
  auto key = workshop::SigningKey::load(key_dir);
  if (!key) {
    ctx.error(trf(ctx.lang(),
                  "{error} (the key is created when the first record is signed, or by atelier "
                  "cert key export)",
                  {{"error", key.error()}}));
    return;
  }
  const base::Language l = ctx.lang();
  ctx.out << trf(l, "workshop key {fingerprint}",
                 {{"fingerprint", key->public_key().fingerprint()}})
          << '\n'
          << trf(l, "file {file}", {{"file", key->path().string()}}) << '\n'
          << trf(l, "public key (base64, raw 32 bytes) {key}",
                 {{"key", key->public_key().base64()}})
          << '\n';
}

} // namespace

void add_cert_store_commands(CLI::App& cert, CliContext& ctx) {
  auto list_tag = std::make_shared<std::string>();
  auto list_json = std::make_shared<bool>(false);
  auto* list_cmd = cert.add_subcommand("list", "the erasure records filed against a unit");
  list_cmd->add_option("TAG", *list_tag, "asset tag, e.g. AT-0042-7")->required();
  list_cmd->add_flag("--json", *list_json, "print JSON");
  list_cmd->callback([&ctx, list_tag, list_json] { list(ctx, *list_tag, *list_json); });

  auto show_id = std::make_shared<std::string>();
  auto show_json = std::make_shared<bool>(false);
  auto* show_cmd = cert.add_subcommand("show", "one erasure record, in words or as signed JSON");
  show_cmd->add_option("RECORD_ID", *show_id, "the record's id (atelier cert list)")->required();
  show_cmd->add_flag("--json", *show_json, "print the signed document");
  // --lang (cli.cpp adds it to every command): the words, as on the PDF.
  show_cmd->callback([&ctx, show_id, show_json] { show(ctx, *show_id, *show_json); });

  auto pdf_opt = std::make_shared<PdfOptions>();
  auto* pdf_cmd = cert.add_subcommand("pdf", "the certificate for people (PDF with QR codes)");
  pdf_cmd
      ->add_option("SOURCE", pdf_opt->source, "asset tag (all its signed records) or a signed file")
      ->required();
  add_paper_options(pdf_cmd, pdf_opt->paper, "its language");
  add_cert_key_options(*pdf_cmd, pdf_opt->key); // for a file
  pdf_cmd->callback([&ctx, pdf_opt] { pdf(ctx, *pdf_opt); });

  auto* key = cert.add_subcommand("key", "the workshop's signing key");
  key->require_subcommand(1);
  auto key_dir = std::make_shared<std::string>(workshop::default_key_dir());
  auto export_out = std::make_shared<std::string>();
  auto* export_cmd =
      key->add_subcommand("export", "print (or write) the public key as PEM, creating the key "
                                    "on first use");
  export_cmd->add_option("--out", *export_out, "write the PEM to this file");
  export_cmd->add_option("--key-dir", *key_dir,
                         "key directory (default: $ATELIER_KEY_DIR, else "
                         "/var/lib/atelier/keys)");
  export_cmd->callback([&ctx, key_dir, export_out] { key_export(ctx, *key_dir, *export_out); });
  auto* show_key = key->add_subcommand("show", "the key's fingerprint and file");
  show_key->add_option("--key-dir", *key_dir, "key directory");
  show_key->callback([&ctx, key_dir] { key_show(ctx, *key_dir); });
}

} // namespace atelier::cli
