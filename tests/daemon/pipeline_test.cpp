// The pipeline as the agent sees it through the API: register → bench → wipe → deploy → verify →
// ready → finish, against a real SQLite file and real boot tokens. Crash safety is tested by
// dropping the daemon's objects and opening the same file again, as a restarted atelierd does.
#include "cli/cli.h"
#include "daemon/agent_api.h"
#include "daemon/pipeline.h"
#include "profiles/program.h"
#include "records/erasure_record.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"
#include "workshop/erasure_certificate.h"
#include "workshop/workshop_view.h"

#include <atomic>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace atelier;
using nlohmann::json;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

constexpr std::string_view k_profile = R"([profile]
name = "family"
description = "test profile"
priority = 10

[image]
source = "images/family.tar.zst"
format = "rootfs-archive"
sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

[partitioning]
scheme = "auto"
filesystem = "ext4"

[tailoring]
hostname = "pc-{tag}"
locale = "fr_FR.UTF-8"
keyboard = "fr"
timezone = "Europe/Paris"

[wipe]
hdd = ["zero"]
ssd = ["ata-sanitize-crypto", "zero"]
nvme = ["nvme-format-crypto", "zero"]
usb = ["zero"]
verify = "sample"
hidden_areas = "report"

[requirements]
min_ram = "2GiB"
min_disk = "32GB"
firmware = ["bios", "uefi"]
)";

using Tweak = std::function<void(daemon::PipelineConfig&)>;

// One "atelierd process": registry, tokens, pipeline and API over the database file.
struct Daemon {
  Daemon(const std::string& db, pxe::BootTokens& tokens, const workshop::SigningKey& key,
         const Tweak& tweak = {})
      : registry(hwdb::open_store(db).value(), clock) {
    daemon::PipelineConfig config;
    config.program =
        profiles::load_program(std::string(ATELIER_TEST_DATA) + "/imager/bench/program.toml")
            .value();
    config.profiles.push_back(
        profiles::parse_profile(k_profile, "/srv/profiles/family.toml").value());
    config.profile_texts["family"] = std::string(k_profile);
    config.image_base_url = "http://198.18.0.2/images";
    // These tests' machines are all donations on an isolated switch; the gate has its own tests.
    config.wipe_gate = profiles::WipeGate::open;
    if (tweak) {
      tweak(config);
    }
    pipeline = std::make_unique<daemon::Pipeline>(registry, clock, std::move(config), key);
    api = std::make_unique<daemon::AgentApi>(registry, tokens, pipeline.get());
  }
  json post(const std::string& path, const json& body, unsigned expected_status = 200) {
    const auto r = api->handle(path, body.dump(), "198.18.0.60");
    EXPECT_EQ(r.status, expected_status) << path << " " << body.dump() << " → " << r.body;
    return json::parse(r.body);
  }
  // The pipeline's time stands still at the moment the daemon started until a test moves it on,
  // so the limits (stall, step timeout) are tested without sleeping.
  atelier::testing::FakeClock clock{
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())};
  hwdb::Registry registry;
  std::unique_ptr<daemon::Pipeline> pipeline;
  std::unique_ptr<daemon::AgentApi> api;
};

class PipelineTest : public ::testing::Test {
protected:
  PipelineTest()
      : m_key(workshop::SigningKey::load_or_create(m_dir / "keys").value()),
        m_daemon(std::make_unique<Daemon>(db(), m_tokens, m_key)) {}

  std::string db() const { return (m_dir / "atelier.db").string(); }
  void restart(const Tweak& tweak =
                   {}) { // what kill -9 and a restart leave: the file, and the agent's token
    m_daemon.reset();
    m_daemon = std::make_unique<Daemon>(db(), m_tokens, m_key, tweak);
  }
  std::string boot(const base::MacAddress& mac) { return m_tokens.issue(mac).value(); }
  std::string boot() { return boot(m_mac); }
  // The fixture laptop (an SSD and a USB stick) with disk names and serials of its own: two
  // machines never share a disk.
  static json inventory_for(const std::string& mac) {
    json inventory =
        json::parse(read(std::string(ATELIER_TEST_DATA) + "/profiles/laptop-8gb-uefi-ssd.json"));
    const std::string suffix = mac.substr(mac.size() - 2);
    inventory["disks"][0]["name"] = "sda";
    inventory["disks"][0]["serial"] = "S2XXXX" + suffix;
    inventory["disks"][1]["name"] = "sdb";
    inventory["disks"][1]["serial"] = "4C53XX" + suffix;
    return inventory;
  }
  json register_agent(const std::string& token, unsigned status = 200,
                      const std::string& mac = "52:54:00:aa:00:01",
                      std::optional<json> inventory = std::nullopt) {
    if (!inventory) {
      inventory = inventory_for(mac);
    }
    const json answer = m_daemon->post(
        "/api/v1/register", {{"mac", mac}, {"token", token}, {"inventory", *inventory}}, status);
    if (answer.contains("unit")) {
      m_machines[token] = Machine{answer["unit"].get<std::string>(), *inventory};
    }
    return answer;
  }
  // A complete record, as `atelier-imager wipe --json` prints it, of disk `index` of the machine
  // that registered with `token`: a verified zero pass over the whole disk, or a failed one.
  records::ErasureRecord record_for(const std::string& token, std::size_t index,
                                    const std::string& result = "erased") {
    const Machine& machine = m_machines.at(token);
    const json& disk = machine.inventory["disks"][index];
    records::ErasureRecord r;
    r.record_id = fmt::format("6f1c2a4e-0000-4000-8000-{:012d}", ++m_records);
    r.manufacturer = "Samsung";
    r.model = disk["model"].is_string() ? disk["model"].get<std::string>() : "";
    r.serial = disk["serial"].is_string() ? disk["serial"].get<std::string>() : "";
    r.media_type = disk["media"].get<std::string>();
    r.device = "/dev/" + disk.value("name", "");
    r.size_bytes = disk["size_bytes"].get<std::uint64_t>();
    r.source_property = machine.tag;
    r.method = "zero";
    r.pattern = "zero";
    r.passes = 1;
    r.tool_version = "0.1.0";
    r.verification = records::VerificationMethod::sample;
    r.verification_result = result == "erased" ? "passed" : "not verified";
    r.started_at = "2026-11-23T10:00:00Z";
    r.finished_at = "2026-11-23T10:20:00Z";
    r.duration_seconds = 1200;
    r.bytes_written = result == "erased" ? r.size_bytes : 4096;
    r.bytes_verified = result == "erased" ? 1000 * 4096 : 0;
    r.result = result == "erased" ? records::ErasureResult::erased : records::ErasureResult::failed;
    if (r.result == records::ErasureResult::failed) {
      r.failure_reason = "write: Input/output error (EIO) at byte 4096 after 3 attempts";
    }
    return r;
  }
  // The result of a wipe that erased every disk of the machine.
  json wiped(const std::string& token) {
    json records = json::array();
    for (std::size_t i = 0; i < m_machines.at(token).inventory["disks"].size(); ++i) {
      records.push_back(records::to_json(record_for(token, i)));
    }
    return {{"records", records}};
  }
  json progress(const std::string& token, const json& job, unsigned status = 200) {
    return m_daemon->post("/api/v1/progress",
                          {{"token", token},
                           {"job", job["job"]},
                           {"progress", {{"operation", job["step"]}, {"done_bytes", 1}}}},
                          status);
  }
  atelier::testing::FakeClock& clock() { return m_daemon->clock; }
  json next(const std::string& token, unsigned status = 200) {
    return m_daemon->post("/api/v1/next", {{"token", token}}, status);
  }
  json done(const std::string& token, const json& job, const json& result, unsigned status = 200) {
    return m_daemon->post(
        "/api/v1/result",
        {{"token", token}, {"job", job["job"]}, {"status", "done"}, {"result", result}}, status);
  }
  json bench_report() {
    return json::parse(read(std::string(ATELIER_TEST_DATA) + "/imager/bench/bench-clean.json"));
  }
  hwdb::Unit unit() { return m_daemon->registry.store().list_units({}).value().at(0); }

