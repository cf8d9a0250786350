#include "profiles/diagnostic.h"

#include <algorithm>

#include <fmt/format.h>

namespace atelier::profiles {

std::string Diagnostic::to_string() const {
  std::string out = file;
  if (line > 0) {
    out += fmt::format(":{}", line);
    if (column > 0) {
      out += fmt::format(":{}", column);
    }
  }
  out += ": ";
  if (severity == Severity::warning) {
    out += "warning: ";
  }
  if (!key.empty()) {
    out += key;
    out += ": ";
  }
  out += message;
  return out;
}

bool has_errors(const Diagnostics& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::error; });
}

void sort_by_location(Diagnostics& diagnostics) {
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     if (a.file != b.file) {
                       return a.file < b.file;
                     }
                     if (a.line != b.line) {
                       return a.line < b.line;
                     }
                     return a.column < b.column;
                   });
}

} // namespace atelier::profiles
