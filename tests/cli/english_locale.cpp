// The messages the CLI tests compare are English: before any test runs, the locale variables the
// CLI reads (base::language_from_environment) are set to C.UTF-8, whatever the caller's locale
// is, so a developer under LANG=fr_FR.UTF-8 gets the same results. Tests of other languages pass
// their own environment to run_cli or --lang.
#include <cstdlib>

#include <gtest/gtest.h>

namespace {

class EnglishLocale : public ::testing::Environment {
public:
  void SetUp() override {
    for (const char* name : {"LANGUAGE", "LC_ALL", "LC_MESSAGES"}) {
      ::unsetenv(name);
    }
    ::setenv("LANG", "C.UTF-8", 1);
  }
};

// Registered before main runs (gtest_main); gtest owns it from here.
[[maybe_unused]] ::testing::Environment* const k_english_locale =
    ::testing::AddGlobalTestEnvironment(new EnglishLocale);

} // namespace
