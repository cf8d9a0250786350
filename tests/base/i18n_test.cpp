// Translated text (base/i18n.h) and each language's typography (base/typography.h): the catalogue
// built from po/fr.po is found and read without any system locale, a language is chosen per call
// (two threads rendering two languages at once agree with one thread), placeholders are named,
// and French text follows French rules.
#include "base/i18n.h"
#include "base/language.h"
#include "base/typography.h"
#include "support/temp_dir.h"

#include <cstdlib>
#include <map>
#include <thread>

#include <gtest/gtest.h>

namespace atelier::base {
namespace {

using namespace std::chrono;

TEST(FormatMessage, FillsNamedPlaceholdersInAnyOrder) {
  EXPECT_EQ(format_message("Disk {index} of {count}", {{"count", 3}, {"index", 1}}), "Disk 1 of 3");
  EXPECT_EQ(format_message("{a}-{a}", {{"a", "x"}}), "x-x");
  EXPECT_EQ(format_message("{{literal}} {v}", {{"v", std::string("value")}}), "{literal} value");
}

TEST(FormatMessage, LeavesAPlaceholderWithoutArgumentVisible) {
  // Why: a translation naming a placeholder the code does not pass must show, not crash; the
  // catalogue check keeps this from reaching a paper.
  EXPECT_EQ(format_message("Grade {grade}", {{"other", "A"}}), "Grade {grade}");
  EXPECT_EQ(format_message("open { brace", {}), "open { brace");
}

TEST(FormatMessage, NeverRereadsASubstitutedValue) {
  // Why: free text from a record ("{note}") must come out as written.
  EXPECT_EQ(format_message("{a} {b}", {{"a", "{b}"}, {"b", "B"}}), "{b} B");
}

TEST(MessagePlaceholders, AreTheSortedNamesWithoutEscapedBraces) {
  EXPECT_EQ(message_placeholders("{count} disks, {subject}: {count}"),
            (std::vector<std::string>{"count", "subject"}));
  EXPECT_TRUE(message_placeholders("{{not}} one").empty());
}

TEST(Catalogues, TheProcessFindsTheBuiltFrenchCatalogue) {
  // Why: the test executables find build/share/locale without installation; without it every
  // French paper test below would compare English.
  EXPECT_FALSE(catalogues().dir().empty());
  EXPECT_EQ(trf(Language::fr, "Grade {grade}", {{"grade", "A"}}), "Classe A");
  EXPECT_EQ(trf(Language::en, "Grade {grade}", {{"grade", "A"}}), "Grade A");
}

TEST(Catalogues, ContextsKeepTheSameEnglishApart) {
  EXPECT_EQ(tr_ctx(Language::fr, "verification", "passed"), "r\u00e9ussie");
  EXPECT_EQ(tr_ctx(Language::fr, "SMART", "passed"), "bon \u00e9tat");
  EXPECT_EQ(tr_ctx(Language::en, "SMART", "passed"), "passed");
}

TEST(Catalogues, PluralFormsFollowEachLanguagesRule) {
  // French: 0 and 1 take the singular; English: only 1.
  const auto fr = [](std::uint64_t n) {
    return tr_n(Language::fr, "{count} pass", "{count} passes", n, {{"count", n}});
  };
  const auto en = [](std::uint64_t n) {
    return tr_n(Language::en, "{count} pass", "{count} passes", n, {{"count", n}});
  };
  EXPECT_EQ(fr(0), "0 passe");
  EXPECT_EQ(fr(1), "1 passe");
  EXPECT_EQ(fr(2), "2 passes");
  EXPECT_EQ(fr(5'000'000'001), "5000000001 passes");
  EXPECT_EQ(en(0), "0 passes");
  EXPECT_EQ(en(1), "1 pass");
}

TEST(Catalogues, FrenchTranslationsGetNoBreakSpacesBeforePunctuation) {
  // po/fr.po holds "Jusqu'au {date}. Gardez cette fiche : ..." with an ordinary space.
  EXPECT_EQ(trf(Language::fr, "Disk {index} of {count}: {disk}",
                {{"index", 1}, {"count", 2}, {"disk", "a : b"}}),
            "Disque 1 sur 2\u00a0: a : b"); // the value is not touched
}

TEST(Catalogues, AMessageWithoutEntryComesOutAsWritten) {
  EXPECT_EQ(tr(Language::fr, "no such message in any catalogue"),
            "no such message in any catalogue");
}

TEST(Catalogues, LoadNamesTheMissingFile) {
  const testing::TempDir dir;
  const auto loaded = Catalogues::load(dir.path());
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().find("fr/LC_MESSAGES/atelier.mo"), std::string::npos) << loaded.error();
}

TEST(Catalogues, LoadReadsADirectoryGivenExplicitly) {
  const auto loaded = Catalogues::load(catalogues().dir());
  ASSERT_TRUE(loaded) << loaded.error();
  EXPECT_EQ(loaded->get(Language::fr, "month", "December"), "d\u00e9cembre");
  EXPECT_EQ(Catalogues::source_only().get(Language::fr, "month", "December"), "December");
}

TEST(Catalogues, TwoThreadsInTwoLanguagesGetTheirOwnWords) {
  // Why: atelierd may render a French paper and an English one at once; nothing is process-wide.
  std::string fr_seen, en_seen;
  std::thread french([&] {
    for (int i = 0; i < 2000 && fr_seen.empty(); ++i) {
      if (tr(Language::fr, "Warranty") != "Garantie") {
        fr_seen = tr(Language::fr, "Warranty");
      }
    }
  });
  std::thread english([&] {
    for (int i = 0; i < 2000 && en_seen.empty(); ++i) {
      if (tr(Language::en, "Warranty") != "Warranty") {
        en_seen = tr(Language::en, "Warranty");
      }
    }
  });
  french.join();
  english.join();
  EXPECT_EQ(fr_seen, "");
  EXPECT_EQ(en_seen, "");
}

TEST(CatalogueSearchPath, ATELIER_LOCALEDIR_ComesFirst) {
  ::setenv("ATELIER_LOCALEDIR", "/nowhere/locale", 1);
  const auto dirs = catalogue_search_path();
  ::unsetenv("ATELIER_LOCALEDIR");
  ASSERT_FALSE(dirs.empty());
  EXPECT_EQ(dirs.front(), "/nowhere/locale");
}

TEST(Language, CodesAndLocaleNames) {
  EXPECT_EQ(parse_language("fr"), Language::fr);
  EXPECT_EQ(parse_language("en"), Language::en);
  EXPECT_EQ(parse_language("fr_FR"), std::nullopt); // --lang takes codes only
  EXPECT_EQ(language_code(Language::fr), "fr");
  EXPECT_EQ(language_of_locale("fr_FR.UTF-8"), Language::fr);
  EXPECT_EQ(language_of_locale("fr_BE@euro"), Language::fr);
  EXPECT_EQ(language_of_locale("fr"), Language::fr);
  EXPECT_EQ(language_of_locale("en_GB.UTF-8"), Language::en);
  EXPECT_EQ(language_of_locale("C.UTF-8"), Language::en);
  EXPECT_EQ(language_of_locale("POSIX"), Language::en);
  EXPECT_EQ(language_of_locale("de_DE.UTF-8"), std::nullopt);
  EXPECT_EQ(language_of_locale(""), std::nullopt);
}

TEST(Language, FromTheEnvironmentAsGettextReadsIt) {
  using Env = std::map<std::string, std::string>;
  const auto from = [](const Env& env) {
    return language_from_environment([&env](const char* name) -> const char* {
      const auto it = env.find(name);
      return it == env.end() ? nullptr : it->second.c_str();
    });
  };
  EXPECT_EQ(from({{"LANG", "fr_FR.UTF-8"}}), Language::fr);
  EXPECT_EQ(from({{"LANG", "fr_FR.UTF-8"}, {"LC_ALL", "en_US.UTF-8"}}), Language::en);
  EXPECT_EQ(from({{"LANG", "en_US.UTF-8"}, {"LC_MESSAGES", "fr_CA.UTF-8"}}), Language::fr);
  // LANGUAGE lists preferences, the first Atelier has wins; ignored under the C locale.
  EXPECT_EQ(from({{"LANG", "en_US.UTF-8"}, {"LANGUAGE", "de:fr:en"}}), Language::fr);
  EXPECT_EQ(from({{"LANG", "C.UTF-8"}, {"LANGUAGE", "fr"}}), Language::en);
  EXPECT_EQ(from({{"LANG", "de_DE.UTF-8"}}), std::nullopt);
  EXPECT_EQ(from({}), std::nullopt);
}

TEST(FrenchSpacing, NoBreakSpaceBeforeHighSignsAndInsideGuillemets) {
  EXPECT_EQ(french_spacing("Fin : 3 ; ok ! vraiment ?"),
            "Fin\u00a0: 3\u00a0; ok\u00a0! vraiment\u00a0?");
  EXPECT_EQ(french_spacing("le compte \u00ab alice \u00bb"),
            "le compte \u00ab\u00a0alice\u00a0\u00bb");
  EXPECT_EQ(french_spacing("\u00abalice\u00bb"), "\u00ab\u00a0alice\u00a0\u00bb");
}

TEST(FrenchSpacing, LeavesTimesUrlsAndAlreadySpacedTextAlone) {
  EXPECT_EQ(french_spacing("12:30 https://x.example a;b"), "12:30 https://x.example a;b");
  EXPECT_EQ(french_spacing("Fin\u00a0: 3"), "Fin\u00a0: 3");
  EXPECT_EQ(french_spacing("\u00ab\u00a0a\u00a0\u00bb"), "\u00ab\u00a0a\u00a0\u00bb");
}

TEST(FormatDecimal, FrenchWritesADecimalComma) {
  EXPECT_EQ(format_decimal(1.5, 1, Language::fr), "1,5");
  EXPECT_EQ(format_decimal(1.5, 1, Language::en), "1.5");
  EXPECT_EQ(format_decimal(500.1234, 2, Language::fr), "500,12");
  EXPECT_EQ(format_decimal(8.0, 0, Language::fr), "8");
}

TEST(FormatLongDate, DayMonthNameYearWithTheFrenchFirst) {
  EXPECT_EQ(format_long_date(2026y / December / 6, Language::fr), "6 d\u00e9cembre 2026");
  EXPECT_EQ(format_long_date(2026y / December / 6, Language::en), "6 December 2026");
  EXPECT_EQ(format_long_date(2027y / May / 1, Language::fr), "1er mai 2027");
  EXPECT_EQ(format_long_date(2027y / August / 15, Language::fr), "15 ao\u00fbt 2027");
}

} // namespace
} // namespace atelier::base
