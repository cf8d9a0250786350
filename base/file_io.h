// Whole-file reads and atomic writes for the command line (certificates, keys, PDFs), and
// anonymous memory files for what servers make and serve like files.
#pragma once

#include "base/unique_fd.h"

#include <expected>
#include <string>
#include <string_view>

namespace atelier::base {

// The file's bytes, or "PATH: cannot be read".
std::expected<std::string, std::string> read_file(const std::string& path);
// Writes through PATH.tmp and a rename, so a reader never sees half a file.
std::expected<void, std::string> write_file_atomically(const std::string& path,
                                                       const std::string& bytes);
// An anonymous memory file (memfd, close-on-exec) holding `bytes`, its offset at the end (read it
// with pread, or open /proc/self/fd/N); `name` shows in /proc. Errors: the reason, no path.
std::expected<UniqueFd, std::string> memory_file(const std::string& name, std::string_view bytes);

} // namespace atelier::base
