// atelierd's own reasons (records/daemon_reasons.h): what atelierd writes is recognised back as the
// same code and values, so the `finish` step can name them (docs/AGENT-API.md).
#include "records/daemon_reasons.h"

#include <set>

#include <gtest/gtest.h>

namespace atelier::records {
namespace {

TEST(DaemonReasons, EveryReasonIsRecognisedBackWithItsValues) {
  // Why: a sentence read back as another code (or none) would put the wrong words on a screen.
  std::set<std::string_view> codes;
  for (const DaemonReason& r : k_daemon_reasons) {
    EXPECT_TRUE(codes.insert(r.code).second) << "code used twice: " << r.code;
    const PhraseValues values = {{"step", "wipe"},
                                 {"minutes", "10"},
                                 {"why", "RAM: 512 MiB < 1 GiB"},
                                 {"where", "3 %, 1.2 GB of 40.0 GB: wipe /dev/sda"}};
    const std::string english = daemon_reason(r, values);
    const auto known = recognise_daemon_reason(english);
    ASSERT_TRUE(known) << english;
    EXPECT_EQ(known->reason.code, r.code) << english;
    EXPECT_EQ(daemon_reason(known->reason, known->values), english);
    EXPECT_EQ(daemon_reason_from_code(r.code)->pattern, r.pattern);
  }
  EXPECT_FALSE(recognise_daemon_reason("no internal disk to install on"));
  EXPECT_FALSE(daemon_reason_from_code("no_such_code"));
}

TEST(DaemonReasons, ValuesAreNeverReadAsPlaceholders) {
  // Why: a grading rule's words could contain braces; they are data.
  const std::string english = daemon_reason(k_reason_graded_parts, {{"why", "odd {step} rule"}});
  EXPECT_EQ(english, "graded parts: odd {step} rule");
  EXPECT_EQ(recognise_daemon_reason(english)->values, (PhraseValues{{"why", "odd {step} rule"}}));
}

} // namespace
} // namespace atelier::records