  struct Machine {
    std::string tag;
    json inventory;
  };
  std::map<std::string, Machine> m_machines; // by boot token
  int m_records = 0;
  atelier::testing::TempDir m_dir;
  pxe::BootTokens m_tokens{pxe::BootTokensConfig{}};
  base::MacAddress m_mac{{0x52, 0x54, 0x00, 0xaa, 0x00, 0x01}};
  workshop::SigningKey m_key;
  std::unique_ptr<Daemon> m_daemon;
};

} // namespace

TEST(PipelineSteps, EachStateHasItsStep) {
  using hwdb::UnitState;
  EXPECT_EQ(daemon::step_for(UnitState::inventoried), records::Step::bench);
  EXPECT_EQ(daemon::step_for(UnitState::tested), records::Step::wipe);
  EXPECT_EQ(daemon::step_for(UnitState::wiped), records::Step::deploy);
  EXPECT_EQ(daemon::step_for(UnitState::imaged), records::Step::verify);
  EXPECT_EQ(daemon::step_for(UnitState::ready), records::Step::finish);
  EXPECT_EQ(daemon::step_for(UnitState::failed), records::Step::finish);
  EXPECT_EQ(daemon::step_for(UnitState::parts), records::Step::finish);
  EXPECT_FALSE(daemon::step_for(UnitState::detected));
  EXPECT_FALSE(daemon::step_for(UnitState::assigned));
}

// The reason a failed step leaves on the unit, read back into its parts for the finish step
// (the agent words them in the program's language).
TEST(PipelineSteps, StepFailureReasonReadsBack) {
  const std::string reason = daemon::step_failure_reason("wipe", "DISK FAILING — /dev/vda: EIO");
  EXPECT_EQ(reason, "wipe failed: DISK FAILING — /dev/vda: EIO");
  const auto parsed = daemon::parse_step_failure(reason);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->step, records::Step::wipe);
  EXPECT_EQ(parsed->agent_reason, "DISK FAILING — /dev/vda: EIO");
  // atelierd's own reasons are no step's failure.
  EXPECT_FALSE(daemon::parse_step_failure("no word from the agent for 10 min during wipe"));
  EXPECT_FALSE(daemon::parse_step_failure("graded parts: RAM failed: 2 errors"));
  EXPECT_FALSE(daemon::parse_step_failure("finish failed: x"));
}

// The whole way, as the agent in the boot environment walks it.
TEST_F(PipelineTest, MachineGoesFromRegistrationToReady) {
  const std::string token = boot();
  const json registered = register_agent(token);
  EXPECT_EQ(registered["state"], "inventoried");
  // The program file's language (tests/data/imager/bench/program.toml: fr) for the machine's
  // screen, in the register answer and in every next answer.
  EXPECT_EQ(registered["language"], "fr");

  json job = next(token);
  ASSERT_EQ(job["step"], "bench");
  EXPECT_EQ(job["language"], "fr");
  EXPECT_EQ(job["params"]["budget_seconds"], 60);
  EXPECT_EQ(done(token, job, {{"bench", bench_report()}})["state"], "tested");
  EXPECT_FALSE(m_daemon->registry.store().bench_results(unit().id).value().empty());
  ASSERT_TRUE(m_daemon->registry.store().latest_grade(unit().id).value());

  job = next(token);
  ASSERT_EQ(job["step"], "wipe");
  EXPECT_EQ(job["params"]["methods"]["ssd"], json::array({"ata-sanitize-crypto", "zero"}));
  EXPECT_EQ(job["params"]["verify"], "sample");
  EXPECT_EQ(done(token, job, wiped(token))["state"], "wiped");

  job = next(token);
  ASSERT_EQ(job["step"], "deploy");
  EXPECT_EQ(job["params"]["image_url"], "http://198.18.0.2/images/family.tar.zst");
  EXPECT_EQ(job["params"]["tag"], unit().tag.str());
  EXPECT_NE(job["params"]["profile_toml"].get<std::string>().find("name = \"family\""),
            std::string::npos);
  EXPECT_EQ(done(token, job, {{"partitions", 2}})["state"], "imaged");

  job = next(token);
  ASSERT_EQ(job["step"], "verify");
  EXPECT_EQ(job["params"]["hostname"], profiles::expand_hostname("pc-{tag}", unit().tag.str()));
  EXPECT_EQ(done(token, job, {{"summary", "fsck clean, grub present"}})["state"], "ready");

  job = next(token);
  ASSERT_EQ(job["step"], "finish");
  EXPECT_EQ(job["params"]["verdict"], "READY");
  EXPECT_NE(job["params"]["message"].get<std::string>().find(unit().tag.str()), std::string::npos);
  EXPECT_EQ(job["params"]["action"], "poweroff");
  EXPECT_EQ(job["params"]["tag"], unit().tag.str());
  EXPECT_EQ(job["language"], "fr");

  const auto disks = m_daemon->registry.store().disks(unit().id).value();
  ASSERT_EQ(disks.size(), 2u); // the SSD and the USB stick ([wipe] removable = "erase")
  const auto records = m_daemon->registry.store().erasure_records(disks[0].id).value();
  ASSERT_EQ(records.size(), 1u);
  // Signed with the workshop key: the stored certificate verifies offline.
  auto certificate = workshop::certificate_from_stored(records[0]);
  ASSERT_TRUE(certificate) << certificate.error();
  EXPECT_TRUE(
      workshop::verify_certificate(certificate->document_text(), m_key.public_key()).valid());
}

// A lost answer: the agent registers again with the same token and gets the same unit.
TEST_F(PipelineTest, RegistrationIsIdempotentForTheSameBoot) {
  const std::string token = boot();
  const json first = register_agent(token);
  const json again = register_agent(token);
  EXPECT_EQ(again["unit"], first["unit"]);
  EXPECT_EQ(again["outcome"], "repeat");
  EXPECT_EQ(m_daemon->registry.store().list_units({}).value().size(), 1u);
}

// Asking twice, or after a restart, hands out the same job; a result posted twice counts once.
TEST_F(PipelineTest, JobsAndResultsAreIdempotentAcrossARestart) {
  const std::string token = boot();
  register_agent(token);
  const json job = next(token);
  EXPECT_EQ(next(token)["job"], job["job"]);
  restart();
  EXPECT_EQ(next(token)["job"], job["job"]);
  const json result{{"bench", bench_report()}};
  done(token, job, result);
  restart();
  EXPECT_EQ(done(token, job, result)["repeat"], true);
  const auto jobs = m_daemon->registry.store().jobs(unit().id).value();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].status, "done");
  EXPECT_EQ(m_daemon->registry.store().list_units({}).value().size(), 1u);
}

// A different result for a finished job is a conflict, not a second truth.
TEST_F(PipelineTest, ConflictingResultIsRefused) {
  const std::string token = boot();
  register_agent(token);
  const json job = next(token);
  done(token, job, {{"bench", bench_report()}});
  done(token, job, {{"other", 1}}, 409);
}

// A token that never registered, or a boot the machine has since replaced, gets nothing.
TEST_F(PipelineTest, TokensOfOtherBootsAreRefused) {
  next("00112233445566778899aabbccddeeff", 403);
  const std::string first_boot = boot();
  register_agent(first_boot);
  const json old_job = next(first_boot);
  const std::string second_boot = boot();
  register_agent(second_boot);
  const json refused = next(first_boot, 409);
  EXPECT_EQ(refused["stop"], true);
  done(first_boot, old_job, {{"bench", bench_report()}}, 409);
  // Replaying the earlier boot's registration does not bring its session back, nor records a
  // second inventory.
  const auto inventories = m_daemon->registry.store().latest_inventory(unit().id).value()->id;
  EXPECT_EQ(register_agent(first_boot, 409)["stop"], true);
  EXPECT_EQ(m_daemon->registry.store().latest_inventory(unit().id).value()->id, inventories);
  EXPECT_EQ(next(second_boot)["step"], "bench");
}

