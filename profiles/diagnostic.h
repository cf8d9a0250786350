// Diagnostics of profile and program files: what a volunteer reads when `atelier profile check`
// rejects a file. Every diagnostic names the file, the line and column, and the dotted key
// ("partitioning.swap", "grading.ram[1].min") so the mistake can be found without reading code.
#pragma once

#include <string>
#include <vector>

namespace atelier::profiles {

enum class Severity {
  error,   // the file is refused
  warning, // the file is accepted, but something deserves attention (e.g. no image checksum yet)
};

struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based; 0 when the problem is the file as a whole (e.g. it cannot be read)
  int column = 0;  // 1-based; 0 when unknown
  std::string key; // dotted path of the key concerned; empty for syntax errors and file errors
  std::string message;
  Severity severity = Severity::error;

  // Compiler style, so editors can jump to it:
  //   "file:line:column: key: message"           (error)
  //   "file:line:column: warning: key: message"  (warning)
  // The key part is left out when empty, and line/column when 0.
  std::string to_string() const;
};

using Diagnostics = std::vector<Diagnostic>;

bool has_errors(const Diagnostics&);

// Orders by file, line, column; keeps the order of diagnostics at the same place. Tables of a
// TOML document are visited in key order, not file order, so loaders sort before returning.
void sort_by_location(Diagnostics&);

} // namespace atelier::profiles
