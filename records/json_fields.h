// Typed reading of JSON that comes from outside (an agent's post, the reports it carries): a member
// of the wrong type is an error that names the field by its full path ("field
// 'result.bench.memtest.ran' must be true or false"), never an exception. nlohmann's value() and
// get() throw json::type_error on a wrong type, and one such exception out of a request handler
// used to end atelierd, DHCP and all (issue 14, finding 2): the API handlers and the records
// parsers read through FieldReader instead.
//
// Absent and null are the same thing: an optional member that is absent or null gives the
// fallback, a required one is "missing". Pure, no I/O, never throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace atelier::records {

// How deep a body may nest arrays and objects ([[1]] is 2). nlohmann's parser is iterative, but
// dump(), comparison and the canonical form recurse: a post of 100 000 '[' would overflow the stack
// there. Real bodies nest 6 levels at most (a wipe result's records[].failed_ranges[]).
inline constexpr std::size_t k_max_json_depth = 64;

// The deepest nesting of arrays and objects in `text`, by a scan of its bytes that skips strings:
// it runs before the parser, on anything, and stops counting at `limit` + 1.
std::size_t json_nesting_depth(std::string_view text, std::size_t limit = k_max_json_depth);

// One JSON object from a request body, or why not (a sentence for a 400): not JSON, not an
// object, or nested deeper than `max_depth`.
std::expected<nlohmann::json, std::string>
parse_json_object(std::string_view text, std::size_t max_depth = k_max_json_depth);

// "result" + "bench" → "result.bench"; "" + "token" → "token".
std::string field_path(std::string_view parent, std::string_view key);

// Reads the members of one object, keeping the first error. Each accessor returns the value, or
// its fallback after an error (so a caller reads several members and checks ok() once).
class FieldReader {
public:
  // `object` is at `path` in the document ("" for the document itself) and must outlive the
  // reader. Not an object: the first error says so.
  FieldReader(const nlohmann::json& object, std::string path);

  bool ok() const { return m_error.empty(); }
  // "field 'result.bench.memtest.ran' must be true or false".
  const std::string& error() const { return m_error; }
  const std::string& path() const { return m_path; }

  // Optional members: the fallback when absent or null.
  std::string text(std::string_view key, std::string fallback = {});
  bool flag(std::string_view key, bool fallback);
  double number(std::string_view key, double fallback);
  std::uint64_t count(std::string_view key, std::uint64_t fallback); // a non-negative integer
  // nullptr when absent or null (or after an error).
  const nlohmann::json* object(std::string_view key);
  const nlohmann::json* array(std::string_view key);

  // Required members: "is missing" when absent or null.
  std::string required_text(std::string_view key);
  double required_number(std::string_view key);
  std::int64_t required_integer(std::string_view key);
  std::uint64_t required_count(std::string_view key);
  const nlohmann::json* required_object(std::string_view key);

  // Records an error about member `key` (e.g. a string that is not one of the allowed words).
  void fail(std::string_view key, std::string_view what);
  // Takes the first error of a nested reader.
  void fail_with(const std::string& error);

private:
  // The member, or nullptr when absent, null or after an error; `required` makes absence an error.
  const nlohmann::json* member(std::string_view key, bool required);

  const nlohmann::json& m_object;
  std::string m_path;
  std::string m_error;
};

} // namespace atelier::records
