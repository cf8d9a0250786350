#include "workshop/erasure_certificate.h"

#include "records/canonical_json.h"

#include <map>
#include <set>

#include <fmt/format.h>

namespace atelier::workshop {
namespace {

using Json = nlohmann::json;

// Every leaf of a record by path ("hidden_areas.checked", "failed_ranges[0].length"), for
// field-by-field comparison.
void flatten(const Json& value, const std::string& path, std::map<std::string, Json>& out) {
  if (value.is_object()) {
    for (const auto& [key, member] : value.items()) {
      flatten(member, path.empty() ? key : path + "." + key, out);
    }
  } else if (value.is_array() && !value.empty()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      flatten(value[i], fmt::format("{}[{}]", path, i), out);
    }
  } else {
    out[path] = value;
  }
}

std::string shown(const std::optional<Json>& value) {
  return value ? value->dump(-1, ' ', false, Json::error_handler_t::replace) : "nothing";
}

// Looks for `key` in `object` and says what is wrong with it; nullptr after adding a problem.
const Json* member(const Json& object, std::string_view path, std::string_view key,
                   Json::value_t type, std::string_view type_words,
                   std::vector<std::string>& problems) {
  const auto it = object.find(std::string(key));
  const std::string name = path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
  if (it == object.end()) {
    problems.push_back(fmt::format("key '{}' is missing", name));
    return nullptr;
  }
  if (it->type() != type) {
    problems.push_back(fmt::format("key '{}' must be {}", name, type_words));
    return nullptr;
  }
  return &*it;
}

} // namespace

std::optional<hwdb::Timestamp> parse_record_time(std::string_view text) {
  if (auto exact = base::parse_rfc3339(text)) {
    return exact;
  }
  // Leniency: a fraction of a second ("2026-11-23T10:00:00.250Z") is accepted and dropped; the
  // record itself keeps the full text (and the signature covers it).
  if (text.size() > 21 && text[19] == '.' && text.back() == 'Z' &&
      text.substr(20, text.size() - 21).find_first_not_of("0123456789") == std::string_view::npos) {
    return base::parse_rfc3339(std::string(text.substr(0, 19)) + "Z");
  }
  return std::nullopt;
}

std::expected<void, std::string> check_fileable(const records::ErasureRecord& r) {
  if (r.record_id.empty()) {
    return std::unexpected("erasure record: key 'record_id' is empty");
  }
  const auto started = parse_record_time(r.started_at);
  const auto finished = parse_record_time(r.finished_at);
  if (!started) {
    return std::unexpected(fmt::format(
        "erasure record {}: started_at '{}' is not a UTC time like 2026-11-23T10:00:00Z",
        r.record_id, r.started_at));
  }
  if (!finished) {
    return std::unexpected(fmt::format(
        "erasure record {}: finished_at '{}' is not a UTC time like 2026-11-23T10:00:00Z",
        r.record_id, r.finished_at));
  }
  if (*finished < *started) {
    return std::unexpected(fmt::format("erasure record {}: finished_at {} is before started_at {}",
                                       r.record_id, r.finished_at, r.started_at));
  }
  if (r.method.empty()) {
    return std::unexpected(fmt::format("erasure record {}: key 'method' is empty", r.record_id));
  }
  return {};
}

std::expected<void, std::string> check_certifiable(const records::ErasureRecord& r) {
  if (auto ok = check_fileable(r); !ok) {
    return ok;
  }
  if (r.result != records::ErasureResult::erased) {
    return std::unexpected(fmt::format(
        "erasure record {} says the erasure failed ({}): a failed erasure is never signed as a "
        "certificate",
        r.record_id, r.failure_reason.empty() ? "no reason given" : r.failure_reason));
  }
  // A drive that reports neither model nor serial (a virtual disk, some USB bridges and RAID
  // controllers) is named the way nwipe and commercial erasure tools name it: by the machine it
  // was erased in (its asset tag), its capacity and its device at the time. Without the asset tag
  // too, nothing on the certificate would say which disk it was.
  if (r.model.empty() && r.serial.empty() && (r.source_property.empty() || r.size_bytes == 0)) {
    return std::unexpected(fmt::format(
        "erasure record {}: the disk reports neither model nor serial, and the record names no "
        "asset tag (source_property) and capacity to identify it by, so it does not say which "
        "disk",
        r.record_id));
  }
  if (r.tool.empty()) {
    return std::unexpected(fmt::format("erasure record {}: key 'tool' is empty", r.record_id));
  }
  return {};
}

Json Certificate::document() const {
  return {{"format", k_certificate_format},
          {"record", Json::parse(canonical_record)},
          {"signature", Json::parse(signature_json)}};
}

std::string Certificate::document_text() const {
  return document().dump(2) + "\n";
}

