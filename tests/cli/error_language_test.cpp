// The hardware database's errors and CLI11's usage errors in the messages' language (issue 21,
// docs/TRANSLATING.md): French under a French locale, naming the value as written; English, the
// same sentences as before.
#include "cli/cli.h"
#include "cli/context.h"
#include "hardware-db/asset_tag.h"
#include "hardware-db/lifecycle.h"
#include "support/temp_dir.h"

#include <sstream>
#include <string_view>
#include <utility>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using atelier::cli::run_cli;
using ::testing::HasSubstr;
namespace hwdb = atelier::hwdb;

namespace {

struct CliRun {
  int status;
  std::string out;
  std::string err;
};

class ErrorLanguage : public ::testing::Test {
protected:
  CliRun run(std::vector<std::string> args, const char* lang) {
    args.insert(args.begin(), {"--db", m_db, "--actor", "cli:test"});
    std::ostringstream out, err;
    const int status = run_cli(args, out, err, [lang](const char* name) -> const char* {
      return std::string_view(name) == "LANG" ? lang : nullptr;
    });
    return {status, out.str(), err.str()};
  }
  CliRun fr(std::vector<std::string> args) { return run(std::move(args), "fr_FR.UTF-8"); }
  CliRun en(std::vector<std::string> args) { return run(std::move(args), "C.UTF-8"); }
  std::string add(const std::string& serial) {
    const CliRun r = en({"units", "add", "--vendor", "HP", "--model", "ProDesk 400 G1", "--serial",
                         serial, "--json"});
    EXPECT_EQ(r.status, 0) << r.err;
    return nlohmann::json::parse(r.out).at("tag");
  }
  static std::string nb(std::string text) { // "a : « b »" with no-break spaces
    for (const auto& [from, to] : {std::pair<std::string, std::string>{" :", "\u00a0:"},
                                   {"\u00ab ", "\u00ab\u00a0"},
                                   {" \u00bb", "\u00a0\u00bb"}}) {
      for (std::size_t at = text.find(from); at != std::string::npos;
           at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
      }
    }
    return text;
  }

  atelier::testing::TempDir m_dir;
  std::string m_db = (m_dir / "atelier.db").string();
};

} // namespace

TEST_F(ErrorLanguage, UnknownTagIsNamedInTheReadersLanguage) {
  // Why: `units show` of a tag nobody has is the most common error a volunteer meets.
  add("CZC0000001");
  const std::string unknown = hwdb::AssetTag("AT", 4242).str();
  const CliRun f = fr({"units", "show", unknown});
  EXPECT_EQ(f.status, 1);
  EXPECT_EQ(f.err, "atelier: aucune unité n'a l'étiquette " + unknown + "\n");
  const CliRun e = en({"units", "show", unknown});
  EXPECT_EQ(e.status, 1);
  EXPECT_EQ(e.err, "atelier: no unit has the tag " + unknown + "\n");
}

TEST_F(ErrorLanguage, MalformedTagIsNamedAsTyped) {
  add("CZC0000001");
  EXPECT_EQ(fr({"units", "show", "NOPE-1234"}).err,
            nb("atelier: « NOPE-1234 » n'est pas une étiquette d'inventaire : attendu "
               "PRÉFIXE-NUMÉRO-CLÉ comme AT-0042-7 (1 à 4 lettres, le numéro, le chiffre de "
               "contrôle)\n"));
  EXPECT_EQ(en({"units", "show", "NOPE-1234"}).err,
            "atelier: 'NOPE-1234' is not an asset tag: expected PREFIX-NUMBER-CHECK such as "
            "AT-0042-7 (1-4 letters, the number, the check digit)\n");
}

