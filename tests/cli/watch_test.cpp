// `atelier watch`'s cells in the reader's language (cli/watch.h): English as the row holds it,
// French worded from the row's facts, with atelierd's and the agent's reasons translated.
#include "base/language.h"
#include "cli/watch.h"
#include "records/agent_reasons.h"
#include "records/daemon_reasons.h"

#include <gtest/gtest.h>

namespace atelier::cli {
namespace {

using base::Language;

const std::string k_nbsp = "\u00a0";

workshop::WorkshopRow wiping_row() {
  workshop::WorkshopRow r;
  r.tag = "AT-0007";
  r.state = "tested";
  r.step = "wipe";
  r.attempt = 2;
  r.job_status = "issued";
  r.stage = "wipe (attempt 2)";
  r.percent = 47.4;
  r.bytes_per_second = 120e6;
  r.eta_seconds = 190;
  r.progress = "47% 120 MB/s ETA 3m10s";
  return r;
}

TEST(WatchCells, EnglishIsTheRowsOwnText) {
  const auto c = watch_cells(wiping_row(), Language::en);
  EXPECT_EQ(c.stage, "wipe (attempt 2)");
  EXPECT_EQ(c.progress, "47% 120 MB/s ETA 3m10s");
  EXPECT_EQ(c.verdict, "");
}

TEST(WatchCells, FrenchWordsTheStepAndTheProgress) {
  const auto c = watch_cells(wiping_row(), Language::fr);
  EXPECT_EQ(c.stage, "effacement (tentative 2)");
  EXPECT_EQ(c.progress, "47" + k_nbsp + "% 120" + k_nbsp + "Mo/s reste 3" + k_nbsp + "min" +
                            k_nbsp + "10" + k_nbsp + "s");
  auto gate = wiping_row();
  gate.step = "confirm";
  gate.attempt = 1;
  gate.waiting_for_key = true;
  const auto g = watch_cells(gate, Language::fr);
  EXPECT_EQ(g.stage, "confirmation");
  EXPECT_NE(g.progress.find("TOUCHE"), std::string::npos) << g.progress;
}

TEST(WatchCells, FrenchTranslatesAtelierdsAndTheAgentsReasons) {
  workshop::WorkshopRow r;
  r.state = "failed";
  r.step = "wipe";
  r.attempt = 1;
  r.job_status = "failed";
  r.reason =
      records::daemon_reason(records::k_reason_no_word, {{"minutes", "10"}, {"step", "wipe"}});
  const auto stalled = watch_cells(r, Language::fr);
  EXPECT_EQ(stalled.stage, "effacement (échec)");
  EXPECT_TRUE(stalled.verdict.starts_with("ÉCHEC" + k_nbsp + ": aucune nouvelle de l'agent"))
      << stalled.verdict;
  EXPECT_EQ(stalled.verdict.find("no word"), std::string::npos) << stalled.verdict;

  r.reason = records::fill_phrase(records::k_no_disk_to_install, {});
  EXPECT_EQ(watch_cells(r, Language::fr).verdict,
            "ÉCHEC" + k_nbsp + ": aucun disque interne où installer");
  // A tool's own words inside a known sentence stay as written; the sentence is French.
  r.reason = records::fill_phrase(records::k_program_exited,
                                  {{"program", "wipe"}, {"code", "3"}, {"why", "EIO at 4096"}});
  const auto exited = watch_cells(r, Language::fr).verdict;
  EXPECT_NE(exited.find("EIO at 4096"), std::string::npos) << exited;
  EXPECT_EQ(exited.find("exited with"), std::string::npos) << exited;

  // Anything else (an operator's note) comes out as written; READY and PARTS are French words.
  r.reason = "dropped on the floor";
  EXPECT_EQ(watch_cells(r, Language::fr).verdict, "ÉCHEC" + k_nbsp + ": dropped on the floor");
  r.state = "parts";
  r.reason = records::daemon_reason(records::k_reason_graded_parts, {{"why", "RAM < 4 GiB"}});
  EXPECT_EQ(watch_cells(r, Language::fr).verdict.rfind("PIÈCES", 0), 0u);
  r.state = "ready";
  EXPECT_EQ(watch_cells(r, Language::fr).verdict, "PRÊTE");
}

} // namespace
} // namespace atelier::cli
