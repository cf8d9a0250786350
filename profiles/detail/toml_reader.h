// Internal to atelier_profiles (it includes toml++, which the public headers never do).
//
// The validation toolkit of the profile and program loaders. The contract that makes validation
// complete: a TableReader is built with the full list of keys its table may hold, reports every
// other key on construction, and each accessor reports its own type, range or enum errors and
// returns nullopt, so the loaders never stop at the first error and never see an unchecked value.
#pragma once

#include "profiles/detail/names.h"
#include "profiles/diagnostic.h"
#include "profiles/size.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

namespace atelier::profiles::detail {

// Collects the diagnostics of one file.
class Reporter {
public:
  explicit Reporter(std::string file) : m_file(std::move(file)) {}

  void error(const toml::source_region& where, std::string key, std::string message);
  void warning(const toml::source_region& where, std::string key, std::string message);
  void add(Diagnostic diagnostic) { m_diagnostics.push_back(std::move(diagnostic)); }

  const std::string& file() const { return m_file; }
  bool has_errors() const { return profiles::has_errors(m_diagnostics); }
  SourceLocation location(const toml::source_region& where) const;
  // All diagnostics so far, sorted by line; the reporter is empty afterwards.
  Diagnostics take();

private:
  std::string m_file;
  Diagnostics m_diagnostics;
};

// Parses TOML text. A syntax error becomes one diagnostic at the parser's line and column; toml++
// stops at the first one, so there is never more than one. The only place toml++ exceptions are
// caught.
std::optional<toml::table> parse_toml(std::string_view text, Reporter&);

enum class Need { optional, required };

// "a string", "an integer", ... for "expected X, found Y".
std::string_view type_phrase(toml::node_type);
// Reports "expected <expected>, found <type of node>[ (<hint>)]".
void type_error(Reporter&, const toml::node&, const std::string& path, std::string_view expected,
                std::string_view hint = {});

// Value checks shared by table keys and array elements; `path` is the dotted key for diagnostics.
std::optional<std::string> read_string(Reporter&, const toml::node&, const std::string& path);
std::optional<bool> read_boolean(Reporter&, const toml::node&, const std::string& path);
std::optional<std::int64_t> read_integer(Reporter&, const toml::node&, const std::string& path,
                                         std::int64_t min, std::int64_t max);
// An integer or a floating-point number in [min, max].
std::optional<double> read_number(Reporter&, const toml::node&, const std::string& path, double min,
                                  double max);
std::optional<ByteSize> read_size(Reporter&, const toml::node&, const std::string& path);
// 1..4, or "x86-64-v1".."x86-64-v4".
std::optional<int> read_cpu_level(Reporter&, const toml::node&, const std::string& path);

template <typename E, std::size_t N>
std::optional<E> read_choice(Reporter& reporter, const toml::node& node, const std::string& path,
                             const std::array<Named<E>, N>& names) {
  const std::optional<std::string> text = read_string(reporter, node, path);
  if (!text) {
    return std::nullopt;
  }
  if (auto value = value_of(names, *text)) {
    return value;
  }
  reporter.error(node.source(), path,
                 "unknown value \"" + *text + "\" (allowed: " + quoted_names(names) + ")");
  return std::nullopt;
}

class TableReader {
public:
  // path: dotted path of this table, "" for the document root. Reports unknown keys now.
  TableReader(Reporter&, const toml::table&, std::string path,
              std::initializer_list<std::string_view> known_keys);

  Reporter& reporter() const { return m_reporter; }
  const toml::table& table() const { return m_table; }
  const std::string& path() const { return m_path; }
  std::string key_path(std::string_view key) const;
  const toml::source_region& where() const { return m_table.source(); }
  // The value's location, or the table's when the key is absent.
  const toml::source_region& where(std::string_view key) const;

  const toml::node* node(std::string_view key) const;
  bool has(std::string_view key) const { return node(key) != nullptr; }

  void error(std::string_view key, std::string message) const;
  void warning(std::string_view key, std::string message) const;
  // Reports a missing required key at the table's header, unless an unknown key of this table
  // was already reported with this key as its suggestion ("descripton": one mistake, one error).
  void missing(std::string_view key, std::string message = "missing required key") const;

  std::optional<std::string> string(std::string_view key, Need) const;
  std::optional<bool> boolean(std::string_view key, Need) const;
  std::optional<std::int64_t> integer(std::string_view key, Need, std::int64_t min,
                                      std::int64_t max) const;
  std::optional<double> number(std::string_view key, Need, double min, double max) const;
  std::optional<ByteSize> size(std::string_view key, Need) const;
  std::optional<int> cpu_level(std::string_view key, Need) const;
  const toml::table* subtable(std::string_view key, Need) const;
  const toml::array* array(std::string_view key, Need) const;

  template <typename E, std::size_t N>
  std::optional<E> choice(std::string_view key, Need need,
                          const std::array<Named<E>, N>& names) const {
    const toml::node* value = present(key, need);
    return value == nullptr ? std::nullopt : read_choice(m_reporter, *value, key_path(key), names);
  }

  // A non-empty array of distinct enum names. nullopt when absent or when any element is wrong
  // (every wrong element is reported).
  template <typename E, std::size_t N>
  std::optional<std::vector<E>> choice_list(std::string_view key, Need need,
                                            const std::array<Named<E>, N>& names) const {
    const toml::array* items = array(key, need);
    if (items == nullptr) {
      return std::nullopt;
    }
    if (items->empty()) {
      error(key, "must list at least one value (allowed: " + quoted_names(names) + ")");
      return std::nullopt;
    }
    std::vector<E> values;
    bool ok = true;
    for (std::size_t i = 0; i < items->size(); ++i) {
      const std::string element_path = key_path(key) + "[" + std::to_string(i) + "]";
      const auto value = read_choice(m_reporter, (*items)[i], element_path, names);
      if (!value) {
        ok = false;
        continue;
      }
      if (std::find(values.begin(), values.end(), *value) != values.end()) {
        m_reporter.error((*items)[i].source(), element_path,
                         "\"" + std::string(name_of(names, *value)) + "\" is listed twice");
        ok = false;
        continue;
      }
      values.push_back(*value);
    }
    return ok ? std::optional(std::move(values)) : std::nullopt;
  }

private:
  // The node when present; reports a missing required key.
  const toml::node* present(std::string_view key, Need) const;

  Reporter& m_reporter;
  const toml::table& m_table;
  std::string m_path;
  std::vector<std::string_view> m_known;
  std::vector<std::string_view> m_suggested; // keys offered as "did you mean" for unknown keys
};

} // namespace atelier::profiles::detail