// A disk that fails its wipe: the unit is failed with the agent's reason, the failed record is
// kept unsigned as evidence, and no deploy is ever issued.
TEST_F(PipelineTest, FailedWipeStopsTheMachineWithTheReason) {
  const std::string token = boot();
  register_agent(token);
  done(token, next(token), {{"bench", bench_report()}});
  const json job = next(token);
  ASSERT_EQ(job["step"], "wipe");
  m_daemon->post("/api/v1/result",
                 {{"token", token},
                  {"job", job["job"]},
                  {"status", "failed"},
                  {"reason", "DISK FAILING — remove disk S2XXXXXX and set it aside"},
                  {"result", {{"records", {records::to_json(record_for(token, 0, "failed"))}}}}});
  EXPECT_EQ(unit().state, hwdb::UnitState::failed);
  const json finish = next(token);
  ASSERT_EQ(finish["step"], "finish");
  EXPECT_EQ(finish["params"]["verdict"], "FAILED");
  EXPECT_NE(finish["params"]["message"].get<std::string>().find("DISK FAILING"), std::string::npos);
  // The pieces the agent words in the program's language: its own reason, unprefixed, and the
  // step that failed (older agents show `message`, the English sentence, as before).
  EXPECT_EQ(finish["params"]["message"],
            unit().tag.str() +
                ": wipe failed: DISK FAILING — remove disk S2XXXXXX and set it aside");
  EXPECT_EQ(finish["params"]["failed_step"], "wipe");
  EXPECT_EQ(finish["params"]["reason"], "DISK FAILING — remove disk S2XXXXXX and set it aside");
  EXPECT_EQ(finish["params"]["tag"], unit().tag.str());
  const auto disks = m_daemon->registry.store().disks(unit().id).value();
  ASSERT_EQ(disks.size(), 1u);
  const auto records = m_daemon->registry.store().erasure_records(disks[0].id).value();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].result, "failed");
  EXPECT_TRUE(records[0].signature.empty());
}

// A disk that reports neither model nor serial (to the inventory or the wipe) is named by its
// kernel name and certified by its machine's asset tag and capacity, as nwipe does. A record
// without the tag cannot be that machine's: the machine fails with the reason on its screen
// instead of a refusal the agent would stall on.
TEST_F(PipelineTest, DiskWithoutModelOrSerialIsNamedByTheTagElseTheMachineFails) {
  json inventory = inventory_for("52:54:00:aa:00:01");
  inventory["disks"][0]["model"] = nullptr;
  inventory["disks"][0]["serial"] = nullptr;
  inventory["disks"].erase(1);
  const std::string token = boot();
  register_agent(token, 200, "52:54:00:aa:00:01", inventory);
  done(token, next(token), {{"bench", bench_report()}});
  json job = next(token);
  ASSERT_EQ(job["step"], "wipe");
  EXPECT_EQ(job["params"]["disks"], json::array({"sda"}));
  json anonymous = records::to_json(record_for(token, 0));
  anonymous["source_property"] = "";
  const json refused = done(token, job, {{"records", {anonymous}}});
  EXPECT_EQ(refused["accepted"], false);
  EXPECT_EQ(unit().state, hwdb::UnitState::failed);
  const json finish = next(token);
  ASSERT_EQ(finish["step"], "finish");
  EXPECT_EQ(finish["params"]["verdict"], "FAILED");
  EXPECT_NE(finish["params"]["message"].get<std::string>().find("not this machine's"),
            std::string::npos)
      << finish["params"]["message"];
  EXPECT_TRUE(m_daemon->registry.store().disks(unit().id).value().empty()); // nothing half-filed
  done(token, job, {{"records", {anonymous}}}); // the agent's retry is answered the same

  const std::string second_boot = boot();
  register_agent(second_boot, 200, "52:54:00:aa:00:01", inventory);
  done(second_boot, next(second_boot), {{"bench", bench_report()}});
  job = next(second_boot);
  ASSERT_EQ(job["step"], "wipe");
  EXPECT_EQ(done(second_boot, job, wiped(second_boot))["state"], "wiped");
  const auto disks = m_daemon->registry.store().disks(unit().id).value();
  ASSERT_EQ(disks.size(), 1u);
  const auto records = m_daemon->registry.store().erasure_records(disks[0].id).value();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_FALSE(records[0].signature.empty());
}

// Finding 1 of issue 14: the server judges every erased record against the record itself, the
// unit's inventory, the profile and the other units before it signs anything. Each lie below was
// signed before; now the unit fails with a reason naming the disk, nothing is signed or filed, and
// the refused post is kept on the job as evidence.
class WipeJudgement : public PipelineTest {
protected:
  // Registers a machine, benches it and returns its wipe job.
  json wipe_job(const std::string& token, const std::string& mac = "52:54:00:aa:00:01") {
    register_agent(token, 200, mac);
    done(token, next(token), {{"bench", bench_report()}});
    json job = next(token);
    EXPECT_EQ(job["step"], "wipe");
    return job;
  }
  // Posts `records` as the wipe's result and expects the refusal to contain `why`.
  void expect_refused(const std::string& token, const json& job, const json& records,
                      const std::string& why) {
    const json answer = done(token, job, {{"records", records}});
    EXPECT_EQ(answer["accepted"], false) << answer;
    EXPECT_NE(answer.value("error", "").find(why), std::string::npos) << answer;
    const hwdb::Unit u = m_daemon->registry.store().unit_by_id(unit_id(token)).value().value();
    EXPECT_EQ(u.state, hwdb::UnitState::failed);
    EXPECT_TRUE(m_daemon->registry.store().erasure_records_for_unit(u.id).value().empty());
    const auto stored =
        m_daemon->registry.store().job_by_id(job["job"].get<hwdb::RowId>()).value().value();
    EXPECT_EQ(json::parse(stored.result_json)["agent"]["result"]["records"], records);
  }
  hwdb::RowId unit_id(const std::string& token) {
    return m_daemon->registry.find(m_machines.at(token).tag).value().id;
  }
  json both(const records::ErasureRecord& first, const std::string& token) {
    return json::array({records::to_json(first), records::to_json(record_for(token, 1))});
  }
};

TEST_F(WipeJudgement, TheServerNamesTheDisksToErase) {
  const std::string token = boot();
  EXPECT_EQ(wipe_job(token)["params"]["disks"], json::array({"sda", "sdb"}));
}

TEST_F(WipeJudgement, RemovableMediaLeftInPlaceAreNeitherErasedNorRequired) {
  restart([](daemon::PipelineConfig& c) {
    c.profiles[0].wipe.removable = profiles::RemovableMedia::leave;
  });
  const std::string token = boot();
  const json job = wipe_job(token);
  EXPECT_EQ(job["params"]["disks"], json::array({"sda"}));
  EXPECT_EQ(done(token, job,
                 {{"records", json::array({records::to_json(record_for(token, 0))})}})["state"],
            "wiped");
}

TEST_F(WipeJudgement, OneErasedDiskOfTwoIsNotAWipedMachine) {
  const std::string token = boot();
  const json job = wipe_job(token);
  expect_refused(token, job, json::array({records::to_json(record_for(token, 0))}),
                 "sdb (SanDisk Cruzer Blade, serial 4C53XX01): no erased record");
}

TEST_F(WipeJudgement, ErasedRecordThatCountsErrorsIsRefused) {
  const std::string token = boot();
  const json job = wipe_job(token);
  auto r = record_for(token, 0);
  r.write_errors = 3;
  r.failed_ranges.push_back({4096, 1536, "write: Input/output error (EIO)"});
  expect_refused(token, job, both(r, token), "says erased but counts 3 write error(s)");
}

TEST_F(WipeJudgement, VerifyMismatchIsRefused) {
  const std::string token = boot();
  const json job = wipe_job(token);
  auto r = record_for(token, 0);
  r.verify_mismatches = 1;
  expect_refused(token, job, both(r, token), "1 verify mismatch(es)");
}

TEST_F(WipeJudgement, OverwriteShorterThanTheDiskIsRefused) {
  const std::string token = boot();
  const json job = wipe_job(token);
  auto r = record_for(token, 0);
  r.bytes_written = r.size_bytes / 2;
  expect_refused(token, job, both(r, token), "wrote 128030257152 bytes");
}

