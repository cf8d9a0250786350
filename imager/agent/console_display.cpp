#include "imager/agent/console_display.h"

#include "imager/agent/screen_text.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>

#include <fmt/format.h>

namespace atelier::imager {
namespace {

// 5x5 glyphs, one string of 5 rows of 5 cells each ('#' = block).
struct Glyph {
  char c;
  std::array<const char*, 5> rows;
};

constexpr std::array<Glyph, 40> k_font{{
    {'A', {" ### ", "#   #", "#####", "#   #", "#   #"}},
    {'B', {"#### ", "#   #", "#### ", "#   #", "#### "}},
    {'C', {" ####", "#    ", "#    ", "#    ", " ####"}},
    {'D', {"#### ", "#   #", "#   #", "#   #", "#### "}},
    {'E', {"#####", "#    ", "#### ", "#    ", "#####"}},
    {'F', {"#####", "#    ", "#### ", "#    ", "#    "}},
    {'G', {" ####", "#    ", "#  ##", "#   #", " ####"}},
    {'H', {"#   #", "#   #", "#####", "#   #", "#   #"}},
    {'I', {"#####", "  #  ", "  #  ", "  #  ", "#####"}},
    {'J', {"  ###", "    #", "    #", "#   #", " ### "}},
    {'K', {"#   #", "#  # ", "###  ", "#  # ", "#   #"}},
    {'L', {"#    ", "#    ", "#    ", "#    ", "#####"}},
    {'M', {"#   #", "## ##", "# # #", "#   #", "#   #"}},
    {'N', {"#   #", "##  #", "# # #", "#  ##", "#   #"}},
    {'O', {" ### ", "#   #", "#   #", "#   #", " ### "}},
    {'P', {"#### ", "#   #", "#### ", "#    ", "#    "}},
    {'Q', {" ### ", "#   #", "# # #", "#  # ", " ## #"}},
    {'R', {"#### ", "#   #", "#### ", "#  # ", "#   #"}},
    {'S', {" ####", "#    ", " ### ", "    #", "#### "}},
    {'T', {"#####", "  #  ", "  #  ", "  #  ", "  #  "}},
    {'U', {"#   #", "#   #", "#   #", "#   #", " ### "}},
    {'V', {"#   #", "#   #", "#   #", " # # ", "  #  "}},
    {'W', {"#   #", "#   #", "# # #", "## ##", "#   #"}},
    {'X', {"#   #", " # # ", "  #  ", " # # ", "#   #"}},
    {'Y', {"#   #", " # # ", "  #  ", "  #  ", "  #  "}},
    {'Z', {"#####", "   # ", "  #  ", " #   ", "#####"}},
    {'0', {" ### ", "#  ##", "# # #", "##  #", " ### "}},
    {'1', {"  #  ", " ##  ", "  #  ", "  #  ", " ### "}},
    {'2', {" ### ", "#   #", "  ## ", " #   ", "#####"}},
    {'3', {"#### ", "    #", " ### ", "    #", "#### "}},
    {'4', {"#   #", "#   #", "#####", "    #", "    #"}},
    {'5', {"#####", "#    ", "#### ", "    #", "#### "}},
    {'6', {" ### ", "#    ", "#### ", "#   #", " ### "}},
    {'7', {"#####", "    #", "   # ", "  #  ", "  #  "}},
    {'8', {" ### ", "#   #", " ### ", "#   #", " ### "}},
    {'9', {" ### ", "#   #", " ####", "    #", " ### "}},
    {'-', {"     ", "     ", " ### ", "     ", "     "}},
    {' ', {"     ", "     ", "     ", "     ", "     "}},
    {'.', {"     ", "     ", "     ", "     ", "  #  "}},
    {'?', {" ### ", "#   #", "  ## ", "     ", "  #  "}},
}};

// The letter of the font a UTF-8 character is drawn as: ASCII as itself, a no-break space as a
// space, French's accented letters (upper and lower case) as their base letter, anything else '?'.
// Advances `i` past the character.
char font_letter(std::string_view text, std::size_t& i) {
  const auto byte = [&](std::size_t k) {
    return static_cast<unsigned char>(text[k]);
  };
  const unsigned char lead = byte(i);
  if (lead < 0x80) {
    ++i;
    return static_cast<char>(lead);
  }
  std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  length = std::min(length, text.size() - i);
  char letter = '?';
  if (length == 2 && lead == 0xC2 && byte(i + 1) == 0xA0) {
    letter = ' ';
  } else if (length == 2 && lead == 0xC3) {
    // U+00C0..U+00FF: the Latin-1 letters, upper case at 0x80..0x9F, lower case 0xA0..0xBF.
    const unsigned char low = byte(i + 1) & 0xDF; // upper and lower case alike
    if (low >= 0x80 && low <= 0x86) {
      letter = 'A';
    } else if (low == 0x87) {
      letter = 'C';
    } else if (low >= 0x88 && low <= 0x8B) {
      letter = 'E';
    } else if (low >= 0x8C && low <= 0x8F) {
      letter = 'I';
    } else if (low >= 0x92 && low <= 0x96) {
      letter = 'O';
    } else if (low >= 0x99 && low <= 0x9C) {
      letter = 'U';
    }
  } else if (length == 2 && lead == 0xC5 && (byte(i + 1) == 0x92 || byte(i + 1) == 0x93)) {
    letter = 'O'; // Œ œ
  }
  i += length;
  return letter;
}

const Glyph& glyph_for(char c) {
  const char upper = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const auto& g : k_font) {
    if (g.c == upper) {
      return g;
    }
  }
  return k_font.back();
}

std::string duration_text(double seconds) {
  const auto s = static_cast<long>(std::lround(seconds));
  return s >= 3600 ? fmt::format("{}h{:02}", s / 3600, (s % 3600) / 60)
                   : fmt::format("{}m{:02}s", s / 60, s % 60);
}

} // namespace

