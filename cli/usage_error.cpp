#include "cli/usage_error.h"

#include "base/i18n.h"
#include "base/typography.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

namespace atelier::cli {
namespace {

using base::tr;
using base::tr_n;
using base::trf;

// CLI11's messages are built by its exception classes (CLI/Error.hpp, CLI/Validators.hpp); these
// read them back only as far as the sentence needs: the option's name and the value. Option names
// never hold a space or ": ".

// "before: after" split at the first ": ".
std::optional<std::pair<std::string, std::string>> split_name(std::string_view text) {
  const std::size_t colon = text.find(": ");
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  return std::pair{std::string(text.substr(0, colon)), std::string(text.substr(colon + 2))};
}

std::optional<std::string> after_prefix(std::string_view text, std::string_view prefix) {
  if (!text.starts_with(prefix)) {
    return std::nullopt;
  }
  return std::string(text.substr(prefix.size()));
}

// A bound of CLI::Range as std::to_string wrote it ("60.000000"), in the language's notation;
// nullopt for the largest double (NonNegativeNumber's "no upper bound").
std::optional<std::string> range_bound(const std::string& text, base::Language language) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || value > 1e300) {
    return std::nullopt;
  }
  std::string shown = base::format_decimal(value, 6, language);
  while (!shown.empty() && shown.back() == '0') {
    shown.pop_back();
  }
  if (!shown.empty() && (shown.back() == '.' || shown.back() == ',')) {
    shown.pop_back();
  }
  return shown;
}

// The validator's reason (CLI/Validators.hpp) for option `option`.
std::string validation_text(base::Language l, const std::string& option, const std::string& why) {
  if (auto file = after_prefix(why, "File does not exist: ")) {
    return trf(l, "{option}: the file {file} does not exist",
               {{"option", option}, {"file", *file}});
  }
  if (auto file = after_prefix(why, "File is actually a directory: ")) {
    return trf(l, "{option}: {file} is a directory, not a file",
               {{"option", option}, {"file", *file}});
  }
  if (auto rest = after_prefix(why, "Value ")) {
    if (const std::size_t at = rest->find(" not in range "); at != std::string::npos) {
      const std::string value = rest->substr(0, at);
      const std::string bounds = rest->substr(at + 14);
      if (const std::size_t to = bounds.find(" to "); to != std::string::npos) {
        const auto low = range_bound(bounds.substr(0, to), l);
        const auto high = range_bound(bounds.substr(to + 4), l);
        if (low && high) {
          return trf(l, "{option}: {value} is not a number from {min} to {max}",
                     {{"option", option}, {"value", value}, {"min", *low}, {"max", *high}});
        }
        if (low && *low == "0") {
          return trf(l, "{option}: {value} is not a number of zero or more",
                     {{"option", option}, {"value", value}});
        }
      }
    }
  }
  if (const std::size_t at = why.rfind(" not in {");
      at != std::string::npos && why.ends_with("}")) {
    return trf(l, "{option}: {value} is not one of {allowed}",
               {{"option", option}, {"value", why.substr(0, at)}, {"allowed", why.substr(at + 8)}});
  }
  return trf(l, "{option}: value refused ({reason})", {{"option", option}, {"reason", why}});
}

std::string sentence(base::Language l, const CLI::Error& e) {
  const std::string what = e.what();
  if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
    if (what == "A subcommand is required") {
      return tr(l, "a command is missing");
    }
    if (what.ends_with(" is required")) {
      return trf(l, "{option} is missing", {{"option", what.substr(0, what.size() - 12)}});
    }
  } else if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    if (auto args = after_prefix(what, "The following argument was not expected: ")) {
      return trf(l, "unexpected argument: {arguments}", {{"arguments", *args}});
    }
    if (auto args = after_prefix(what, "The following arguments were not expected: ")) {
      return trf(l, "unexpected arguments: {arguments}", {{"arguments", *args}});
    }
  } else if (dynamic_cast<const CLI::ValidationError*>(&e) != nullptr) {
    if (auto parts = split_name(what)) {
      return validation_text(l, parts->first, parts->second);
    }
  } else if (dynamic_cast<const CLI::ConversionError*>(&e) != nullptr) {
    if (auto rest = after_prefix(what, "Could not convert: ")) {
      if (const std::size_t eq = rest->find(" = "); eq != std::string::npos) {
        return trf(l, "{option}: {value} is not a value it takes",
                   {{"option", rest->substr(0, eq)}, {"value", rest->substr(eq + 3)}});
      }
    }
  } else if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr) {
    if (auto parts = split_name(what); parts && parts->second.ends_with(" missing")) {
      // TypedAtLeast: "--tag: 1 required TEXT missing" (the option came last, without its value).
      const std::string& detail = parts->second;
      const std::size_t space = std::min(detail.find(' '), detail.size());
      std::uint64_t count = 1;
      if (std::from_chars(detail.data(), detail.data() + space, count).ec != std::errc()) {
        count = 1;
      }
      return tr_n(l, "{option} needs a value", "{option} needs {count} values", count,
                  {{"option", parts->first}, {"count", count}});
    }
    if (auto parts = split_name(what)) {
      return trf(l, "{option}: wrong number of values ({detail})",
                 {{"option", parts->first}, {"detail", parts->second}});
    }
  } else if (dynamic_cast<const CLI::RequiresError*>(&e) != nullptr) {
    if (const std::size_t at = what.find(" requires "); at != std::string::npos) {
      return trf(l, "{option} needs {other} as well",
                 {{"option", what.substr(0, at)}, {"other", what.substr(at + 10)}});
    }
  } else if (dynamic_cast<const CLI::ExcludesError*>(&e) != nullptr) {
    if (const std::size_t at = what.find(" excludes "); at != std::string::npos) {
      return trf(l, "{option} cannot go with {other}",
                 {{"option", what.substr(0, at)}, {"other", what.substr(at + 10)}});
    }
  } else if (dynamic_cast<const CLI::FileError*>(&e) != nullptr) {
    return trf(l, "cannot read a file: {detail}", {{"detail", what}});
  }
  return trf(l, "the command line is wrong: {detail}", {{"detail", what}});
}

} // namespace

std::string usage_error_text(base::Language language, const CLI::App* app, const CLI::Error& e) {
  if (language == base::Language::en) {
    return CLI::FailureMessage::simple(app, e);
  }
  std::string text = sentence(language, e) + '\n';
  if (app->get_help_ptr() != nullptr) {
    text += trf(language, "Run with {option} for more information.",
                {{"option", app->get_help_ptr()->get_name()}}) +
            '\n';
  }
  return text;
}

} // namespace atelier::cli
