#include "cli/table.h"

#include <algorithm>

namespace atelier::cli {

std::size_t display_width(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80; // skip UTF-8 continuation bytes
  }));
}

void Table::print(std::ostream& out) const {
  std::vector<std::size_t> widths;
  for (const auto& h : m_headers) {
    widths.push_back(display_width(h));
  }
  for (const auto& row : m_rows) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], display_width(row[i]));
    }
  }
  const auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size() && i < widths.size(); ++i) {
      out << cells[i];
      if (i + 1 < cells.size()) {
        out << std::string(widths[i] - display_width(cells[i]) + 2, ' ');
      }
    }
    out << '\n';
  };
  line(m_headers);
  for (const auto& row : m_rows) {
    line(row);
  }
}

void Fields::add(std::string label, std::string value) {
  if (!value.empty()) {
    m_rows.emplace_back(std::move(label), std::move(value));
  }
}

void Fields::print(std::ostream& out) const {
  std::size_t width = m_min_width;
  for (const auto& [label, value] : m_rows) {
    width = std::max(width, display_width(label) + 1);
  }
  for (const auto& [label, value] : m_rows) {
    out << label << std::string(width - display_width(label), ' ') << value << '\n';
  }
}

} // namespace atelier::cli