TEST_F(ErrorLanguage, RefusedStateChangeNamesTheUnitAndItsState) {
  const std::string tag = add("CZC0000001");
  const CliRun f = fr({"unassign", tag, "--reason", "erreur"});
  EXPECT_EQ(f.status, 1);
  EXPECT_EQ(f.err, nb("atelier: " + tag +
                      " est à l'état « detected », pas « assigned » : il n'y a pas d'attribution "
                      "à annuler\n"));
  EXPECT_EQ(en({"unassign", tag, "--reason", "mistake"}).err,
            "atelier: " + tag +
                " is 'detected', not 'assigned': there is no assignment to cancel\n");
  EXPECT_THAT(fr({"assign", tag, "NO-SUCH-HOUSEHOLD"}).err,
              HasSubstr(nb("aucun foyer n'a la référence « NO-SUCH-HOUSEHOLD »")));
}

TEST_F(ErrorLanguage, WrappedErrorIsRenderedWholeInTheLanguage) {
  // Why: Registry::transition prefixes the lifecycle's refusal with the tag ("{tag}: {error}");
  // both the wrapper and the error inside it are translated, the English stays the sentence the
  // REST API and the logs show.
  const auto refused =
      hwdb::check_transition(hwdb::UnitState::detected, hwdb::UnitState::delivered, "");
  ASSERT_FALSE(refused);
  const hwdb::Error wrapped =
      hwdb::failf(refused.error().code, "{tag}: {error}", {{"tag", "AT-0001-7"}}, refused.error())
          .error();
  EXPECT_EQ(wrapped.message, "AT-0001-7: " + refused.error().message);
  EXPECT_EQ(atelier::cli::error_text(atelier::base::Language::en, wrapped), wrapped.message);
  const std::string french = atelier::cli::error_text(atelier::base::Language::fr, wrapped);
  EXPECT_THAT(french, HasSubstr(nb("AT-0001-7 : une unité à l'état « detected » ne peut pas "
                                   "passer à « delivered » (possible depuis « detected » : ")));
  // An error without a pattern (a backend's text) is shown as written in every language.
  const hwdb::Error storage = hwdb::fail(hwdb::ErrorCode::storage, "database is locked").error();
  EXPECT_EQ(atelier::cli::error_text(atelier::base::Language::fr, storage), "database is locked");
}

TEST_F(ErrorLanguage, HouseholdFieldValidationNamesTheFieldAndValue) {
  add("CZC0000001");
  const CliRun f = fr({"households", "add", "REF-1", "--device", "tablet"});
  EXPECT_EQ(f.status, 1);
  EXPECT_EQ(f.err, nb("atelier: device : « tablet » ne fait pas partie de desktop, laptop, any\n"));
  EXPECT_EQ(en({"households", "add", "REF-1", "--device", "tablet"}).err,
            "atelier: device: 'tablet' is not one of desktop, laptop, any\n");
}

TEST_F(ErrorLanguage, UsageErrorsAreTranslatedAndKeepTheirExitStatus) {
  // Why: CLI11 has no translation; a French volunteer who forgets the tag reads French.
  const CliRun missing = fr({"units", "show"});
  EXPECT_EQ(missing.status, 2);
  EXPECT_EQ(missing.err, "il manque TAG\nLancez avec --help pour en savoir plus.\n");
  const CliRun missing_en = en({"units", "show"});
  EXPECT_EQ(missing_en.status, 2);
  EXPECT_EQ(missing_en.err, "TAG is required\nRun with --help for more information.\n");

  const CliRun unknown = fr({"units", "list", "--bogus"});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_EQ(unknown.err, nb("argument inattendu : --bogus\nLancez avec --help pour en savoir "
                            "plus.\n"));
  EXPECT_EQ(en({"units", "list", "--bogus"}).err,
            "The following argument was not expected: --bogus\nRun with --help for more "
            "information.\n");

  const CliRun invalid = fr({"units", "list", "--lang", "de"});
  EXPECT_EQ(invalid.status, 2);
  EXPECT_THAT(invalid.err, HasSubstr(nb("--lang : de ne fait pas partie de {fr,en}\n")));

  const CliRun nothing = fr({});
  EXPECT_EQ(nothing.status, 2);
  EXPECT_THAT(nothing.err, HasSubstr("il manque la commande\n"));
}