std::expected<Certificate, std::string> sign_record(const records::ErasureRecord& record,
                                                    const SigningKey& key) {
  if (auto ok = check_certifiable(record); !ok) {
    return std::unexpected(ok.error());
  }
  auto canonical = records::canonical_json(records::to_json(record), "record");
  if (!canonical) {
    return std::unexpected(canonical.error());
  }
  auto signature = key.sign(*canonical);
  if (!signature) {
    return std::unexpected(signature.error());
  }
  const PublicKey& pub = key.public_key();
  const Json sig = {{"algorithm", "ed25519"},
                    {"public_key", pub.base64()},
                    {"key_fingerprint", pub.fingerprint()},
                    {"value", base64_encode(*signature)}};
  Certificate c{record, std::move(*canonical), records::canonical_json(sig).value(),
                pub.fingerprint()};
  return c;
}

std::expected<Certificate, std::string> certificate_from_stored(const hwdb::ErasureRecord& row) {
  if (row.signature.empty()) {
    return std::unexpected(
        fmt::format("erasure record {} is not signed: the erasure {}", row.record_id,
                    row.result == "failed" ? "failed, and a failed erasure is kept only as evidence"
                                           : "was stored without a signature"));
  }
  const Json record = Json::parse(row.record_json, nullptr, false);
  const Json sig = Json::parse(row.signature, nullptr, false);
  auto parsed = records::erasure_record_from_json(record);
  if (!parsed || !sig.is_object()) {
    return std::unexpected(fmt::format("erasure record {} in the database is unreadable: {}",
                                       row.record_id, parsed ? "bad signature" : parsed.error()));
  }
  return Certificate{*parsed, row.record_json, row.signature,
                     sig.value("key_fingerprint", std::string())};
}

Verification verify_certificate(std::string_view text,
                                const std::optional<PublicKey>& workshop_key) {
  Verification v;
  auto& problems = v.problems;
  const Json doc = Json::parse(text, nullptr, false);
  if (doc.is_discarded()) {
    problems.push_back("the file is not JSON");
    return v;
  }
  if (!doc.is_object()) {
    problems.push_back("not an erasure certificate: expected a JSON object with format, record "
                       "and signature");
    return v;
  }
  if (doc.contains("record_id") && !doc.contains("signature")) {
    problems.push_back("this is an unsigned erasure record, not a certificate (sign it with "
                       "`atelier cert sign FILE --tag TAG`)");
    return v;
  }
  for (const auto& [key, value] : doc.items()) {
    if (key != "format" && key != "record" && key != "signature") {
      problems.push_back(fmt::format("key '{}' is not part of a certificate", key));
    }
  }
  if (const Json* format = member(doc, "", "format", Json::value_t::string, "a string", problems)) {
    if (*format != k_certificate_format) {
      problems.push_back(
          fmt::format("format '{}' is not {}", format->get<std::string>(), k_certificate_format));
    }
  }
  const Json* record = member(doc, "", "record", Json::value_t::object, "an object", problems);
  const Json* sig = member(doc, "", "signature", Json::value_t::object, "an object", problems);
  if (record == nullptr || sig == nullptr) {
    return v;
  }
  v.record_json = *record;

  // The signature block: every part present, typed and well-formed.
  const auto sig_text = [&](std::string_view key) -> std::optional<std::string> {
    const Json* m = member(*sig, "signature", key, Json::value_t::string, "a string", problems);
    return m ? std::optional(m->get<std::string>()) : std::nullopt;
  };
  const auto algorithm = sig_text("algorithm");
  const auto public_key_text = sig_text("public_key");
  const auto claimed_fingerprint = sig_text("key_fingerprint");
  const auto value_text = sig_text("value");
  for (const auto& [key, value] : sig->items()) {
    if (key != "algorithm" && key != "public_key" && key != "key_fingerprint" && key != "value") {
      problems.push_back(fmt::format("key 'signature.{}' is not part of a signature", key));
    }
  }
  if (algorithm && *algorithm != "ed25519") {
    problems.push_back(fmt::format("signature.algorithm '{}' is not ed25519", *algorithm));
  }
  std::optional<PublicKey> signer;
  if (public_key_text) {
    if (auto k = PublicKey::from_base64(*public_key_text)) {
      signer = *k;
      v.signer_fingerprint = k->fingerprint();
    } else {
      problems.push_back("signature.public_key: " + k.error());
    }
  }
  std::optional<std::vector<std::uint8_t>> signature;
  if (value_text) {
    signature = base64_decode(*value_text);
    if (!signature || signature->size() != SigningKey::k_signature_size) {
      problems.push_back("signature.value is not the base64 of a 64-byte Ed25519 signature");
      signature.reset();
    }
  }
  if (signer && claimed_fingerprint && *claimed_fingerprint != signer->fingerprint()) {
    problems.push_back(fmt::format(
        "signature.key_fingerprint {} is not the fingerprint of signature.public_key ({}): the "
        "signature block was altered",
        *claimed_fingerprint, signer->fingerprint()));
  }

  // The signature over the canonical bytes of the record.
  auto canonical = records::canonical_json(*record, "record");
  if (!canonical) {
    problems.push_back(canonical.error());
  } else if (signer && signature) {
    v.signature_matches = signer->verify(*canonical, *signature);
    if (!v.signature_matches) {
      problems.push_back("the signature does not match the record: the record was altered after "
                         "signing (or the signature was)");
    }
  }

  // Every field of the record, and what it says.
  auto parsed = records::erasure_record_from_json(*record);
  if (!parsed) {
    problems.push_back(parsed.error());
  } else {
    v.record = *parsed;
    if (parsed->result != records::ErasureResult::erased) {
      problems.push_back(fmt::format(
          "the record says the erasure failed ({}); a failed erasure is not a certificate",
          parsed->failure_reason.empty() ? "no reason given" : parsed->failure_reason));
    }
  }

  // Whose key: the one in the file proves nothing by itself, only its comparison with the
  // workshop's does.
  v.authenticity_checked = workshop_key.has_value();
  if (signer && workshop_key && *signer != *workshop_key) {
    problems.push_back(fmt::format("signed by key {}, which is not the workshop key {}",
                                   signer->fingerprint(), workshop_key->fingerprint()));
  } else if (signer && !workshop_key) {
    v.notes.push_back(fmt::format(
        "signed by key {}; authenticity was not checked: that key was not compared with the "
        "workshop's public key (from `atelier cert key export`)",
        signer->fingerprint()));
  }
  v.authentic = signer && workshop_key && *signer == *workshop_key && v.signature_matches;
  return v;
}

