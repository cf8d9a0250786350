// Internal to atelier_profiles: small text helpers shared by the loaders.
#pragma once

#include <expected>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace atelier::profiles::detail {

// Reads a whole file. On failure, a sentence such as "cannot read file: No such file or directory".
std::expected<std::string, std::string> read_text_file(const std::filesystem::path&);

// Optimal string alignment distance (Levenshtein plus adjacent transpositions): "priorty" and
// "priority" are 1 apart, "naem" and "name" too.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to word when it is close enough to be the likely intended spelling:
// same letters in another case, or a distance of 1 (words of 3+ characters) or 2 (6+ characters).
std::optional<std::string_view> closest_match(std::string_view word,
                                              std::span<const std::string_view> candidates);

} // namespace atelier::profiles::detail
