// Column-aligned text tables for terminal output (UTF-8 aware widths).
#pragma once

#include <ostream>
#include <string>
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

// Display width of a UTF-8 string in terminal columns (one per code point; no wide glyphs here).
std::size_t display_width(const std::string& s);

} // namespace atelier::cli
