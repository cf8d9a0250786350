// Matchers for diagnostics, so that tests state the exact line and key of each error.
#pragma once

#include "profiles/diagnostic.h"

#include <ostream>
#include <string>
#include <string_view>

#include <gmock/gmock.h>

namespace atelier::profiles {

// Failure messages show diagnostics as `atelier profile check` would print them.
inline void PrintTo(const Diagnostic& diagnostic, std::ostream* out) {
  *out << diagnostic.to_string();
}

namespace testing_support {

// Inline TOML documents start with R"( and a newline; dropping it makes the first line line 1.
inline std::string_view body(std::string_view text) {
  if (text.starts_with('\n')) {
    text.remove_prefix(1);
  }
  return text;
}

// An error at `line` about `key` whose message contains `text`.
inline ::testing::Matcher<const Diagnostic&> error_at(int line, const std::string& key,
                                                      const std::string& text = "") {
  using ::testing::AllOf;
  using ::testing::Field;
  return AllOf(Field("line", &Diagnostic::line, line), Field("key", &Diagnostic::key, key),
               Field("message", &Diagnostic::message, ::testing::HasSubstr(text)),
               Field("severity", &Diagnostic::severity, Severity::error));
}

inline ::testing::Matcher<const Diagnostic&> warning_at(int line, const std::string& key,
                                                        const std::string& text = "") {
  using ::testing::AllOf;
  using ::testing::Field;
  return AllOf(Field("line", &Diagnostic::line, line), Field("key", &Diagnostic::key, key),
               Field("message", &Diagnostic::message, ::testing::HasSubstr(text)),
               Field("severity", &Diagnostic::severity, Severity::warning));
}

} // namespace testing_support
} // namespace atelier::profiles
