// Checking files whose kind is not known in advance (`atelier profile check FILE...`), and loading
// every profile of a directory.
#pragma once

#include "profiles/diagnostic.h"
#include "profiles/profile.h"

#include <expected>
#include <filesystem>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace atelier::profiles {

// A profile file has a [profile] table, a program file a [program] table; never both.
enum class FileKind { profile, program };
std::string_view to_string(FileKind);

// Parses the TOML only as far as needed to tell the kind. Pure.
std::expected<FileKind, Diagnostics> detect_kind(std::string_view toml_text,
                                                 std::string_view file_name);

struct CheckResult {
  std::optional<FileKind> kind; // empty when the file could not be read or parsed
  Diagnostics diagnostics;      // errors and warnings, sorted by line
  bool ok() const { return !has_errors(diagnostics); }
};

// Reads, detects the kind and fully validates one file.
CheckResult check_file(const std::filesystem::path& file);

// Loads the given profile files; fails if any fails, or if two profiles share a name. All
// diagnostics of all files are returned together.
std::expected<std::vector<Profile>, Diagnostics>
load_profiles(std::span<const std::filesystem::path> files);

// Loads every *.toml file of a directory that is a profile (program files are skipped), in file
// name order.
std::expected<std::vector<Profile>, Diagnostics>
load_profile_directory(const std::filesystem::path& directory);

} // namespace atelier::profiles
