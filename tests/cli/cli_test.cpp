// The `atelier` command line run in-process against a real SQLite file, as a coordinator uses it.
#include "cli/cli.h"
#include "hardware-db/sqlite_store.h"
#include "support/temp_dir.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using atelier::cli::run_cli;
using nlohmann::json;

namespace {

struct CliRun {
  int status;
  std::string out;
  std::string err;
};

class CliTest : public ::testing::Test {
protected:
  CliRun run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", m_db, "--actor", "cli:test"});
    std::ostringstream out, err;
    const int status = run_cli(args, out, err);
    return {status, out.str(), err.str()};
  }
  std::string add(const std::string& serial) {
    const CliRun r = run({"units", "add", "--vendor", "HP", "--model", "ProDesk 400 G1", "--serial",
                          serial, "--json"});
    EXPECT_EQ(r.status, 0) << r.err;
    return json::parse(r.out).at("tag");
  }
  std::string write_file(const std::string& name, const std::string& text) {
    const auto path = (m_dir / name).string();
    std::ofstream(path) << text;
    return path;
  }

  atelier::testing::TempDir m_dir;
  std::string m_db = (m_dir / "atelier.db").string();
};

const std::string k_profiles_dir = std::string(ATELIER_SOURCE_DIR) + "/profiles";

} // namespace

TEST_F(CliTest, DbInitTakesPrefixFromProgramFile) {
  const CliRun r = run({"db", "init", "--program", k_profiles_dir + "/program.example.toml"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("schema version"), std::string::npos);
  const std::string tag = add("CZC0000001");
  EXPECT_EQ(tag.substr(0, 3), "AT-");
}

// A broken program file must not half-initialise anything.
TEST_F(CliTest, DbInitWithBrokenProgramTouchesNothing) {
  const auto bad = write_file("bad.toml", "[program]\nname = 3\n");
  const CliRun r = run({"db", "init", "--program", bad});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("bad.toml:2"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(m_db));
}

TEST_F(CliTest, UnitsAddListShowHistory) {
  const std::string tag = add("CZC0000001");
  const CliRun list = run({"units", "list", "--json"});
  ASSERT_EQ(list.status, 0) << list.err;
  const json units = json::parse(list.out);
  ASSERT_EQ(units.size(), 1u);
  EXPECT_EQ(units[0]["tag"], tag);
  EXPECT_EQ(units[0]["state"], "detected");
  EXPECT_EQ(units[0]["identity"]["kind"], "dmi-serial");

  const CliRun table = run({"units", "list"});
  EXPECT_NE(table.out.find(tag), std::string::npos);
  EXPECT_NE(table.out.find("ProDesk 400 G1"), std::string::npos);

  const CliRun show = run({"units", "show", tag});
  ASSERT_EQ(show.status, 0) << show.err;
  EXPECT_NE(show.out.find("CZC0000001"), std::string::npos);

  const CliRun hist = run({"units", "history", tag, "--json"});
  ASSERT_EQ(hist.status, 0);
  const json events = json::parse(hist.out);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["actor"], "cli:test");
  EXPECT_TRUE(events[0]["from"].is_null());
}