std::vector<std::string> record_differences(const Json& file_record, const Json& stored_record,
                                            std::string_view stored_date) {
  std::map<std::string, Json> in_file;
  std::map<std::string, Json> in_store;
  flatten(file_record, "", in_file);
  flatten(stored_record, "", in_store);
  std::set<std::string> paths;
  for (const auto& [path, value] : in_file) {
    paths.insert(path);
  }
  for (const auto& [path, value] : in_store) {
    paths.insert(path);
  }
  // An empty array on one side and elements on the other is reported by the elements alone.
  const auto has_elements = [](const std::map<std::string, Json>& leaves, const std::string& path) {
    const auto it = leaves.lower_bound(path + "[");
    return it != leaves.end() && it->first.starts_with(path + "[");
  };
  std::vector<std::string> out;
  for (const std::string& path : paths) {
    if ((in_file.contains(path) && in_file.at(path) == Json::array() &&
         has_elements(in_store, path)) ||
        (in_store.contains(path) && in_store.at(path) == Json::array() &&
         has_elements(in_file, path))) {
      continue;
    }
    const auto a = in_file.find(path);
    const auto b = in_store.find(path);
    const std::optional<Json> file_value =
        a == in_file.end() ? std::nullopt : std::optional(a->second);
    const std::optional<Json> stored_value =
        b == in_store.end() ? std::nullopt : std::optional(b->second);
    if (file_value != stored_value) {
      out.push_back(fmt::format("{}: file says {}, the record of {} says {}", path,
                                shown(file_value), stored_date, shown(stored_value)));
    }
  }
  return out;
}

std::expected<FiledErasure, std::string> file_erasure(hwdb::Registry& registry,
                                                      const hwdb::Unit& unit,
                                                      const records::ErasureRecord& record,
                                                      const SigningKey& key) {
  if (auto ok = check_fileable(record); !ok) {
    return std::unexpected(ok.error());
  }
  FiledErasure result;
  hwdb::ErasureRecord row;
  row.record_id = record.record_id;
  row.started_at = *parse_record_time(record.started_at);
  row.finished_at = *parse_record_time(record.finished_at);
  row.method = record.method;
  row.level = std::string(to_string(record.level));
  row.verification = std::string(to_string(record.verification));
  row.result = std::string(to_string(record.result));
  if (record.result == records::ErasureResult::erased) {
    auto certificate = sign_record(record, key);
    if (!certificate) {
      return std::unexpected(certificate.error());
    }
    row.record_json = certificate->canonical_record;
    row.signature = certificate->signature_json;
    result.certificate = std::move(*certificate);
  } else {
    auto canonical = records::canonical_json(records::to_json(record), "record");
    if (!canonical) {
      return std::unexpected(canonical.error());
    }
    row.record_json = std::move(*canonical);
  }
  const hwdb::Disk disk{
      0, unit.id, record.model, record.serial, record.size_bytes, record.media_type, ""};
  auto filed = registry.record_erasure(unit, disk, std::move(row));
  if (!filed) {
    return std::unexpected(filed.error().message);
  }
  result.filed = std::move(*filed);
  return result;
}

} // namespace atelier::workshop
