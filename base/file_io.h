// Whole-file reads and atomic writes for the command line (certificates, keys, PDFs).
#pragma once

#include <expected>
#include <string>

namespace atelier::base {

// The file's bytes, or "PATH: cannot be read".
std::expected<std::string, std::string> read_file(const std::string& path);
// Writes through PATH.tmp and a rename, so a reader never sees half a file.
std::expected<void, std::string> write_file_atomically(const std::string& path,
                                                       const std::string& bytes);

} // namespace atelier::base