TEST_F(WipeJudgement, RecordOfASmallerDiskIsRefused) {
  const std::string token = boot();
  const json job = wipe_job(token);
  auto r = record_for(token, 0);
  r.size_bytes = 8'000'000'000;
  r.bytes_written = r.size_bytes;
  expect_refused(token, job, both(r, token), "covers 8000000000 bytes; the inventory reported");
}

TEST_F(WipeJudgement, VerificationBelowTheProfileIsRefused) {
  const std::string token = boot();
  const json job = wipe_job(token);
  auto r = record_for(token, 0);
  r.verification = records::VerificationMethod::none;
  r.verification_result = "not verified";
  r.bytes_verified = 0;
  expect_refused(token, job, both(r, token),
                 "was verified \"none\"; the profile asks for \"sample\"");
}

TEST_F(WipeJudgement, MethodTheProfileDoesNotAllowIsRefused) {
  const std::string token = boot();
  const json job = wipe_job(token);
  auto r = record_for(token, 0);
  r.method = "nvme-format-user";
  expect_refused(token, job, both(r, token), "used method \"nvme-format-user\"");
}

TEST_F(WipeJudgement, HiddenAreaLeftInPlaceIsRefusedWhenTheProfileSaysReset) {
  restart([](daemon::PipelineConfig& c) {
    c.profiles[0].wipe.hidden_areas = profiles::HiddenAreas::reset;
  });
  const std::string token = boot();
  const json job = wipe_job(token);
  auto r = record_for(token, 0);
  r.hidden_areas.checked = true;
  r.hidden_areas.hpa_present = true;
  r.hidden_areas.reset = false;
  expect_refused(token, job, both(r, token), "found a hidden area (HPA) that was not removed");
}

TEST_F(WipeJudgement, DiskTheInventoryDoesNotListIsRefused) {
  const std::string token = boot();
  const json job = wipe_job(token);
  auto r = record_for(token, 0);
  r.serial = "NOT-IN-INVENTORY";
  expect_refused(token, job, both(r, token), "not a disk this wipe had to erase");
}

TEST_F(WipeJudgement, RecordOfAnotherMachinesTagIsRefused) {
  const std::string token = boot();
  const json job = wipe_job(token);
  auto r = record_for(token, 0);
  r.source_property = "AT-9999-0";
  expect_refused(token, job, both(r, token), "names asset tag \"AT-9999-0\"");
}

// A record id already filed for another unit is not "already filed": it is another machine's
// erasure, and it does not become this one's.
TEST_F(WipeJudgement, RecordIdOfAnotherUnitIsRefused) {
  const std::string first = boot();
  const json first_wipe = wipe_job(first);
  done(first, first_wipe, wiped(first));
  const std::string filed_id =
      m_daemon->registry.store().erasure_records_for_unit(unit_id(first)).value()[0].record_id;
  const base::MacAddress other{{0x52, 0x54, 0x00, 0xaa, 0x00, 0x02}};
  const std::string second = boot(other);
  const json job = wipe_job(second, "52:54:00:aa:00:02");
  auto r = record_for(second, 0);
  r.record_id = filed_id;
  expect_refused(second, job, both(r, second), "was already filed for " + m_machines.at(first).tag);
}

// An agent post never moves a disk from one unit to another (the disk row and its history stay
// with the unit that had it), even when the inventory of the posting machine lists that disk.
TEST_F(WipeJudgement, DiskOfAnotherUnitIsNotMovedByAnAgentPost) {
  const std::string first = boot();
  const json first_wipe = wipe_job(first);
  done(first, first_wipe, wiped(first));
  json inventory = inventory_for("52:54:00:aa:00:02");
  inventory["disks"][0]["serial"] = "S2XXXX01"; // the first machine's SSD, claimed by the second
  const base::MacAddress other{{0x52, 0x54, 0x00, 0xaa, 0x00, 0x02}};
  const std::string second = boot(other);
  register_agent(second, 200, "52:54:00:aa:00:02", inventory);
  done(second, next(second), {{"bench", bench_report()}});
  const json job = next(second);
  const json answer = done(second, job, wiped(second));
  EXPECT_EQ(answer["accepted"], false);
  EXPECT_NE(
      answer["error"].get<std::string>().find("is recorded in unit " + m_machines.at(first).tag),
      std::string::npos)
      << answer;
  EXPECT_EQ(m_daemon->registry.store().disks(unit_id(first)).value().size(), 2u);
  EXPECT_TRUE(m_daemon->registry.store().disks(unit_id(second)).value().empty());
}

// A record the same post sends twice counts once at most: two records for one disk are refused.
TEST_F(WipeJudgement, TwoRecordsForOneDiskAreRefused) {
  const std::string token = boot();
  const json job = wipe_job(token);
  json records = both(record_for(token, 0), token);
  records.push_back(records::to_json(record_for(token, 0)));
  expect_refused(token, job, records, "named by more than one erased record");
}

// The deploy may skip zero blocks only when every disk's last pass wrote verified zeros.
TEST_F(WipeJudgement, DeployIsToldWhetherTheDiskReadsAsZeros) {
  const std::string zeroed = boot();
  const json zeroed_wipe = wipe_job(zeroed);
  done(zeroed, zeroed_wipe, wiped(zeroed));
  EXPECT_EQ(next(zeroed)["params"]["wiped_zero"], true);

  restart([](daemon::PipelineConfig& c) {
    c.profiles[0].wipe.ssd = {profiles::WipeMethod::random, profiles::WipeMethod::zero};
  });
  const base::MacAddress other{{0x52, 0x54, 0x00, 0xaa, 0x00, 0x02}};
  const std::string random = boot(other);
  const json job = wipe_job(random, "52:54:00:aa:00:02");
  auto r = record_for(random, 0);
  r.method = "random";
  r.pattern = "aes-128-ctr";
  EXPECT_EQ(done(random, job, {{"records", both(r, random)}})["state"], "wiped");
  EXPECT_EQ(next(random)["params"]["wiped_zero"], false);
}

// A machine rebooted in the middle of the pipeline starts over: half-done work is redone.
TEST_F(PipelineTest, RebootMidPipelineStartsOver) {
  const std::string first_boot = boot();
  register_agent(first_boot);
  done(first_boot, next(first_boot), {{"bench", bench_report()}});
  ASSERT_EQ(next(first_boot)["step"], "wipe"); // wipe issued, then the machine is power-cycled
  const std::string second_boot = boot();
  EXPECT_EQ(register_agent(second_boot)["state"], "inventoried");
  EXPECT_EQ(next(second_boot)["step"], "bench");
  const auto jobs = m_daemon->registry.store().jobs(unit().id).value();
  EXPECT_EQ(jobs[1].status, "abandoned");
}

TEST_F(PipelineTest, MalformedPostsNameTheField) {
  const std::string token = boot();
  register_agent(token);
  const json job = next(token);
  EXPECT_NE(m_daemon
                ->post("/api/v1/result",
                       {{"token", token}, {"job", job["job"]}, {"status", "maybe"}}, 400)["error"]
                .get<std::string>()
                .find("'status'"),
            std::string::npos);
  m_daemon->post("/api/v1/result", {{"token", token}, {"job", job["job"]}, {"status", "failed"}},
                 400);
  m_daemon->post("/api/v1/progress",
                 {{"token", token}, {"job", 99999}, {"progress", json::object()}}, 404);
  m_daemon->post("/api/v1/next", json::object(), 400);
}

TEST_F(PipelineTest, ProgressIsStoredOnTheIssuedJob) {
  const std::string token = boot();
  register_agent(token);
  const json job = next(token);
  m_daemon->post("/api/v1/progress", {{"token", token},
                                      {"job", job["job"]},
                                      {"progress", {{"operation", "bench"}, {"done_bytes", 5}}}});
  const auto stored = m_daemon->registry.store().job_by_id(job["job"].get<hwdb::RowId>()).value();
  ASSERT_TRUE(stored);
  EXPECT_EQ(json::parse(stored->progress_json)["done_bytes"], 5);
}

