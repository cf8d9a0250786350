#include "profiles/file_kind.h"

#include "profiles/detail/loaders.h"
#include "profiles/detail/text.h"
#include "profiles/detail/toml_reader.h"
#include "profiles/program.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace atelier::profiles {

std::expected<FileKind, Diagnostics> detect_kind(std::string_view toml_text,
                                                 std::string_view file_name) {
  detail::Reporter reporter{std::string(file_name)};
  const std::optional<toml::table> document = detail::parse_toml(toml_text, reporter);
  if (!document) {
    return std::unexpected(reporter.take());
  }
  const toml::node* profile = document->get("profile");
  const toml::node* program = document->get("program");
  if (profile != nullptr && program != nullptr) {
    reporter.error(program->source(), "program",
                   "a file is a profile ([profile]) or a program file ([program]), not both");
  } else if (profile == nullptr && program == nullptr) {
    reporter.error(document->source(), "",
                   "neither a profile (no [profile] table) nor a program file (no [program] "
                   "table)");
  }
  if (reporter.has_errors()) {
    return std::unexpected(reporter.take());
  }
  return profile != nullptr ? FileKind::profile : FileKind::program;
}

CheckResult check_file(const std::filesystem::path& file) {
  CheckResult result;
  auto text = detail::read_text_file(file);
  if (!text) {
    result.diagnostics.push_back(Diagnostic{file.string(), 0, 0, "", text.error()});
    return result;
  }
  auto kind = detect_kind(*text, file.string());
  if (!kind) {
    result.diagnostics = std::move(kind.error());
    return result;
  }
  result.kind = *kind;
  if (*kind == FileKind::profile) {
    // Same as load_profile, without reading the file twice.
    const detail::FileExists exists = [](const std::filesystem::path& path) {
      std::error_code ec;
      return std::filesystem::is_regular_file(path, ec);
    };
    auto profile = detail::parse_profile_with(*text, file.string(), &exists);
    result.diagnostics = profile ? std::move(profile->warnings) : std::move(profile.error());
  } else {
    auto program = parse_program(*text, file.string());
    result.diagnostics = program ? std::move(program->warnings) : std::move(program.error());
  }
  return result;
}

std::expected<std::vector<Profile>, Diagnostics>
load_profiles(std::span<const std::filesystem::path> files) {
  std::vector<Profile> profiles;
  Diagnostics diagnostics;
  bool failed = false;
  std::map<std::string, SourceLocation, std::less<>> names;
  for (const auto& file : files) {
    auto profile = load_profile(file);
    if (!profile) {
      failed = true;
      diagnostics.insert(diagnostics.end(), profile.error().begin(), profile.error().end());
      continue;
    }
    diagnostics.insert(diagnostics.end(), profile->warnings.begin(), profile->warnings.end());
    const auto [it, inserted] = names.emplace(profile->name, profile->name_location);
    if (!inserted) {
      // Two profiles with one name would make match results and imaging records ambiguous.
      failed = true;
      const SourceLocation& here = profile->name_location;
      diagnostics.push_back(
          Diagnostic{here.file, here.line, here.column, "profile.name",
                     fmt::format("profile \"{}\" is already defined at {}:{}", profile->name,
                                 it->second.file, it->second.line)});
    }
    profiles.push_back(std::move(*profile));
  }
  if (failed) {
    sort_by_location(diagnostics);
    return std::unexpected(std::move(diagnostics));
  }
  return profiles;
}

std::expected<std::vector<Profile>, Diagnostics>
load_profile_directory(const std::filesystem::path& directory) {
  std::vector<std::filesystem::path> candidates;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(directory, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->path().extension() == ".toml" && it->is_regular_file(ec)) {
      candidates.push_back(it->path());
    }
  }
  if (ec) {
    return std::unexpected(Diagnostics{
        Diagnostic{directory.string(), 0, 0, "", "cannot read directory: " + ec.message()}});
  }
  std::sort(candidates.begin(), candidates.end());
  std::vector<std::filesystem::path> files;
  Diagnostics diagnostics;
  for (const auto& file : candidates) {
    auto text = detail::read_text_file(file);
    if (!text) {
      diagnostics.push_back(Diagnostic{file.string(), 0, 0, "", text.error()});
      continue;
    }
    auto kind = detect_kind(*text, file.string());
    if (!kind) {
      diagnostics.insert(diagnostics.end(), kind.error().begin(), kind.error().end());
    } else if (*kind == FileKind::profile) {
      files.push_back(file);
    }
  }
  auto profiles = load_profiles(files);
  if (!profiles) {
    diagnostics.insert(diagnostics.end(), profiles.error().begin(), profiles.error().end());
  }
  if (has_errors(diagnostics)) {
    sort_by_location(diagnostics);
    return std::unexpected(std::move(diagnostics));
  }
  return profiles;
}

} // namespace atelier::profiles
