#include "base/typography.h"

#include "base/i18n.h"

#include <fmt/format.h>

namespace atelier::base {

std::string french_spacing(std::string_view text) {
  constexpr std::string_view k_open = "\u00ab", k_close = "\u00bb";
  std::string out;
  out.reserve(text.size() + 8);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const std::string_view rest = text.substr(i);
    if (c == ' ' && i + 1 < text.size() &&
        std::string_view(";:!?").find(text[i + 1]) != std::string_view::npos) {
      out += k_no_break_space;
      continue;
    }
    if (rest.starts_with(k_open)) {
      out += k_open;
      i += k_open.size() - 1;
      if (i + 1 < text.size() && text[i + 1] == ' ') {
        ++i; // the ASCII space after « becomes a no-break space
      }
      if (!text.substr(i + 1).starts_with(k_no_break_space)) {
        out += k_no_break_space;
      }
      continue;
    }
    if (rest.starts_with(k_close)) {
      if (out.ends_with(' ')) {
        out.pop_back();
      }
      if (!out.ends_with(k_no_break_space)) {
        out += k_no_break_space;
      }
      out += k_close;
      i += k_close.size() - 1;
      continue;
    }
    out += c;
  }
  return out;
}

std::string format_decimal(double value, int decimals, Language language) {
  std::string text = fmt::format("{:.{}f}", value, decimals);
  if (language == Language::fr) {
    if (const auto dot = text.find('.'); dot != std::string::npos) {
      text[dot] = ',';
    }
  }
  return text;
}

namespace {

std::string month_name(unsigned month, Language language) {
  // The context keeps "May" the month apart from any other "May".
  switch (month) {
  case 1:
    return tr_ctx(language, "month", "January");
  case 2:
    return tr_ctx(language, "month", "February");
  case 3:
    return tr_ctx(language, "month", "March");
  case 4:
    return tr_ctx(language, "month", "April");
  case 5:
    return tr_ctx(language, "month", "May");
  case 6:
    return tr_ctx(language, "month", "June");
  case 7:
    return tr_ctx(language, "month", "July");
  case 8:
    return tr_ctx(language, "month", "August");
  case 9:
    return tr_ctx(language, "month", "September");
  case 10:
    return tr_ctx(language, "month", "October");
  case 11:
    return tr_ctx(language, "month", "November");
  default:
    return tr_ctx(language, "month", "December");
  }
}

} // namespace

std::string format_long_date(std::chrono::year_month_day date, Language language) {
  const unsigned day = static_cast<unsigned>(date.day());
  const std::string day_text =
      language == Language::fr && day == 1 ? std::string("1er") : std::to_string(day);
  return fmt::format("{} {} {}", day_text,
                     month_name(static_cast<unsigned>(date.month()), language),
                     static_cast<int>(date.year()));
}

} // namespace atelier::base
