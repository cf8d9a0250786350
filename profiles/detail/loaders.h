// Internal to atelier_profiles: the loaders with their one file-system touchpoint injected.
#pragma once

#include "profiles/profile.h"

#include <expected>
#include <filesystem>
#include <functional>
#include <optional>
#include <string_view>

namespace atelier::profiles::detail {

// Whether a regular file exists; load_profile passes the real check, parse_profile none.
using FileExists = std::function<bool(const std::filesystem::path&)>;

class TableReader;

// Reads [image.build] from the [image] table into `out` (left empty when the table is absent).
void read_image_build(const TableReader& image_table, const Image& image,
                      std::optional<ImageBuild>& out);

std::expected<Profile, Diagnostics> parse_profile_with(std::string_view toml_text,
                                                       std::string_view file_name,
                                                       const FileExists* file_exists);

} // namespace atelier::profiles::detail