std::vector<std::string> big_text(std::string_view text) {
  std::vector<std::string> rows(5);
  for (std::size_t i = 0; i < text.size();) {
    const bool first = i == 0;
    const Glyph& g = glyph_for(font_letter(text, i));
    for (std::size_t r = 0; r < 5; ++r) {
      if (!first) {
        rows[r] += ' ';
      }
      for (const char* cell = g.rows[r]; *cell != '\0'; ++cell) {
        rows[r] += *cell == '#' ? "\u2588" : " ";
      }
    }
  }
  return rows;
}

std::string render_screen(const ScreenState& s, int width) {
  std::string out = "\033[2J\033[H"; // clear, home
  const std::string rule(static_cast<std::size_t>(std::max(width, 20)), '=');
  out += rule + "\n  ATELIER\n" + rule + "\n\n";
  if (!s.tag.empty()) {
    for (const auto& row : big_text(s.tag)) {
      out += "  " + row + "\n";
    }
    out += "\n";
  }
  const std::string headline = s.verdict.empty() ? s.stage : s.verdict;
  for (const auto& row : big_text(headline)) {
    out += "  " + row + "\n";
  }
  out += "\n";
  if (s.verdict.empty()) {
    if (!s.detail.empty()) {
      out += "  " + s.detail + "\n";
    }
    if (s.fraction) {
      const int bar = std::max(10, width - 20);
      const int filled = static_cast<int>(std::clamp(*s.fraction, 0.0, 1.0) * bar);
      out += fmt::format("  [{}{}] {:3.0f}%", std::string(static_cast<std::size_t>(filled), '#'),
                         std::string(static_cast<std::size_t>(bar - filled), '.'),
                         std::clamp(*s.fraction, 0.0, 1.0) * 100);
      if (s.eta_seconds) {
        out += "  " + eta_label(s.language) + " " + duration_text(*s.eta_seconds);
      }
      out += "\n";
    }
  } else {
    out += "  >>> " + s.message + "\n";
  }
  return out;
}

void ConsoleDisplay::show(const ScreenState& state) {
  std::string screen = render_screen(state);
  if (screen == m_last) {
    return;
  }
  m_out << screen << std::flush;
  m_last = std::move(screen);
}

} // namespace atelier::imager
