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
    ctx.error(unit.error().message);
    return;
  }
  auto rows = registry->erasure_records_for_unit(*unit);
  if (!rows) {
    ctx.error(rows.error().message);
    return;
  }
  json all = json::array();
  Table table({"RECORD", "FINISHED", "DISK", "SERIAL", "LEVEL", "METHOD", "VERIFIED", "RESULT",
               "SIGNED BY"});
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
               fingerprint.empty() ? "not signed" : fingerprint});
  }
  if (as_json) {
    ctx.out << all.dump(2) << '\n';
  } else if (table.empty()) {
    ctx.out << fmt::format("no erasure records for {}\n", unit->tag.str());
  } else {
    table.print(ctx.out);
  }
}

// --- show ---------------------------------------------------------------------------------------

// `cert show` speaks English unless --lang says otherwise: it is read at the coordinator's desk,
// where the CLI speaks English; the certificate for people is the PDF.
void show(CliContext& ctx, const std::string& record_id, bool as_json, const std::string& lang) {
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  auto row = registry->erasure_record(record_id);
  if (!row) {
    ctx.error(row.error().message);
    return;
  }
  if (!*row) {
    ctx.error(fmt::format("no erasure record has the id {}", record_id));
    return;
  }
  const hwdb::ErasureRecord& stored = **row;
  auto certificate = workshop::certificate_from_stored(stored);
  if (as_json) {
    // The signed document; a failed erasure's record (never signed) is printed as it was stored.
    ctx.out << (certificate ? certificate->document_text()
                            : json::parse(stored.record_json, nullptr, false).dump(2) + "\n");
    if (!certificate) {
      ctx.err << "atelier: " << certificate.error() << '\n';
    }
    return;
  }
  auto record = records::erasure_record_from_json(json::parse(stored.record_json, nullptr, false));
  if (!record) {
    ctx.error(
        fmt::format("record {} in the database is unreadable: {}", record_id, record.error()));
    return;
  }
  const profiles::Language language =
      lang.empty() ? profiles::Language::en : *papers::parse_language(lang); // CLI11 checked it
  // "Label:" / "Libellé :" (French spacing), then the value in the next column.
  const auto label = [language](const std::string& text) {
    return base::trf(language, "{label}:", {{"label", text}});
  };
  for (const papers::RecordLine& line : papers::record_lines(*record, language)) {
    ctx.out << fmt::format("{:<24}{}\n", label(line.label), line.value);
  }
  ctx.out << fmt::format("{:<24}{}\n", label(base::tr(language, "Signature")),
                         certificate
                             ? base::trf(language, "Ed25519, key {fingerprint}",
                                         {{"fingerprint", certificate->fingerprint}})
                             : base::trf(language, "none ({why})", {{"why", certificate.error()}}));
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
  auto found = find_cert_key(o.key);
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
    ctx.error(fmt::format("{} is not a valid erasure certificate ({}); no PDF was written",
                          o.source, v.problems.front()));
    return std::nullopt;
  }
  if (!v.valid()) {
    ctx.error(fmt::format("{}: its authenticity could not be checked, so no PDF was written: {}",
                          o.source, found->source));
    return std::nullopt;
  }
  for (const std::string& n : v.notes) {
    ctx.err << "atelier: note: " << n << '\n';
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
      ctx.error(fmt::format("{} (not a file either)", unit.error().message));
      return;
    }
    auto rows = registry->erasure_records_for_unit(*unit);
    if (!rows) {
      ctx.error(rows.error().message);
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
        ctx.error(fmt::format("record {} in the database does not verify ({}); no PDF was written",
                              row.record_id, v.problems.front()));
        return;
      }
      certificates.push_back(std::move(*c));
    }
    if (certificates.empty()) {
      ctx.error(fmt::format("{} has no signed erasure record{}", unit->tag.str(),
                            failed > 0 ? fmt::format(" ({} failed attempt{} kept as evidence)",
                                                     failed, failed == 1 ? "" : "s")
                                       : ""));
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
    ctx.out << fmt::format("wrote {}: {} disk record{}, key {} ({})\n", o.paper.out,
                           certificates.size(), certificates.size() == 1 ? "" : "s",
                           certificates.front().fingerprint,
                           profiles::to_string(settings->language));
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
    ctx.err << fmt::format("atelier: created the workshop signing key {}; back it up\n",
                           key->path().string());
  }
  if (out.empty()) {
    ctx.out << pub.pem();
    ctx.err << fmt::format("atelier: workshop key {}\n", pub.fingerprint());
    return;
  }
  if (write_bytes(ctx, out, pub.pem())) {
    ctx.out << fmt::format("wrote {}: workshop public key {}\n", out, pub.fingerprint());
  }
}

void key_show(CliContext& ctx, const std::string& key_dir) {
  auto key = workshop::SigningKey::load(key_dir);
  if (!key) {
    ctx.error(fmt::format("{} (the key is created when the first record is signed, or by "
                          "atelier cert key export)",
                          key.error()));
    return;
  }
  ctx.out << fmt::format("workshop key {}\nfile {}\npublic key (base64, raw 32 bytes) {}\n",
                         key->public_key().fingerprint(), key->path().string(),
                         key->public_key().base64());
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
  auto show_lang = std::make_shared<std::string>();
  auto* show_cmd = cert.add_subcommand("show", "one erasure record, in words or as signed JSON");
  show_cmd->add_option("RECORD_ID", *show_id, "the record's id (atelier cert list)")->required();
  show_cmd->add_flag("--json", *show_json, "print the signed document");
  show_cmd->add_option("--lang", *show_lang, "fr or en: the words, as on the PDF (default: en)")
      ->check(CLI::IsMember({"fr", "en"}));
  show_cmd->callback(
      [&ctx, show_id, show_json, show_lang] { show(ctx, *show_id, *show_json, *show_lang); });

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
