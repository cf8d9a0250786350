#include "profiles/detail/toml_reader.h"

#include "base/text.h"
#include "profiles/detail/text.h"

#include <cassert>
#include <iterator>

#include <fmt/format.h>

namespace atelier::profiles::detail {
namespace {

int to_int(toml::source_index index) {
  return static_cast<int>(index);
}

Diagnostic make(const std::string& file, const toml::source_region& where, std::string key,
                std::string message, Severity severity) {
  return Diagnostic{file,           to_int(where.begin.line), to_int(where.begin.column),
                    std::move(key), std::move(message),       severity};
}

std::string join(std::span<const std::string_view> words) {
  return base::join(words, ", ");
}

} // namespace

void Reporter::error(const toml::source_region& where, std::string key, std::string message) {
  m_diagnostics.push_back(make(m_file, where, std::move(key), std::move(message), Severity::error));
}

void Reporter::warning(const toml::source_region& where, std::string key, std::string message) {
  m_diagnostics.push_back(
      make(m_file, where, std::move(key), std::move(message), Severity::warning));
}

SourceLocation Reporter::location(const toml::source_region& where) const {
  return SourceLocation{m_file, to_int(where.begin.line), to_int(where.begin.column)};
}

Diagnostics Reporter::take() {
  Diagnostics out = std::move(m_diagnostics);
  m_diagnostics.clear();
  sort_by_location(out);
  return out;
}

std::optional<toml::table> parse_toml(std::string_view text, Reporter& reporter) {
  try {
    return toml::parse(text, std::string_view(reporter.file()));
  } catch (const toml::parse_error& e) {
    reporter.error(e.source(), "", "TOML syntax error: " + std::string(e.description()));
    return std::nullopt;
  }
}

std::string_view type_phrase(toml::node_type type) {
  switch (type) {
  case toml::node_type::none:
    return "nothing";
  case toml::node_type::table:
    return "a table";
  case toml::node_type::array:
    return "an array";
  case toml::node_type::string:
    return "a string";
  case toml::node_type::integer:
    return "an integer";
  case toml::node_type::floating_point:
    return "a floating-point number";
  case toml::node_type::boolean:
    return "a boolean";
  case toml::node_type::date:
    return "a date";
  case toml::node_type::time:
    return "a time";
  case toml::node_type::date_time:
    return "a date-time";
  }
  return "an unknown type";
}

void type_error(Reporter& reporter, const toml::node& node, const std::string& path,
                std::string_view expected, std::string_view hint) {
  std::string message = fmt::format("expected {}, found {}", expected, type_phrase(node.type()));
  if (!hint.empty()) {
    message += fmt::format(" ({})", hint);
  }
  reporter.error(node.source(), path, std::move(message));
}

std::optional<std::string> read_string(Reporter& reporter, const toml::node& node,
                                       const std::string& path) {
  if (const auto* value = node.as_string()) {
    return value->get();
  }
  type_error(reporter, node, path, "a string");
  return std::nullopt;
}

std::optional<bool> read_boolean(Reporter& reporter, const toml::node& node,
                                 const std::string& path) {
  if (const auto* value = node.as_boolean()) {
    return value->get();
  }
  type_error(reporter, node, path, "a boolean", "write true or false, without quotes");
  return std::nullopt;
}

std::optional<std::int64_t> read_integer(Reporter& reporter, const toml::node& node,
                                         const std::string& path, std::int64_t min,
                                         std::int64_t max) {
  const auto* value = node.as_integer();
  if (value == nullptr) {
    type_error(reporter, node, path, "an integer");
    return std::nullopt;
  }
  if (value->get() < min || value->get() > max) {
    reporter.error(node.source(), path,
                   fmt::format("{} is out of range ({} to {})", value->get(), min, max));
    return std::nullopt;
  }
  return value->get();
}

std::optional<double> read_number(Reporter& reporter, const toml::node& node,
                                  const std::string& path, double min, double max) {
  std::optional<double> value;
  if (const auto* i = node.as_integer()) {
    value = static_cast<double>(i->get());
  } else if (const auto* f = node.as_floating_point()) {
    value = f->get();
  }
  if (!value) {
    type_error(reporter, node, path, "a number");
    return std::nullopt;
  }
  if (!(*value >= min && *value <= max)) {
    reporter.error(node.source(), path,
                   fmt::format("{} is out of range ({} to {})", *value, min, max));
    return std::nullopt;
  }
  return value;
}

std::optional<ByteSize> read_size(Reporter& reporter, const toml::node& node,
                                  const std::string& path) {
  const auto* text = node.as_string();
  if (text == nullptr) {
    type_error(reporter, node, path, "a size string such as \"4GiB\" or \"64GB\"");
    return std::nullopt;
  }
  auto size = parse_byte_size(text->get());
  if (!size) {
    reporter.error(node.source(), path, std::move(size.error()));
    return std::nullopt;
  }
  return *size;
}

std::optional<int> read_cpu_level(Reporter& reporter, const toml::node& node,
                                  const std::string& path) {
  static constexpr std::string_view k_allowed = "1 to 4, or \"x86-64-v1\" to \"x86-64-v4\"";
  if (const auto* number = node.as_integer()) {
    if (number->get() >= 1 && number->get() <= 4) {
      return static_cast<int>(number->get());
    }
    reporter.error(node.source(), path,
                   fmt::format("unknown CPU level {} (allowed: {})", number->get(), k_allowed));
    return std::nullopt;
  }
  if (const auto* text = node.as_string()) {
    const std::string& name = text->get();
    for (int level = 1; level <= 4; ++level) {
      if (name == cpu_level_name(level)) {
        return level;
      }
    }
    reporter.error(node.source(), path,
                   fmt::format("unknown CPU level \"{}\" (allowed: {})", name, k_allowed));
    return std::nullopt;
  }
  type_error(reporter, node, path, "an x86-64 level", k_allowed);
  return std::nullopt;
}

TableReader::TableReader(Reporter& reporter, const toml::table& table, std::string path,
                         std::initializer_list<std::string_view> known_keys)
    : m_reporter(reporter), m_table(table), m_path(std::move(path)), m_known(known_keys) {
  for (auto&& [key, value] : m_table) {
    const std::string_view name = key.str();
    if (std::find(m_known.begin(), m_known.end(), name) != m_known.end()) {
      continue;
    }
    // Suggest only keys the table does not already have: "sdd" next to hdd means ssd.
    std::vector<std::string_view> absent;
    std::copy_if(m_known.begin(), m_known.end(), std::back_inserter(absent),
                 [&](std::string_view k) { return !m_table.contains(k); });
    std::string message = fmt::format("unknown key '{}'", name);
    if (const auto suggestion = closest_match(name, absent)) {
      message += fmt::format(" (did you mean '{}'?)", *suggestion);
      m_suggested.push_back(*suggestion);
    } else {
      message += fmt::format(" (known keys: {})", join(m_known));
    }
    m_reporter.error(key.source(), key_path(name), std::move(message));
  }
}

std::string TableReader::key_path(std::string_view key) const {
  return m_path.empty() ? std::string(key) : fmt::format("{}.{}", m_path, key);
}

const toml::source_region& TableReader::where(std::string_view key) const {
  const toml::node* value = node(key);
  return value != nullptr ? value->source() : m_table.source();
}

const toml::node* TableReader::node(std::string_view key) const {
  // A key the reader does not declare would silently escape the unknown-key check.
  assert(std::find(m_known.begin(), m_known.end(), key) != m_known.end());
  return m_table.get(key);
}

void TableReader::error(std::string_view key, std::string message) const {
  m_reporter.error(where(key), key_path(key), std::move(message));
}

void TableReader::warning(std::string_view key, std::string message) const {
  m_reporter.warning(where(key), key_path(key), std::move(message));
}

void TableReader::missing(std::string_view key, std::string message) const {
  if (std::find(m_suggested.begin(), m_suggested.end(), key) == m_suggested.end()) {
    m_reporter.error(m_table.source(), key_path(key), std::move(message));
  }
}

const toml::node* TableReader::present(std::string_view key, Need need) const {
  const toml::node* value = node(key);
  if (value == nullptr && need == Need::required) {
    missing(key);
  }
  return value;
}

std::optional<std::string> TableReader::string(std::string_view key, Need need) const {
  const toml::node* value = present(key, need);
  return value == nullptr ? std::nullopt : read_string(m_reporter, *value, key_path(key));
}

std::optional<bool> TableReader::boolean(std::string_view key, Need need) const {
  const toml::node* value = present(key, need);
  return value == nullptr ? std::nullopt : read_boolean(m_reporter, *value, key_path(key));
}

std::optional<std::int64_t> TableReader::integer(std::string_view key, Need need, std::int64_t min,
                                                 std::int64_t max) const {
  const toml::node* value = present(key, need);
  return value == nullptr ? std::nullopt
                          : read_integer(m_reporter, *value, key_path(key), min, max);
}

std::optional<double> TableReader::number(std::string_view key, Need need, double min,
                                          double max) const {
  const toml::node* value = present(key, need);
  return value == nullptr ? std::nullopt : read_number(m_reporter, *value, key_path(key), min, max);
}

std::optional<ByteSize> TableReader::size(std::string_view key, Need need) const {
  const toml::node* value = present(key, need);
  return value == nullptr ? std::nullopt : read_size(m_reporter, *value, key_path(key));
}

std::optional<int> TableReader::cpu_level(std::string_view key, Need need) const {
  const toml::node* value = present(key, need);
  return value == nullptr ? std::nullopt : read_cpu_level(m_reporter, *value, key_path(key));
}

const toml::table* TableReader::subtable(std::string_view key, Need need) const {
  const toml::node* value = node(key);
  if (value == nullptr) {
    if (need == Need::required) {
      missing(key, fmt::format("missing required table [{}]", key_path(key)));
    }
    return nullptr;
  }
  if (const auto* table = value->as_table()) {
    return table;
  }
  type_error(m_reporter, *value, key_path(key), "a table");
  return nullptr;
}

const toml::array* TableReader::array(std::string_view key, Need need) const {
  const toml::node* value = present(key, need);
  if (value == nullptr) {
    return nullptr;
  }
  if (const auto* items = value->as_array()) {
    return items;
  }
  type_error(m_reporter, *value, key_path(key), "an array");
  return nullptr;
}

} // namespace atelier::profiles::detail
