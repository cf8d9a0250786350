// A record's free text in the reader's language (papers/record_phrases.h): the sentences
// atelier-imager writes into an erasure record in English read in French on a French certificate,
// and anything else comes out as written.
#include "base/i18n.h"
#include "hardware-db/event_phrases.h"
#include "papers/certificate_text.h"
#include "papers/record_phrases.h"
#include "records/agent_reasons.h"
#include "records/daemon_reasons.h"
#include "records/erasure_phrases.h"
#include "records/step_words.h"
#include "support/sample_record.h"

#include <gtest/gtest.h>

namespace atelier::papers {
namespace {

using base::Language;

TEST(RecordPhrases, EveryPatternHasAFrenchWordingAndEnglishIsTheRecordAsWritten) {
  // Why: a pattern without a translation would leave English on a French certificate; English
  // must give back exactly what was signed.
  for (const char* pattern : records::k_erasure_phrases) {
    EXPECT_NE(base::tr(Language::fr, pattern), pattern) << pattern;
    EXPECT_EQ(record_text(pattern, Language::en), pattern);
  }
}

TEST(RecordPhrases, EveryEventSentenceHasAFrenchWording) {
  // Why: `atelier watch` and `units history` show the unit's events, written in English by atelierd
  // and by the agent; one without a translation would stay English on a French screen.
  for (const char* pattern : records::k_agent_reasons) {
    EXPECT_NE(base::tr(Language::fr, pattern), pattern) << pattern;
    EXPECT_EQ(record_text(pattern, Language::en), pattern);
  }
  for (const auto& reason : records::k_daemon_reasons) {
    EXPECT_NE(base::tr(Language::fr, reason.pattern), reason.pattern) << reason.pattern;
  }
  EXPECT_NE(base::tr(Language::fr, records::k_event_step_failed), records::k_event_step_failed);
}

TEST(RecordPhrases, AStepFailureEventReadsInFrench) {
  // Why: atelierd files "wipe failed: <the agent's reason>"; the step's name and the agent's
  // sentence are both rendered, the tool's own words inside stay as written.
  const std::string agent =
      records::fill_phrase(records::k_program_exited,
                           {{"program", "atelier-imager wipe"}, {"code", "3"}, {"why", "EIO"}});
  const std::string event =
      records::fill_phrase(records::k_event_step_failed, {{"step", "wipe"}, {"why", agent}});
  EXPECT_EQ(event, "wipe failed: atelier-imager wipe exited with 3: EIO");
  const std::string fr = record_text(event, Language::fr);
  EXPECT_NE(fr.find("effacement"), std::string::npos) << fr;
  EXPECT_NE(fr.find("atelier-imager wipe"), std::string::npos) << fr;
  EXPECT_EQ(fr.find("failed"), std::string::npos) << fr;
  EXPECT_EQ(fr.find("exited"), std::string::npos) << fr;
  EXPECT_EQ(record_text(event, Language::en), event);
  // Not a step: shown as written.
  EXPECT_EQ(record_text("payment failed: card", Language::fr), "payment failed: card");
  EXPECT_EQ(records::step_words("wipe", Language::fr), "effacement");
  EXPECT_EQ(records::step_words("teleport", Language::fr), "teleport");
  // A step's name inside atelierd's own reason is worded too.
  const std::string stalled =
      records::daemon_reason(records::k_reason_no_word, {{"minutes", "10"}, {"step", "deploy"}});
  EXPECT_NE(record_text(stalled, Language::fr).find("l'étape installation"), std::string::npos)
      << record_text(stalled, Language::fr);
}

TEST(RecordPhrases, TheEventsOfAnOrdinaryDayReadInFrench) {
  // Why: `atelier units history` is a coordinator's everyday command; its reasons are written in
  // English by the hardware database and atelierd (hwdb::k_event_phrases,
  // records::k_daemon_event_phrases), and the values (tags, grades, profiles) stay as written.
  const char* nbsp = "\u00a0";
  EXPECT_EQ(record_text(hwdb::k_event_intake, Language::fr), "entrée");
  EXPECT_EQ(record_text("assigned to household#3", Language::fr), "attribuée à household#3");
  EXPECT_EQ(record_text("grade B (score 71); profile bureautique", Language::fr),
            "note B (score 71)" + std::string(nbsp) + "; profil bureautique");
  const std::string wiped = records::fill_phrase(
      records::k_event_disks_erased,
      {{"count", "2"},
       {"policy", records::fill_phrase(records::k_event_policy_profile, {{"profile", "p1"}})}});
  EXPECT_EQ(wiped, "2 disks erased and verified, checked against the inventory and profile p1");
  EXPECT_EQ(record_text(wiped, Language::fr),
            "2 disques effacés et vérifiés, contrôlés d'après l'inventaire et le profil p1");
  const std::string verified = records::fill_phrase(
      records::k_event_verified, {{"summary", records::fill_phrase(records::k_verified_summary,
                                                                   {{"partition", "/dev/sda2"},
                                                                    {"fstype", "ext4"},
                                                                    {"hostname", "atelier-x"}})}});
  EXPECT_EQ(record_text(verified, Language::fr),
            "vérifiée" + std::string(nbsp) +
                ": /dev/sda2 (ext4) sans erreur, nom de machine atelier-x, GRUB configuré");
  for (const char* pattern : hwdb::k_event_phrases) {
    EXPECT_NE(base::tr(Language::fr, pattern), pattern) << pattern;
  }
  for (const char* pattern : records::k_daemon_event_phrases) {
    EXPECT_NE(base::tr(Language::fr, pattern), pattern) << pattern;
  }
}

TEST(RecordPhrases, NestedSentencesAreRenderedAndValuesKeptAsWritten) {
  // Why: the imager builds some notes from others ("could not be checked: <why>"); the inner
  // sentence is the imager's too, the sector count and size are values.
  const std::string usb =
      base::format_message(records::k_hidden_not_asked, {{"why", records::k_hidden_usb_bridge}});
  EXPECT_EQ(record_text(usb, Language::fr),
            "les zones cach\u00e9es (HPA/DCO) n'ont pas pu \u00eatre v\u00e9rifi\u00e9es\u00a0: le "
            "disque est derri\u00e8re un pont USB\u00a0; seule la capacit\u00e9 que voit le "
            "syst\u00e8me a \u00e9t\u00e9 r\u00e9\u00e9crite");
  const std::string removed = base::format_message(
      records::k_hidden_removed,
      {{"what", records::k_hidden_both}, {"sectors", 2048}, {"size", "0.0 GiB"}});
  EXPECT_EQ(record_text(removed, Language::fr),
            "HPA et DCO cachant 2048 secteurs (0.0 GiB) retir\u00e9e avant l'effacement");
  // An error the imager's pattern carries comes out as written, braces included (never re-read).
  const std::string odd =
      base::format_message(records::k_hidden_not_checked_because, {{"reason", "ioctl {x} failed"}});
  EXPECT_EQ(record_text(odd, Language::fr),
            "les zones cach\u00e9es n'ont pas pu \u00eatre v\u00e9rifi\u00e9es\u00a0: ioctl {x} "
            "failed");
  // Free text no pattern knows (a note an operator typed) is shown as written.
  EXPECT_EQ(record_text("disk had a sticker: Compta", Language::fr), "disk had a sticker: Compta");
  EXPECT_EQ(record_text("", Language::fr), "");
}

TEST(RecordPhrases, AFrenchCertificateOfARecordWrittenInEnglishHasNoEnglishSentence) {
  // Why (issue 21): a French certificate carried "atelier-imager sampled (NIST SP 800-88)
  // read-back" and the hidden-areas note in English; the record keeps them, the reader does not
  // see them.
  auto r = test::sample_record();
  r.verified_by = records::k_verified_sampled_read_back;
  r.hidden_areas.checked = false;
  r.hidden_areas.note = records::k_hidden_not_checked_by_overwrite;
  r.notes = {records::k_note_flash_overwrite, records::k_note_sampled_in_full};
  std::string french;
  for (const RecordLine& line : record_lines(r, Language::fr)) {
    french += line.label + ": " + line.value + "\n";
  }
  for (const char* english : {"read-back", "sampled", "hidden areas", "only the capacity",
                              "overwrite of flash", "spare and remapped", "sampling asked"}) {
    EXPECT_EQ(french.find(english), std::string::npos) << english << " in\n" << french;
  }
  EXPECT_NE(french.find("relecture par \u00e9chantillonnage (NIST SP 800-88)"), std::string::npos)
      << french;
  EXPECT_NE(french.find("seule la capacit\u00e9 que voit le syst\u00e8me est effac\u00e9e"),
            std::string::npos)
      << french;
  // The record itself is unchanged: what was signed stays English.
  EXPECT_EQ(r.verified_by, "atelier-imager sampled (NIST SP 800-88) read-back");
}

} // namespace
} // namespace atelier::papers
