// Column-aligned text tables for terminal output (UTF-8 aware widths).
#pragma once

#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace atelier::cli {

class Table {
public:
  explicit Table(std::vector<std::string> headers) : m_headers(std::move(headers)) {}
  void add(std::vector<std::string> row) { m_rows.push_back(std::move(row)); }
  bool empty() const { return m_rows.empty(); }
  void print(std::ostream& out) const;

private:
  std::vector<std::string> m_headers;
  std::vector<std::vector<std::string>> m_rows;
};

// "Label  value" lines, the values aligned one column after the widest label (and at least at
// `min_width`): what `units show` and `households show` print. The labels are translated words of
// any length; a row whose value is empty is left out; a row whose label is empty continues the
// one above it.
class Fields {
public:
  explicit Fields(std::size_t min_width) : m_min_width(min_width) {}
  void add(std::string label, std::string value);
  void print(std::ostream& out) const;

private:
  std::size_t m_min_width;
  std::vector<std::pair<std::string, std::string>> m_rows;
};

// Display width of a UTF-8 string in terminal columns (one per code point; no wide glyphs here).
std::size_t display_width(const std::string& s);

} // namespace atelier::cli
