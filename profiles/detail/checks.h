// Internal to atelier_profiles: shape checks for the tailoring values. Each returns why the value
// is refused, or nullopt when it is acceptable. Pure string checks: they cannot tell whether a
// locale is installed in the image, only that it is not a typo of the expected shape.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace atelier::profiles::detail {

std::optional<std::string> check_profile_name(std::string_view);
std::optional<std::string> check_locale(std::string_view);
std::optional<std::string> check_keyboard_layout(std::string_view);
std::optional<std::string> check_keyboard_variant(std::string_view);
std::optional<std::string> check_timezone(std::string_view);
std::optional<std::string> check_username(std::string_view);
std::optional<std::string> check_target_path(std::string_view);
std::optional<std::string> check_sha256(std::string_view);
// "0644" -> 0644; the reason when it is not 3 or 4 octal digits.
std::optional<std::string> check_file_mode(std::string_view, unsigned& mode);

} // namespace atelier::profiles::detail