// `atelier watch` reads the same database: the machine shows its step and progress while it works,
// and its verdict when done.
TEST_F(PipelineTest, WorkshopViewShowsStepProgressAndVerdict) {
  const std::string token = boot();
  register_agent(token);
  const json job = next(token);
  m_daemon->post("/api/v1/progress", {{"token", token},
                                      {"job", job["job"]},
                                      {"progress",
                                       {{"operation", "bench"},
                                        {"done_bytes", 25},
                                        {"total_bytes", 100},
                                        {"bytes_per_second", 2e6},
                                        {"eta_seconds", 70}}}});
  auto& store = m_daemon->registry.store();
  auto rows =
      workshop::workshop_rows(store.list_units({}).value(), store.latest_jobs().value(), {});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].stage, "bench");
  EXPECT_EQ(rows[0].progress, "25% 2 MB/s ETA 1m10s");
  EXPECT_EQ(rows[0].verdict, "");
  // The same facts as data, for a reader in another language (cli/watch.h).
  EXPECT_EQ(rows[0].step, "bench");
  EXPECT_EQ(rows[0].attempt, 1);
  EXPECT_EQ(rows[0].job_status, "issued");
  EXPECT_EQ(rows[0].percent, 25.0);
  EXPECT_EQ(rows[0].bytes_per_second, 2e6);
  EXPECT_EQ(rows[0].eta_seconds, 70);
  // An estimate beyond a year is the agent's nonsense: not shown (nor turned into a wrapped
  // number).
  clock().advance(std::chrono::seconds(2)); // one stored report per job and second
  const json stored_answer = m_daemon->post("/api/v1/progress", {{"token", token},
                                                                 {"job", job["job"]},
                                                                 {"progress",
                                                                  {{"operation", "bench"},
                                                                   {"done_bytes", 25},
                                                                   {"total_bytes", 100},
                                                                   {"eta_seconds", 1e300}}}});
  rows = workshop::workshop_rows(store.list_units({}).value(), store.latest_jobs().value(), {});
  EXPECT_EQ(stored_answer.value("stored", false), true) << stored_answer.dump();
  EXPECT_FALSE(rows[0].eta_seconds);
  EXPECT_EQ(rows[0].progress, "25%");
  done(token, job, {{"bench", bench_report()}});
  const json wipe = next(token);
  m_daemon->post("/api/v1/result", {{"token", token},
                                    {"job", wipe["job"]},
                                    {"status", "failed"},
                                    {"reason", "DISK FAILING — remove the disk"}});
  rows = workshop::workshop_rows(store.list_units({}).value(), store.latest_jobs().value(),
                                 {{unit().id, "wipe failed: DISK FAILING — remove the disk"}});
  EXPECT_EQ(rows[0].state, "failed");
  EXPECT_EQ(rows[0].stage, "wipe failed");
  EXPECT_EQ(rows[0].verdict, "FAILED: wipe failed: DISK FAILING — remove the disk");
  EXPECT_EQ(rows[0].job_status, "failed");
  EXPECT_EQ(rows[0].reason, "wipe failed: DISK FAILING — remove the disk");
  EXPECT_FALSE(rows[0].percent);
}

// A batch that lists this machine's MAC claims it at registration and forces its profile; a
// profile the server does not have fails the machine with the reason instead of guessing.
TEST_F(PipelineTest, BatchClaimsListedMachineAndForcesItsProfile) {
  auto& store = m_daemon->registry.store();
  hwdb::Batch batch;
  batch.name = "lycée";
  batch.profile = "family";
  batch.macs = {"52:54:00:aa:00:01"};
  batch.created_at = base::SystemClock().wall_seconds();
  const auto id = store.add_batch(batch).value();
  const std::string token = boot();
  register_agent(token);
  EXPECT_EQ(store.batch_units(id).value(), std::vector<hwdb::RowId>{unit().id});
  done(token, next(token), {{"bench", bench_report()}});
  EXPECT_EQ(unit().state, hwdb::UnitState::tested);
  EXPECT_NE(store.events(unit().id).value().back().reason.find("batch \"lycée\""),
            std::string::npos);
}

TEST_F(PipelineTest, BatchWithAMissingProfileFailsTheMachineWithTheReason) {
  auto& store = m_daemon->registry.store();
  hwdb::Batch batch;
  batch.name = "school";
  batch.profile = "no-such-profile";
  batch.max_units = 1;
  batch.created_at = base::SystemClock().wall_seconds();
  store.add_batch(batch).value();
  const std::string token = boot();
  register_agent(token);
  done(token, next(token), {{"bench", bench_report()}});
  EXPECT_EQ(unit().state, hwdb::UnitState::failed);
  EXPECT_NE(store.events(unit().id).value().back().reason.find("not installed"), std::string::npos);
}

