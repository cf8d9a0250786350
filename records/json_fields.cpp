#include "records/json_fields.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

namespace atelier::records {

using Json = nlohmann::json;

std::size_t json_nesting_depth(std::string_view text, std::size_t limit) {
  std::size_t depth = 0;
  std::size_t deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i; // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) {
        return deepest;
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

std::expected<Json, std::string> parse_json_object(std::string_view text, std::size_t max_depth) {
  if (json_nesting_depth(text, max_depth) > max_depth) {
    return std::unexpected(
        fmt::format("the body nests arrays and objects deeper than {} levels", max_depth));
  }
  Json document = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    return std::unexpected(std::string("the body is not valid JSON"));
  }
  if (!document.is_object()) {
    return std::unexpected(
        fmt::format("the body is a JSON {}, not an object", document.type_name()));
  }
  return document;
}

std::string field_path(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
}

FieldReader::FieldReader(const Json& object, std::string path)
    : m_object(object), m_path(std::move(path)) {
  if (!m_object.is_object()) {
    m_error = m_path.empty() ? std::string("the document must be a JSON object")
                             : fmt::format("field '{}' must be an object", m_path);
  }
}

void FieldReader::fail(std::string_view key, std::string_view what) {
  if (ok()) {
    m_error = fmt::format("field '{}' {}", field_path(m_path, key), what);
  }
}

void FieldReader::fail_with(const std::string& error) {
  if (ok()) {
    m_error = error;
  }
}

const Json* FieldReader::member(std::string_view key, bool required) {
  if (!ok()) {
    return nullptr;
  }
  const auto it = m_object.find(key);
  if (it == m_object.end() || it->is_null()) {
    if (required) {
      fail(key, "is missing");
    }
    return nullptr;
  }
  return &*it;
}

std::string FieldReader::text(std::string_view key, std::string fallback) {
  const Json* v = member(key, false);
  if (v == nullptr) {
    return fallback;
  }
  if (!v->is_string()) {
    fail(key, "must be a string");
    return fallback;
  }
  return v->get<std::string>();
}

std::string FieldReader::required_text(std::string_view key) {
  const Json* v = member(key, true);
  if (v != nullptr && !v->is_string()) {
    fail(key, "must be a string");
  }
  return ok() && v != nullptr ? v->get<std::string>() : std::string();
}

bool FieldReader::flag(std::string_view key, bool fallback) {
  const Json* v = member(key, false);
  if (v == nullptr) {
    return fallback;
  }
  if (!v->is_boolean()) {
    fail(key, "must be true or false");
    return fallback;
  }
  return v->get<bool>();
}

double FieldReader::number(std::string_view key, double fallback) {
  const Json* v = member(key, false);
  if (v == nullptr) {
    return fallback;
  }
  if (!v->is_number()) {
    fail(key, "must be a number");
    return fallback;
  }
  return v->get<double>();
}

double FieldReader::required_number(std::string_view key) {
  const Json* v = member(key, true);
  if (v != nullptr && !v->is_number()) {
    fail(key, "must be a number");
  }
  return ok() && v != nullptr ? v->get<double>() : 0.0;
}

namespace {

// A non-negative integer, whichever of nlohmann's two integer types holds it.
std::optional<std::uint64_t> as_count(const Json& v) {
  if (v.is_number_unsigned()) {
    return v.get<std::uint64_t>();
  }
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0) {
    return static_cast<std::uint64_t>(v.get<std::int64_t>());
  }
  return std::nullopt;
}

} // namespace

std::uint64_t FieldReader::count(std::string_view key, std::uint64_t fallback) {
  const Json* v = member(key, false);
  if (v == nullptr) {
    return fallback;
  }
  const auto value = as_count(*v);
  if (!value) {
    fail(key, "must be a non-negative integer");
    return fallback;
  }
  return *value;
}

std::uint64_t FieldReader::required_count(std::string_view key) {
  const Json* v = member(key, true);
  if (v == nullptr) {
    return 0;
  }
  const auto value = as_count(*v);
  if (!value) {
    fail(key, "must be a non-negative integer");
    return 0;
  }
  return *value;
}

std::int64_t FieldReader::required_integer(std::string_view key) {
  const Json* v = member(key, true);
  if (v == nullptr) {
    return 0;
  }
  // An unsigned beyond int64 is not one of our row ids or counts: refused like any non-integer.
  if (v->is_number_unsigned() &&
      v->get<std::uint64_t>() >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    fail(key, "is out of range");
    return 0;
  }
  if (!v->is_number_integer()) {
    fail(key, "must be an integer");
    return 0;
  }
  return v->get<std::int64_t>();
}

const Json* FieldReader::object(std::string_view key) {
  const Json* v = member(key, false);
  if (v != nullptr && !v->is_object()) {
    fail(key, "must be an object");
    return nullptr;
  }
  return v;
}

const Json* FieldReader::required_object(std::string_view key) {
  const Json* v = member(key, true);
  if (v != nullptr && !v->is_object()) {
    fail(key, "must be an object");
    return nullptr;
  }
  return v;
}

const Json* FieldReader::array(std::string_view key) {
  const Json* v = member(key, false);
  if (v != nullptr && !v->is_array()) {
    fail(key, "must be an array");
    return nullptr;
  }
  return v;
}

} // namespace atelier::records