// A coordinator asks why a machine got its grade: `units show` prints the reasons the grader
// stored with it, and --json carries them too.
TEST_F(CliTest, UnitsShowPrintsTheGradeWithItsReasons) {
  const std::string tag = add("CZC0000001");
  {
    auto store = atelier::hwdb::SqliteStore::open(m_db).value();
    const auto unit =
        store->unit_by_tag(atelier::hwdb::AssetTag::parse(tag).value()).value().value();
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    const std::string reasons = "Grade: C\nProgram rules:\n  RAM 2 GiB: +20\n  CPU level 2: +15\n";
    ASSERT_TRUE(store->add_grade({0, unit.id, now, "C", 35, reasons}));
  }
  const CliRun show = run({"units", "show", tag});
  ASSERT_EQ(show.status, 0) << show.err;
  EXPECT_NE(show.out.find("C (score 35)"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("RAM 2 GiB: +20"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("CPU level 2: +15"), std::string::npos) << show.out;
  EXPECT_EQ(show.out.find("Grade: C"), std::string::npos) << "the grade is said once\n" << show.out;

  const json j = json::parse(run({"units", "show", tag, "--json"}).out);
  EXPECT_EQ(j["grade"]["grade"], "C");
  const auto explanation = j["grade"]["explanation"].get<std::string>();
  EXPECT_NE(explanation.find("CPU level 2: +15"), std::string::npos);
}

TEST_F(CliTest, AddingTheSameMachineTwiceSaysItIsKnown) {
  const std::string tag = add("CZC0000001");
  const CliRun again = run(
      {"units", "add", "--vendor", "hp", "--model", "ProDesk 400 G1", "--serial", "czc0000001"});
  EXPECT_EQ(again.status, 0);
  EXPECT_NE(again.out.find("already known"), std::string::npos);
  EXPECT_NE(again.out.find(tag), std::string::npos);
}

TEST_F(CliTest, AddWithoutUsableIdentityFailsWithAdvice) {
  const CliRun r = run({"units", "add", "--vendor", "Acer", "--serial", "To Be Filled By O.E.M."});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("serial"), std::string::npos);
  EXPECT_NE(r.err.find("MAC"), std::string::npos);
}

TEST_F(CliTest, MistypedTagIsReportedAsMistyped) {
  std::string tag = add("CZC0000001");
  tag.back() = tag.back() == '9' ? '0' : static_cast<char>(tag.back() + 1);
  const CliRun r = run({"units", "show", tag});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("mistyped"), std::string::npos) << r.err;
}

TEST_F(CliTest, UnknownStateFilterIsAnError) {
  const CliRun r = run({"units", "list", "--state", "redy"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("redy"), std::string::npos);
}

TEST_F(CliTest, UsageErrorsExitWithTwo) {
  EXPECT_EQ(run({"units", "frobnicate"}).status, 2);
  EXPECT_EQ(run({}).status, 2);
}

TEST_F(CliTest, ProfileCheckAcceptsShippedFiles) {
  std::vector<std::string> args = {"profile", "check"};
  for (const auto& entry : std::filesystem::directory_iterator(k_profiles_dir)) {
    if (entry.path().extension() == ".toml") {
      args.push_back(entry.path().string());
    }
  }
  ASSERT_GT(args.size(), 4u); // three profiles and a program file at least
  const CliRun r = run(args);
  EXPECT_EQ(r.status, 0) << r.err;
}

// The acceptance: a broken profile fails with its line number.
TEST_F(CliTest, ProfileCheckFailsWithLineNumber) {
  const auto bad = write_file("typo.toml", "[profile]\nname = \"x\"\npriorty = 5\n");
  const CliRun r = run({"profile", "check", bad});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("typo.toml:3:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("priorty"), std::string::npos) << r.err;
}

TEST_F(CliTest, ProfileMatchExplainsChoice) {
  const CliRun r = run({"profile", "match", "--inventory",
                        std::string(ATELIER_TEST_DATA) + "/profiles/old-desktop-2gb-bios.json",
                        "--profiles", k_profiles_dir, "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const json j = json::parse(r.out);
  ASSERT_TRUE(j["chosen"].is_string());
  bool some_rejected_with_reason = false;
  for (const auto& c : j["candidates"]) {
    if (!c["fits"].get<bool>()) {
      some_rejected_with_reason = !c["reasons"].empty();
    }
  }
  EXPECT_TRUE(some_rejected_with_reason);
}

TEST_F(CliTest, DontBootMarksAndUnmarksTheUnit) {
  const std::string tag = add("CZC0000001");
  ASSERT_EQ(run({"units", "dont-boot", tag}).status, 0);
  EXPECT_TRUE(json::parse(run({"units", "show", tag, "--json"}).out)["do_not_boot"].get<bool>());
  ASSERT_EQ(run({"units", "dont-boot", tag, "--undo"}).status, 0);
  EXPECT_FALSE(json::parse(run({"units", "show", tag, "--json"}).out)["do_not_boot"].get<bool>());
}

// `atelier watch --once`: the workshop at a glance; units outside the workshop are not listed.
TEST_F(CliTest, WatchOnceListsTheWorkshop) {
  EXPECT_NE(run({"watch", "--once"}).out.find("no machine in the workshop yet"), std::string::npos);
  const std::string tag = add("CZC4321XYZ");
  const CliRun r = run({"watch", "--once"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find(tag), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 working, 0 ready, 0 failed"), std::string::npos) << r.out;
  const auto rows = nlohmann::json::parse(run({"watch", "--json"}).out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["tag"], tag);
}
