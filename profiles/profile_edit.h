// Small edits of a profile file that keep everything else byte for byte (comments, layout): what
// `atelier image build --update-profile` does once an image is built.
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace atelier::profiles {

// The profile text with [image] sha256 set to `sha256`: the existing value is replaced in place,
// or `sha256 = "..."` is added on the line after the [image] header. Refused (with the reason)
// when the text is not TOML, has no [image] header (e.g. an inline `image = {...}`) or its
// sha256 is not a one-line string.
std::expected<std::string, std::string> set_image_sha256(std::string_view toml_text,
                                                         std::string_view sha256);

} // namespace atelier::profiles