// `atelier batch run` follows its machines from another process's point of view (its own
// database connection) and reports them; here the "machine" is driven through the API meanwhile.
TEST_F(PipelineTest, BatchRunWaitsForItsMachineAndSummarises) {
  const std::string plan = (m_dir / "plan.toml").string();
  std::ofstream(plan) << "[batch]\nname = \"demo\"\ncount = 1\ntimeout_minutes = 5\n";
  std::ostringstream out, err;
  std::atomic<int> status{-1};
  std::thread cli([&] {
    status =
        cli::run_cli({"--db", db(), "batch", "run", plan, "--json", "--interval", "0.1"}, out, err);
  });
  while (m_daemon->registry.store().open_batches().value().empty()) {
    if (status != -1) { // the command ended before opening its batch
      cli.join();
      FAIL() << "atelier batch run ended early (" << status << "): " << err.str();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::string token = boot();
  register_agent(token);
  done(token, next(token), {{"bench", bench_report()}});
  done(token, next(token), wiped(token));
  done(token, next(token), {{"partitions", 2}});
  ASSERT_EQ(next(token)["step"], "verify");
  // The verify step needs the hostname check of the real agent; here it reports success.
  const auto jobs = m_daemon->registry.store().jobs(unit().id).value();
  done(token, json{{"job", jobs.back().id}}, {{"summary", "ok"}});
  cli.join();
  ASSERT_EQ(status, 0) << err.str() << out.str();
  const json summary = json::parse(out.str());
  EXPECT_EQ(summary["ready"], 1);
  EXPECT_EQ(summary["ok"], true);
  EXPECT_EQ(summary["units"][0]["tag"], unit().tag.str());
  EXPECT_TRUE(m_daemon->registry.store().open_batches().value().empty()); // closed at the end
}

// A deploy that fails keeps its imaging record (failed step, reason, whether the disk was left
// unbootable) as the evidence of what happened, and the unit waits as failed with the reason.
TEST_F(PipelineTest, FailedDeployKeepsTheImagingRecordAsEvidence) {
  const std::string token = boot();
  register_agent(token);
  done(token, next(token), {{"bench", bench_report()}});
  done(token, next(token), wiped(token));
  const json job = next(token);
  ASSERT_EQ(job["step"], "deploy");
  const json record{{"result", "failed"},
                    {"failed_step", "extract"},
                    {"failure_reason", "sha256 mismatch"},
                    {"disk_left_unbootable", true}};
  m_daemon->post("/api/v1/result",
                 {{"token", token},
                  {"job", job["job"]},
                  {"status", "failed"},
                  {"reason", "installation failed at step extract: sha256 mismatch"},
                  {"result", record}});
  EXPECT_EQ(unit().state, hwdb::UnitState::failed);
  const auto images = m_daemon->registry.store().imaging_records(unit().id).value();
  ASSERT_EQ(images.size(), 1u);
  EXPECT_EQ(images[0].result, "failed");
  EXPECT_EQ(json::parse(images[0].detail), record);
  EXPECT_NE(next(token)["params"]["message"].get<std::string>().find("sha256 mismatch"),
            std::string::npos);
}

// stall_minutes: a machine whose agent went silent (power cut, unplugged, hung) does not stay
// "wiping 43 %" forever: the sweep fails its step and unit with a sentence a volunteer can act on.
TEST_F(PipelineTest, SilentAgentIsGivenUpAfterStallMinutes) {
  const std::string token = boot();
  register_agent(token);
  done(token, next(token), {{"bench", bench_report()}});
  const json wipe = next(token);
  ASSERT_EQ(wipe["step"], "wipe");
  clock().advance(std::chrono::minutes(6));
  progress(token, wipe);
  clock().advance(std::chrono::minutes(9)); // 15 min after the job, 9 after the last word
  EXPECT_TRUE(m_daemon->pipeline->sweep().lines.empty());
  EXPECT_EQ(unit().state, hwdb::UnitState::tested);
  clock().advance(std::chrono::minutes(1));
  const auto swept = m_daemon->pipeline->sweep().lines;
  ASSERT_EQ(swept.size(), 1u);
  EXPECT_TRUE(swept[0].starts_with(unit().tag.str() + " wipe: given up"))
      << swept[0];                                        // the log names the machine
  EXPECT_TRUE(m_daemon->pipeline->sweep().lines.empty()); // once

  auto& store = m_daemon->registry.store();
  EXPECT_EQ(unit().state, hwdb::UnitState::failed);
  const std::string reason = store.events(unit().id).value().back().reason;
  EXPECT_EQ(reason, "no word from the agent for 10 min during wipe (powered off, hung or "
                    "unplugged?): boot the machine again over the network to resume");
  const auto rows = workshop::workshop_rows(store.list_units({}).value(),
                                            store.latest_jobs().value(), {{unit().id, reason}});
  EXPECT_EQ(rows[0].stage, "wipe failed");
  EXPECT_EQ(rows[0].verdict, "FAILED: " + reason);

  // The agent was only slow: its late posts are refused with the reason and it stops; the
  // disks it says it erased get no record (the wipe is redone when the machine boots again).
  const json late = progress(token, wipe, 409);
  EXPECT_EQ(late["stop"], true);
  EXPECT_NE(late["error"].get<std::string>().find("given up by atelierd: no word from the agent"),
            std::string::npos);
  done(token, wipe, wiped(token), 409);
  EXPECT_TRUE(store.erasure_records_for_unit(unit().id).value().empty());
  const json finish = next(token)["params"];
  EXPECT_EQ(finish["verdict"], "FAILED");
  // atelierd's own reason goes to the machine's screen as a code and values too, for the agent to
  // word in the program's language (issue 21); `reason` keeps the English.
  EXPECT_EQ(finish["reason"], reason);
  EXPECT_EQ(finish["reason_code"], "no_word");
  EXPECT_EQ(finish["reason_values"], (json{{"minutes", "10"}, {"step", "wipe"}}));

  // Booted again, the machine starts over from the bench, as after any interruption.
  const std::string again = boot();
  EXPECT_EQ(register_agent(again)["state"], "inventoried");
  EXPECT_EQ(next(again)["step"], "bench");
}

// Issue 14, finding 10: a wipe stood at 44 % for 19 minutes while its agent posted a heartbeat
// every 20 s, so stall_minutes never fired. For wipe and deploy, stall_minutes now judges the bytes
// the reports count: posts that keep coming with the same done_bytes are no progress, and the unit
// fails saying where it stopped; the agent's next post gets the reason (its screen shows it).
TEST_F(PipelineTest, WipeWhoseBytesStandStillIsGivenUpAfterStallMinutes) {
  const std::string token = boot();
  register_agent(token);
  done(token, next(token), {{"bench", bench_report()}});
  const json wipe = next(token);
  ASSERT_EQ(wipe["step"], "wipe");
  const auto report = [&](std::uint64_t done_bytes, unsigned status = 200) {
    return m_daemon->post("/api/v1/progress",
                          {{"token", token},
                           {"job", wipe["job"]},
                           {"progress",
                            {{"operation", "wipe"},
                             {"device", "/dev/sda"},
                             {"done_bytes", done_bytes},
                             {"total_bytes", 28'000'000'000ULL},
                             {"bytes_per_second", 0},
                             {"eta_seconds", nullptr},
                             {"detail", "pass 1 of 1: zero"}}}},
                          status);
  };
  for (std::uint64_t gb = 1; gb <= 12; ++gb) { // moving: a gigabyte a minute
    clock().advance(std::chrono::minutes(1));
    report(gb * 1'000'000'000ULL);
    EXPECT_TRUE(m_daemon->pipeline->sweep().lines.empty());
  }
  clock().advance(std::chrono::seconds(20));
  report(12'320'000'000ULL);              // 44 %: the disk stops here, the heartbeat goes on
  for (int beat = 0; beat < 29; ++beat) { // 9 min 40 s of the same report every 20 s
    clock().advance(std::chrono::seconds(20));
    report(12'320'000'000ULL);
  }
  EXPECT_TRUE(m_daemon->pipeline->sweep().lines.empty());
  EXPECT_EQ(unit().state, hwdb::UnitState::tested);
  clock().advance(std::chrono::seconds(20));
  report(12'320'000'000ULL);
  const auto swept = m_daemon->pipeline->sweep().lines;
  ASSERT_EQ(swept.size(), 1u);
  const std::string reason =
      "wipe made no progress for 10 min (stuck at 44 %, 12.3 GB of 28.0 GB: wipe /dev/sda, pass 1 "
      "of 1: zero): the disk or the machine hung; boot the machine again over the network to redo "
      "it, and if it stops at the same place again, set the disk aside";
  EXPECT_EQ(swept[0], fmt::format("{} wipe: given up (job {}): {}", unit().tag.str(),
                                  wipe["job"].get<std::int64_t>(), reason)); // atelierd's log
  EXPECT_EQ(unit().state, hwdb::UnitState::failed);
  EXPECT_EQ(m_daemon->registry.store().events(unit().id).value().back().reason, reason);
  const json late = report(12'320'000'000ULL, 409); // what the machine's screen shows
  EXPECT_EQ(late["stop"], true);
  EXPECT_EQ(late["error"], fmt::format("job {} (wipe) was given up by atelierd: {}",
                                       wipe["job"].get<std::int64_t>(), reason));
}

// Passes, the verification and a new device are progress; so is a firmware purge's report, whose
// figure is the drive's own estimate (SECURITY ERASE UNIT says nothing for hours until it is done).
TEST_F(PipelineTest, NewPassesAndFirmwarePurgesAreNotStuck) {
  const std::string token = boot();
  register_agent(token);
  done(token, next(token), {{"bench", bench_report()}});
  const json wipe = next(token);
  const auto report = [&](const std::string& operation, std::uint64_t done_bytes,
                          const std::string& detail) {
    m_daemon->post("/api/v1/progress", {{"token", token},
                                        {"job", wipe["job"]},
                                        {"progress",
                                         {{"operation", operation},
                                          {"device", "/dev/sda"},
                                          {"done_bytes", done_bytes},
                                          {"total_bytes", 1'000'000'000ULL},
                                          {"detail", detail}}}});
  };
  for (const auto& [operation, detail] :
       std::vector<std::pair<std::string, std::string>>{{"wipe", "pass 1 of 2: aes-128-ctr"},
                                                        {"wipe", "pass 2 of 2: zero"},
                                                        {"verify", "sampled read-back"}}) {
    report(operation, 0, detail); // each starts at 0 and moves within 9 minutes
    clock().advance(std::chrono::minutes(9));
    report(operation, 1'000'000'000ULL, detail);
    EXPECT_TRUE(m_daemon->pipeline->sweep().lines.empty()) << detail;
  }
  for (int beat = 0; beat < 90; ++beat) { // 30 minutes of a purge's unchanged estimate
    clock().advance(std::chrono::seconds(20));
    report("purge", 0, "ENHANCED SECURITY ERASE UNIT");
  }
  EXPECT_TRUE(m_daemon->pipeline->sweep().lines.empty());
  EXPECT_EQ(unit().state, hwdb::UnitState::tested);
}

// Asking for the next step again is word from the agent too.
TEST_F(PipelineTest, AgentAskingAgainIsNotStalled) {
  const std::string token = boot();
  register_agent(token);
  const json bench = next(token);
  clock().advance(std::chrono::minutes(8));
  EXPECT_EQ(next(token)["job"], bench["job"]);
  clock().advance(std::chrono::minutes(8));
  EXPECT_TRUE(m_daemon->pipeline->sweep().lines.empty());
  EXPECT_EQ(unit().state, hwdb::UnitState::inventoried);
}

// step_timeout_minutes: a step that keeps reporting but never ends fails after its time limit,
// counted from when it was handed out.
TEST_F(PipelineTest, StepRunningPastItsTimeoutFails) {
  restart([](daemon::PipelineConfig& c) { c.step_timeout = std::chrono::minutes(60); });
  const std::string token = boot();
  register_agent(token);
  done(token, next(token), {{"bench", bench_report()}});
  const json wipe = next(token);
  for (int i = 0; i < 11; ++i) { // 55 minutes of steady progress
    clock().advance(std::chrono::minutes(5));
    progress(token, wipe);
  }
  EXPECT_TRUE(m_daemon->pipeline->sweep().lines.empty());
  clock().advance(std::chrono::minutes(5));
  EXPECT_EQ(m_daemon->pipeline->sweep().lines.size(), 1u);
  EXPECT_EQ(unit().state, hwdb::UnitState::failed);
  EXPECT_EQ(m_daemon->registry.store().events(unit().id).value().back().reason,
            "step wipe ran longer than 60 min ([pipeline] step_timeout_minutes): boot the machine "
            "again over the network to redo it");
}

// max_active_units: with one slot, the second machine waits for the first one's wipe and deploy
// (told its place in line), then goes on; bench and verify need no slot.
TEST_F(PipelineTest, SecondMachineWaitsForTheOnlySlot) {
  restart([](daemon::PipelineConfig& c) { c.max_active_units = 1; });
  const std::string first = boot();
  register_agent(first);
  const base::MacAddress other_mac{{0x52, 0x54, 0x00, 0xaa, 0x00, 0x02}};
  const std::string second = boot(other_mac);
  register_agent(second, 200, "52:54:00:aa:00:02");
  done(first, next(first), {{"bench", bench_report()}});
  done(second, next(second), {{"bench", bench_report()}});
  ASSERT_EQ(next(first)["step"], "wipe");

  const json wait = next(second);
  EXPECT_EQ(wait["wait"], true);
  EXPECT_EQ(wait["position"], 1);
  EXPECT_EQ(wait["retry_after"], 30);
  EXPECT_NE(wait["message"].get<std::string>().find("waiting for a free slot to wipe: 1st in line"),
            std::string::npos);
  EXPECT_FALSE(wait.contains("job"));

  done(first, next(first), wiped(first));
  // The slot is free between the first machine's wipe and deploy: the machine in line has it.
  EXPECT_EQ(next(second)["step"], "wipe");
  EXPECT_EQ(next(first)["wait"], true);
  done(second, next(second), wiped(second));
  EXPECT_EQ(next(first)["step"], "deploy");
  EXPECT_EQ(next(second)["position"], 1);
}

// Arrival order: of two machines waiting, the one that asked first gets the freed slot, even when
// the other asks first after the slot frees; a machine that stopped asking leaves the line.
TEST_F(PipelineTest, WaitingMachinesProceedInArrivalOrder) {
  restart([](daemon::PipelineConfig& c) { c.max_active_units = 1; });
  std::vector<std::string> tokens;
  for (std::uint8_t i = 1; i <= 3; ++i) {
    const base::MacAddress mac{{0x52, 0x54, 0x00, 0xaa, 0x00, i}};
    tokens.push_back(boot(mac));
    register_agent(tokens.back(), 200, mac.str());
    done(tokens.back(), next(tokens.back()), {{"bench", bench_report()}});
  }
  ASSERT_EQ(next(tokens[0])["step"], "wipe");
  EXPECT_EQ(next(tokens[1])["position"], 1);
  EXPECT_EQ(next(tokens[2])["position"], 2);
  done(tokens[0], next(tokens[0]), wiped(tokens[0]));
  EXPECT_EQ(next(tokens[2])["position"], 1); // the second machine is ahead of it
  EXPECT_EQ(next(tokens[1])["step"], "wipe");
  EXPECT_EQ(next(tokens[0])["position"], 2);
  // The second machine finishes its wipe while the third went silent for long: it left the line.
  clock().advance(std::chrono::minutes(2));
  EXPECT_EQ(next(tokens[0])["position"], 1);
  done(tokens[1], next(tokens[1]), wiped(tokens[1]));
  EXPECT_EQ(next(tokens[0])["step"], "deploy");
}

// Finding 11 of issue 14: a registration that claims an existing unit's serial from another MAC.
class SerialClaim : public PipelineTest {
protected:
  static json with_serial(const std::string& mac) {
    json inventory = inventory_for("52:54:00:aa:00:01"); // the same disks: the same machine
    inventory["system"]["serial"] = "PF0ABCDE";
    (void)mac;
    return inventory;
  }
  const base::MacAddress m_second_nic{{0x52, 0x54, 0x00, 0xaa, 0x00, 0x02}};
};

// While the unit is being worked on, the claim is refused: the live session goes on, the unit
// keeps its MAC, and the refusal is in its history for the operator.
TEST_F(SerialClaim, ClaimOfAUnitWithALiveSessionIsRefused) {
  const std::string owner = boot();
  register_agent(owner, 200, "52:54:00:aa:00:01", with_serial("52:54:00:aa:00:01"));
  const json bench = next(owner);
  const std::string intruder = boot(m_second_nic);
  const json refused = register_agent(intruder, 409, "52:54:00:aa:00:02", with_serial(""));
  EXPECT_EQ(refused["stop"], true);
  EXPECT_NE(
      refused["error"].get<std::string>().find("is being worked on from MAC 52:54:00:aa:00:01"),
      std::string::npos)
      << refused;
  EXPECT_EQ(unit().identity.wired_mac->str(), "52:54:00:aa:00:01");
  EXPECT_EQ(next(owner)["job"], bench["job"]); // the owner's session was not cut off
  const auto events = m_daemon->registry.store().events(unit().id).value();
  EXPECT_NE(events.back().reason.find("registration refused: MAC 52:54:00:aa:00:02"),
            std::string::npos);
}

TEST_F(SerialClaim, ClaimOfAReadyUnitIsRefused) {
  const std::string owner = boot();
  register_agent(owner, 200, "52:54:00:aa:00:01", with_serial(""));
  done(owner, next(owner), {{"bench", bench_report()}});
  done(owner, next(owner), wiped(owner));
  done(owner, next(owner), {{"partitions", 2}});
  done(owner, next(owner), {{"summary", "ok"}});
  ASSERT_EQ(unit().state, hwdb::UnitState::ready);
  next(owner); // the verdict: the session has nothing left to do
  const std::string intruder = boot(m_second_nic);
  const json refused = register_agent(intruder, 409, "52:54:00:aa:00:02", with_serial(""));
  EXPECT_NE(refused["error"].get<std::string>().find("is ready"), std::string::npos) << refused;
  EXPECT_EQ(unit().state, hwdb::UnitState::ready);
}

// An idle unit booted from its second network card is the same machine: accepted, as before.
TEST_F(SerialClaim, IdleUnitMayRegisterFromASecondNic) {
  const std::string owner = boot();
  register_agent(owner, 200, "52:54:00:aa:00:01", with_serial(""));
  m_daemon->post("/api/v1/result", {{"token", owner},
                                    {"job", next(owner)["job"]},
                                    {"status", "failed"},
                                    {"reason", "bench crashed"}});
  next(owner); // the FAILED verdict
  const std::string second = boot(m_second_nic);
  EXPECT_EQ(register_agent(second, 200, "52:54:00:aa:00:02", with_serial(""))["unit"],
            unit().tag.str());
}

// Finding 6 of issue 14: a machine not worth refurbishing leaves for parts without the donor's
// data. Graded parts (memory errors), it is wiped with the default policy and only then `parts`.
TEST_F(PipelineTest, MachineGradedPartsIsWipedBeforeItIsParts) {
  const std::string token = boot();
  register_agent(token);
  const json bench =
      json::parse(read(std::string(ATELIER_TEST_DATA) + "/imager/bench/bench-memory-errors.json"));
  EXPECT_EQ(done(token, next(token), {{"bench", bench}})["state"], "tested");
  const json job = next(token);
  ASSERT_EQ(job["step"], "wipe");
  EXPECT_EQ(job["params"]["parts"], true);
  EXPECT_EQ(job["params"]["methods"]["ssd"],
            json::array({"ata-sanitize-crypto", "ata-secure-erase", "zero"}));
  EXPECT_EQ(done(token, job, wiped(token))["state"], "parts");
  EXPECT_EQ(next(token)["step"], "finish");
  auto& store = m_daemon->registry.store();
  const auto events = store.events(unit().id).value();
  EXPECT_EQ(events[events.size() - 2].to, hwdb::UnitState::wiped);
  EXPECT_EQ(store.erasure_records_for_unit(unit().id).value().size(), 2u);
}

// A machine graded parts with no disk at all has nothing to erase: parts at once, and its history
// says why no wipe was needed.
TEST_F(PipelineTest, MachineGradedPartsWithoutDisksIsPartsAtOnce) {
  json inventory = inventory_for("52:54:00:aa:00:01");
  inventory["disks"] = json::array();
  const std::string token = boot();
  register_agent(token, 200, "52:54:00:aa:00:01", inventory);
  const json bench =
      json::parse(read(std::string(ATELIER_TEST_DATA) + "/imager/bench/bench-memory-errors.json"));
  EXPECT_EQ(done(token, next(token), {{"bench", bench}})["state"], "parts");
  EXPECT_NE(
      m_daemon->registry.store().events(unit().id).value().back().reason.find("(no disk to erase)"),
      std::string::npos);
}

// A unit goes to parts or recycling only when it was wiped since it was taken in or last
// delivered; a returned household machine sent to parts must have its disks out.
TEST_F(PipelineTest, UnitWithUnerasedDisksCannotLeaveForPartsOrRecycling) {
  const std::string token = boot();
  register_agent(token);
  auto& registry = m_daemon->registry;
  const auto refused = registry.transition(unit(), hwdb::UnitState::recycled, "cli:alice", "old");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("never wiped since it was taken in"), std::string::npos)
      << refused.error().message;
  done(token, next(token), {{"bench", bench_report()}});
  done(token, next(token), wiped(token));
  EXPECT_TRUE(registry.transition(unit(), hwdb::UnitState::parts, "cli:alice", "cracked hinge"));
}

// Finding 3 of issue 14: the wipe gate. A PC that boots from the network by accident is not
// erased: an unexpected machine waits for a key at its own screen, or (gate "expected") fails
// untouched; a protected one is never registered.
class WipeGateTest : public PipelineTest {
protected:
  void gate(profiles::WipeGate g) {
    restart([g](daemon::PipelineConfig& c) { c.wipe_gate = g; });
  }
  json benched(const std::string& token) {
    register_agent(token);
    done(token, next(token), {{"bench", bench_report()}});
    return next(token);
  }
};

TEST_F(WipeGateTest, UnexpectedMachineWaitsForAKeyAtItsScreen) {
  gate(profiles::WipeGate::expected_or_confirm);
  const std::string token = boot();
  const json confirm = benched(token);
  ASSERT_EQ(confirm["step"], "confirm");
  EXPECT_EQ(confirm["params"]["tag"], unit().tag.str());
  EXPECT_EQ(confirm["params"]["gate"], "unexpected"); // the agent words it in its language
  ASSERT_EQ(confirm["params"]["disks"].size(), 2u);
  EXPECT_NE(confirm["params"]["disks"][0].get<std::string>().find("SAMSUNG MZ7LN256HMJP"),
            std::string::npos);
  EXPECT_EQ(next(token)["job"], confirm["job"]); // asking again changes nothing
  auto& store = m_daemon->registry.store();
  const auto rows =
      workshop::workshop_rows(store.list_units({}).value(), store.latest_jobs().value(), {});
  EXPECT_EQ(rows[0].stage, "confirm");
  EXPECT_EQ(rows[0].progress, "WAITING FOR A KEY AT THE MACHINE (erase its disks?)");
  EXPECT_EQ(done(token, confirm, {{"confirmed", true}})["state"], "tested");
  EXPECT_EQ(next(token)["step"], "wipe");
}

TEST_F(WipeGateTest, AKeySaysNoAndNothingIsErased) {
  gate(profiles::WipeGate::expected_or_confirm);
  const std::string token = boot();
  const json confirm = benched(token);
  m_daemon->post("/api/v1/result", {{"token", token},
                                    {"job", confirm["job"]},
                                    {"status", "failed"},
                                    {"reason", "a volunteer answered N at the machine"}});
  EXPECT_EQ(unit().state, hwdb::UnitState::failed);
  EXPECT_EQ(next(token)["step"], "finish");
  EXPECT_TRUE(m_daemon->registry.store().erasure_records_for_unit(unit().id).value().empty());
}

// A confirmation counts for the boot it was given in: booted again, the machine asks again.
TEST_F(WipeGateTest, AConfirmationHoldsForOneBootOnly) {
  gate(profiles::WipeGate::confirm);
  const std::string first = boot();
  done(first, benched(first), {{"confirmed", true}});
  const std::string second = boot();
  EXPECT_EQ(benched(second)["step"], "confirm");
}

TEST_F(WipeGateTest, MachineInARunningBatchIsExpected) {
  gate(profiles::WipeGate::expected_or_confirm);
  hwdb::Batch batch;
  batch.name = "lycée";
  batch.macs = {"52:54:00:aa:00:01"};
  batch.created_at = base::SystemClock().wall_seconds();
  m_daemon->registry.store().add_batch(batch).value();
  const std::string token = boot();
  EXPECT_EQ(benched(token)["step"], "wipe");
}

TEST_F(WipeGateTest, SerialOnAnOpenDonationsAssetListIsExpected) {
  gate(profiles::WipeGate::expected);
  auto& store = m_daemon->registry.store();
  hwdb::Donation d;
  d.donor = "Mairie";
  d.received_on = "2026-12-01";
  d.opened_at = base::SystemClock().wall_seconds();
  const auto id = store.add_donation(d).value();
  store.add_donation_assets(id, {"PF0ABCDE"}).value();
  json inventory = inventory_for("52:54:00:aa:00:01");
  inventory["system"]["serial"] = "PF0ABCDE";
  const std::string token = boot();
  register_agent(token, 200, "52:54:00:aa:00:01", inventory);
  done(token, next(token), {{"bench", bench_report()}});
  EXPECT_EQ(next(token)["step"], "wipe");
}

TEST_F(WipeGateTest, GateExpectedFailsAnUnexpectedMachineUntouched) {
  gate(profiles::WipeGate::expected);
  const std::string token = boot();
  const json finish = benched(token);
  ASSERT_EQ(finish["step"], "finish");
  EXPECT_EQ(finish["params"]["verdict"], "FAILED");
  EXPECT_NE(finish["params"]["message"].get<std::string>().find("it is not expected"),
            std::string::npos);
  EXPECT_TRUE(m_daemon->registry.store().erasure_records_for_unit(unit().id).value().empty());
}

TEST_F(WipeGateTest, ProtectedMachineIsNeverRegistered) {
  m_daemon->api->set_protected({"52:54:00:aa:00:01", "PF0SERVER"});
  const json refused = register_agent(boot(), 403);
  EXPECT_EQ(refused["stop"], true);
  EXPECT_NE(refused["error"].get<std::string>().find("protected list"), std::string::npos);
  json inventory = inventory_for("52:54:00:aa:00:02");
  inventory["system"]["serial"] = "PF0SERVER";
  const base::MacAddress other{{0x52, 0x54, 0x00, 0xaa, 0x00, 0x02}};
  register_agent(boot(other), 403, "52:54:00:aa:00:02", inventory);
  EXPECT_TRUE(m_daemon->registry.store().list_units({}).value().empty());
}
