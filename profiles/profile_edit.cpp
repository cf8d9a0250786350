#include "profiles/profile_edit.h"

#include <fmt/format.h>
#include <toml++/toml.h>

namespace atelier::profiles {
namespace {

// Byte offset of a toml++ position (1-based line, 1-based column counted in code points).
std::size_t offset_of(std::string_view text, const toml::source_position& where) {
  std::size_t at = 0;
  for (toml::source_index line = 1; line < where.line && at < text.size(); ++line) {
    at = text.find('\n', at);
    at = at == std::string_view::npos ? text.size() : at + 1;
  }
  for (toml::source_index column = 1; column < where.column && at < text.size(); ++column) {
    ++at;
    while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) {
      ++at; // a UTF-8 continuation byte belongs to the previous code point
    }
  }
  return at;
}

} // namespace

std::expected<std::string, std::string> set_image_sha256(std::string_view text,
                                                         std::string_view sha256) {
  toml::table document;
  try {
    document = toml::parse(text);
  } catch (const toml::parse_error& e) {
    return std::unexpected(
        fmt::format("line {}: TOML syntax error: {}", e.source().begin.line, e.description()));
  }
  const toml::table* image = document["image"].as_table();
  if (image == nullptr || image->is_inline() || image->source().begin.line == 0) {
    return std::unexpected("no [image] table header to add sha256 under; set it by hand");
  }
  std::string out(text);
  const std::string value = fmt::format("\"{}\"", sha256);
  if (const toml::node* existing = image->get("sha256")) {
    const std::size_t begin = offset_of(text, existing->source().begin);
    const char quote = begin < text.size() ? text[begin] : '\0';
    const std::size_t end =
        quote == '"' || quote == '\'' ? text.find(quote, begin + 1) : std::string_view::npos;
    if (!existing->is_string() || end == std::string_view::npos ||
        text.substr(begin, end - begin).find('\n') != std::string_view::npos ||
        text.substr(begin, 3) == "\"\"\"" || text.substr(begin, 3) == "'''") {
      return std::unexpected(fmt::format("line {}: image.sha256 is not a one-line string; set it "
                                         "by hand",
                                         existing->source().begin.line));
    }
    out.replace(begin, end + 1 - begin, value);
    return out;
  }
  // After the header line: "[image]" possibly followed by a comment.
  // A table only implied by [image.build] has no header of its own: toml++ then points at the
  // subtable's header, under which sha256 would land in the wrong table.
  const std::size_t header = offset_of(text, image->source().begin);
  const std::size_t close = text.find(']', header);
  std::string name;
  for (std::size_t i = header; close != std::string_view::npos && i <= close; ++i) {
    if (text[i] != ' ' && text[i] != '\t') {
      name += text[i];
    }
  }
  if (name != "[image]") {
    return std::unexpected("no [image] table header to add sha256 under; set it by hand");
  }
  const std::size_t line_end = text.find('\n', header);
  const std::string line = fmt::format("sha256 = {}\n", value);
  if (line_end == std::string_view::npos) {
    out += "\n" + line;
  } else {
    out.insert(line_end + 1, line);
  }
  return out;
}

} // namespace atelier::profiles
