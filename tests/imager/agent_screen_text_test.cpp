// The machine's screen in the program's language (issue 21): what the volunteer reads under the
// block letters, worded from atelierd's codes and values, English for an atelierd that names no
// language, and the English the agent posts to atelierd unchanged.
#include "base/typography.h"
#include "imager/agent/console_display.h"
#include "imager/agent/screen_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace atelier {
namespace {

using base::Language;
using imager::Said;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

// French punctuation comes with a no-break space: the expectations write it as "\u00a0".
const std::string k_nbsp(base::k_no_break_space);

TEST(ScreenLanguage, ComesFromTheAnswerAndIsEnglishWithoutOne) {
  // Why: an atelierd older than issue 21 sends no language; its agents must still speak.
  EXPECT_EQ(imager::language_of_answer(json{{"unit", "AT-1"}, {"language", "fr"}}), Language::fr);
  EXPECT_EQ(imager::language_of_answer(json{{"unit", "AT-1"}, {"language", "en"}}), Language::en);
  EXPECT_EQ(imager::language_of_answer(json{{"unit", "AT-1"}}), Language::en);
  EXPECT_EQ(imager::language_of_answer(json{{"language", "de"}}), Language::en);
  EXPECT_EQ(imager::language_of_answer(json{{"language", 3}}), Language::en);
}

TEST(ScreenText, StagesAndVerdictsInTheProgramsLanguage) {
  EXPECT_EQ(imager::stage_title(Language::en, imager::Stage::wiping), "WIPING");
  EXPECT_EQ(imager::stage_title(Language::fr, imager::Stage::wiping), "EFFACEMENT");
  EXPECT_EQ(imager::stage_title(Language::fr, imager::Stage::checking), "VÉRIFICATION");
  EXPECT_EQ(imager::verdict_title(Language::en, "READY"), "READY");
  EXPECT_EQ(imager::verdict_title(Language::fr, "READY"), "PRÊTE");
  EXPECT_EQ(imager::verdict_title(Language::fr, "FAILED"), "ÉCHEC");
  EXPECT_EQ(imager::verdict_title(Language::fr, "PARTS"), "PIÈCES");
  EXPECT_EQ(imager::verdict_title(Language::fr, "STOPPED"), "ARRÊT");
  // A verdict word from a newer atelierd is shown as sent, never mistaken for another.
  EXPECT_EQ(imager::verdict_title(Language::fr, "DONATED"), "DONATED");
}

TEST(ScreenText, BlockLettersDropAccentsAndKeepNoBreakSpaces) {
  // Why: the font has no accented letters; "VÉRIFICATION" must not come out as "V??RIFICATION".
  EXPECT_EQ(imager::big_text("VÉRIFICATION"), imager::big_text("VERIFICATION"));
  EXPECT_EQ(imager::big_text("prête"), imager::big_text("PRETE"));
  EXPECT_EQ(imager::big_text("EFFACER CETTE MACHINE" + k_nbsp + "?"),
            imager::big_text("EFFACER CETTE MACHINE ?"));
  EXPECT_EQ(imager::big_text("ŒUF"), imager::big_text("OUF"));
  EXPECT_EQ(imager::big_text("€"), imager::big_text("?"));
}

// The English words are exactly atelierd's own `message` (daemon::verdict_for): an English screen
// reads the same as before issue 21.
TEST(ScreenText, FinishMessageFromCodesInEnglishIsAtelierdsSentence) {
  const json ready{{"verdict", "READY"},
                   {"tag", "AT-0042-7"},
                   {"message", "stick label AT-0042-7 and shelve the machine"}};
  EXPECT_EQ(imager::finish_message(Language::en, ready, {}),
            "stick label AT-0042-7 and shelve the machine");
  const json failed{{"verdict", "FAILED"},
                    {"tag", "AT-0042-7"},
                    {"failed_step", "wipe"},
                    {"reason", "DISK FAILING — /dev/vda (serial X1): Input/output error"}};
  EXPECT_EQ(imager::finish_message(Language::en, failed, {}),
            "AT-0042-7: wipe failed: DISK FAILING — /dev/vda (serial X1): Input/output error");
}

TEST(ScreenText, FinishMessageInFrenchShowsTheAgentsOwnReasonInFrench) {
  // Why: "FAILED: no internal disk to install on" was what a French volunteer read (issue 21).
  const Said own{"no internal disk to install on", "aucun disque interne où installer"};
  const json failed{{"verdict", "FAILED"},
                    {"tag", "AT-0042-7"},
                    {"failed_step", "deploy"},
                    {"reason", "no internal disk to install on"},
                    {"message", "AT-0042-7: deploy failed: no internal disk to install on"}};
  EXPECT_EQ(imager::finish_message(Language::fr, failed, own),
            "AT-0042-7" + k_nbsp + ": échec de l'installation" + k_nbsp +
                ": aucun disque interne où installer");
  // atelierd's own reason (not the agent's) is a value: shown as written, in French words.
  const json stalled{{"verdict", "FAILED"}, {"tag", "AT-0042-7"}, {"reason", "no word for 10 min"}};
  EXPECT_EQ(imager::finish_message(Language::fr, stalled, own),
            "AT-0042-7" + k_nbsp + ": no word for 10 min");
  const json ready{{"verdict", "READY"}, {"tag", "AT-0042-7"}};
  EXPECT_EQ(imager::finish_message(Language::fr, ready, own),
            "collez l'étiquette AT-0042-7 et rangez la machine");
  const json parts{{"verdict", "PARTS"}, {"tag", "AT-0042-7"}, {"reason", "graded parts: RAM"}};
  EXPECT_THAT(imager::finish_message(Language::fr, parts, own),
              HasSubstr("«" + k_nbsp + "pièces" + k_nbsp + "»"));
}

TEST(ScreenText, AtelierdsOwnReasonIsWordedFromItsCodeInTheScreensLanguage) {
  // Why (issue 21): a stall or a grade, written by atelierd, was English on a French screen.
  // atelierd sends its sentence's code and values; the values are data, shown as written.
  const json stalled{{"verdict", "FAILED"},
                     {"tag", "AT-0042-7"},
                     {"reason", "no word from the agent for 10 min during wipe (powered off, hung "
                                "or unplugged?): boot the machine again over the network to "
                                "resume"},
                     {"reason_code", "no_word"},
                     {"reason_values", {{"minutes", "10"}, {"step", "wipe"}}}};
  EXPECT_EQ(imager::finish_message(Language::fr, stalled, {}),
            "AT-0042-7" + k_nbsp + ": aucune nouvelle de l'agent depuis 10" + k_nbsp +
                "min pendant l'étape effacement "
                "(éteinte, bloquée ou débranchée" +
                k_nbsp + "?)" + k_nbsp + ": redémarrez la machine par le réseau pour reprendre");
  // In English the screen shows atelierd's sentence, as recorded.
  EXPECT_EQ(imager::finish_message(Language::en, stalled, {}),
            "AT-0042-7: " + stalled["reason"].get<std::string>());
  const json parts{{"verdict", "PARTS"},
                   {"tag", "AT-0042-7"},
                   {"reason", "graded parts; its disks are erased"},
                   {"reason_code", "graded_parts_erased"}};
  EXPECT_THAT(imager::finish_message(Language::fr, parts, {}),
              HasSubstr("classée pour pièces" + k_nbsp + "; ses disques sont effacés"));
  // atelierd's sentence inside its own reason (an erasure it will not certify, in "could not be
  // recorded") is worded too; the check's own words stay as written.
  const json refused{
      {"verdict", "FAILED"},
      {"tag", "AT-0042-7"},
      {"reason", "wipe result could not be recorded: the erasure cannot be certified: sda missing"},
      {"reason_code", "result_not_recorded"},
      {"reason_values",
       {{"step", "wipe"}, {"why", "the erasure cannot be certified: sda missing"}}}};
  const std::string worded = imager::finish_message(Language::fr, refused, {});
  EXPECT_THAT(worded, HasSubstr("l'étape effacement"));
  EXPECT_THAT(worded,
              HasSubstr("l'effacement ne peut pas être certifié" + k_nbsp + ": sda missing"));
  // A code this agent does not know (a newer atelierd): the English reason, as sent.
  json newer = stalled;
  newer["reason_code"] = "something_new";
  EXPECT_THAT(imager::finish_message(Language::fr, newer, {}), HasSubstr("no word from the agent"));
}

TEST(ScreenText, FinishOfAnOldAtelierdIsItsMessageAsSent) {
  const json old{{"verdict", "FAILED"}, {"message", "AT-1: wipe failed: x"}, {"action", "wait"}};
  EXPECT_EQ(imager::finish_message(Language::fr, old, {}), "AT-1: wipe failed: x");
}

TEST(ScreenText, ConfirmIsWordedFromTheGateCode) {
  const json params{{"tag", "AT-1"},
                    {"disks", json::array({"sda: ST500 (500 GB)"})},
                    {"gate", "unexpected"},
                    {"why", "this machine is not expected (English from atelierd)"}};
  const std::string fr = imager::confirm_text(Language::fr, params);
  EXPECT_THAT(fr, HasSubstr("cette machine n'est pas attendue"));
  EXPECT_THAT(fr, HasSubstr("sda: ST500 (500 GB)"));
  EXPECT_THAT(fr, HasSubstr("Appuyez sur O"));
  EXPECT_THAT(fr, Not(HasSubstr("English from atelierd")));
  // Without a gate code (older atelierd): its `why` as sent.
  json old = params;
  old.erase("gate");
  EXPECT_THAT(imager::confirm_text(Language::fr, old), HasSubstr("English from atelierd"));
  EXPECT_THAT(imager::confirm_text(Language::en, params),
              HasSubstr("Press Y to erase everything on them"));
}

TEST(ScreenText, WaitingAndProgressLines) {
  EXPECT_EQ(imager::waiting_text(Language::fr, json{{"wait", true}, {"position", 2}}),
            "en attente d'une place libre (place 2 dans la file)");
  EXPECT_EQ(imager::waiting_text(Language::en, json{{"wait", true}, {"message", "later"}}),
            "later");
  const json event{{"operation", "wipe"}, {"device", "/dev/sda"}, {"detail", "pass 1 of 1"}};
  EXPECT_EQ(imager::progress_line(Language::en, event), "wipe /dev/sda pass 1 of 1");
  EXPECT_EQ(imager::progress_line(Language::fr, event), "effacement /dev/sda pass 1 of 1");
  EXPECT_EQ(imager::progress_line(Language::fr, json{{"operation", "new-op"}, {"device", "/x"}}),
            "new-op /x ");
}

TEST(ScreenText, SaidIsEnglishForAtelierdAndTranslatedForTheScreen) {
  const Said said = imager::say(Language::fr, "{partition}: cannot be mounted to check it",
                                {{"partition", "/dev/sda2"}});
  EXPECT_EQ(said.english, "/dev/sda2: cannot be mounted to check it");
  EXPECT_EQ(said.shown, "/dev/sda2" + k_nbsp + ": impossible de la monter pour la vérifier");
  const Said both = imager::joined(said, imager::say(Language::fr, "no internal disk to check"));
  EXPECT_EQ(both.english, said.english + "; no internal disk to check");
  EXPECT_EQ(imager::joined({}, said).english, said.english);
}

TEST(ScreenText, FrenchScreenHasNoEnglishUnderTheLetters) {
  imager::ScreenState s;
  s.language = Language::fr;
  s.tag = "AT-0042-7";
  s.stage = imager::stage_title(Language::fr, imager::Stage::wiping);
  s.detail =
      imager::progress_line(Language::fr, json{{"operation", "verify"}, {"device", "/dev/sda"}});
  s.fraction = 0.5;
  s.eta_seconds = 125;
  const std::string screen = imager::render_screen(s);
  EXPECT_THAT(screen, HasSubstr("vérification /dev/sda"));
  EXPECT_THAT(screen, HasSubstr("reste 2m05s"));
  EXPECT_THAT(screen, Not(HasSubstr("ETA")));
}

} // namespace
} // namespace atelier
