#include "base/process_runner.h"
#include "imager/inventory/smart.h"
#include "test_support.h"

#include <map>

#include <gtest/gtest.h>

namespace atelier::imager {
namespace {

using test::read_fixture;

// Answers from a table keyed by the program name; records what it was asked to run.
class FakeProcessRunner final : public base::ProcessRunner {
public:
  std::map<std::string, std::expected<base::ProcessResult, std::string>> answers;
  std::vector<std::vector<std::string>> calls;
  std::expected<base::ProcessResult, std::string> run(const std::vector<std::string>& argv,
                                                      std::chrono::milliseconds) override {
    calls.push_back(argv);
    const auto it = answers.find(argv.at(0));
    if (it == answers.end()) {
      return std::unexpected(argv.at(0) + ": not installed");
    }
    return it->second;
  }
};

TEST(SmartctlJson, HealthySataSsd) {
  // Why: the common case must read as ok with hours and temperature.
  const auto h = parse_smartctl_json(read_fixture("smart/sata-ssd-ok.json"));
  EXPECT_EQ(h.status, HealthStatus::ok);
  EXPECT_EQ(h.smart_passed, true);
  EXPECT_EQ(h.reallocated_sectors, 0U);
  EXPECT_EQ(h.reported_uncorrectable, 0U);
  EXPECT_EQ(h.power_on_hours, 12345U);
  EXPECT_EQ(h.temperature_c, 34);
  EXPECT_EQ(h.rotation_rate_rpm, 0U);
  EXPECT_EQ(h.model, "Samsung SSD 860 EVO 250GB");
}

TEST(SmartctlJson, ReallocatedSectorsAreAWarningEvenWhenTheDrivePasses) {
  // Why: raw > 0 on attribute 5 or 197 predicts failure long before the drive's own verdict.
  const auto h = parse_smartctl_json(read_fixture("smart/hdd-reallocated.json"));
  EXPECT_EQ(h.status, HealthStatus::warning);
  EXPECT_EQ(h.reallocated_sectors, 24U);
  EXPECT_EQ(h.pending_sectors, 3U);
  EXPECT_EQ(h.offline_uncorrectable, 0U);
  EXPECT_NE(h.reason.find("24 reallocated sectors"), std::string::npos) << h.reason;
  EXPECT_EQ(h.power_on_hours, 28114U);
}

TEST(SmartctlJson, FailedSelfAssessmentIsFailing) {
  // Why: the drive's own FAILED verdict overrides everything.
  const auto h = parse_smartctl_json(read_fixture("smart/hdd-failed.json"));
  EXPECT_EQ(h.status, HealthStatus::failing);
  EXPECT_EQ(h.smart_passed, false);
  EXPECT_EQ(h.reallocated_sectors, 2021U);
  EXPECT_EQ(h.reported_uncorrectable, 188U);
}

TEST(SmartctlJson, NvmeHealthLog) {
  // Why: NVMe has no attributes; percentage used and media errors carry the health.
  const auto h = parse_smartctl_json(read_fixture("smart/nvme-ok.json"));
  EXPECT_EQ(h.status, HealthStatus::ok);
  EXPECT_EQ(h.percentage_used, 3U);
  EXPECT_EQ(h.available_spare, 100U);
  EXPECT_EQ(h.media_errors, 0U);
  EXPECT_EQ(h.power_on_hours, 5210U);
  EXPECT_EQ(h.temperature_c, 36);
}

TEST(SmartctlJson, UsbBridgeThatAnswersNothingIsUnknownWithTheReason) {
  // Why: many USB enclosures pass no SMART through; that is "unknown", not "ok" and not a crash.
  const auto h = parse_smartctl_json(read_fixture("smart/usb-bridge-unknown.json"));
  EXPECT_EQ(h.status, HealthStatus::unknown);
  EXPECT_NE(h.reason.find("Unknown USB bridge"), std::string::npos) << h.reason;
}

TEST(SmartctlJson, GarbageAndEmptyOutputAreUnknown) {
  // Why: a tool that crashes or prints text must not be mistaken for a healthy disk.
  EXPECT_EQ(parse_smartctl_json("").status, HealthStatus::unknown);
  EXPECT_EQ(parse_smartctl_json("smartctl 7.3 ...\n").status, HealthStatus::unknown);
  EXPECT_EQ(parse_smartctl_json("[1,2]").status, HealthStatus::unknown);
  EXPECT_EQ(parse_smartctl_json(R"({"smart_status":{"passed":"yes"}})").status,
            HealthStatus::unknown);
}

// Real drives' smartctl answers, restated from published captures (tests/data/imager/SOURCES.md).
TEST(SmartctlJson, RealHddBehindUsbBridgeThatFailsItsOwnTest) {
  // Why: a 65 000-hour Hitachi in a JMicron enclosure: FAILED verdict, 1975 reallocated and 8
  // pending sectors; its attribute 194 raw value packs min/max into 48 bits and must not become the
  // temperature.
  const auto h = parse_smartctl_json(read_fixture("smart/real-hdd-usb-jmicron-failed.json"));
  EXPECT_EQ(h.status, HealthStatus::failing);
  EXPECT_EQ(h.reallocated_sectors, 1975U);
  EXPECT_EQ(h.pending_sectors, 8U);
  EXPECT_EQ(h.offline_uncorrectable, 0U);
  EXPECT_EQ(h.power_on_hours, 65592U);
  EXPECT_EQ(h.temperature_c, 25);
  EXPECT_EQ(h.rotation_rate_rpm, 7200U);
  EXPECT_EQ(h.model, "Hitachi HDS721050DLE630");
  EXPECT_NE(h.reason.find("FAILED"), std::string::npos) << h.reason;
  EXPECT_NE(h.reason.find("1975 reallocated sectors"), std::string::npos) << h.reason;
}

TEST(SmartctlJson, RealNvmeWithMediaErrorsIsAWarning) {
  // Why: a Samsung 970 EVO that passes its own check but logged 7 media errors at 3 % used.
  const auto h = parse_smartctl_json(read_fixture("smart/real-nvme-970evo-media-errors.json"));
  EXPECT_EQ(h.status, HealthStatus::warning);
  EXPECT_EQ(h.percentage_used, 3U);
  EXPECT_EQ(h.media_errors, 7U);
  EXPECT_EQ(h.available_spare, 99U);
  EXPECT_EQ(h.power_on_hours, 12798U);
  EXPECT_EQ(h.reason, "7 media errors");
}

TEST(SmartctlJson, RealHealthyNvmeAndSataSsd) {
  // Why: healthy drives must read ok; UDMA CRC errors (199) are a cable fault, not the drive's.
  const auto nvme = parse_smartctl_json(read_fixture("smart/real-nvme-intel660p-ok.json"));
  EXPECT_EQ(nvme.status, HealthStatus::ok);
  EXPECT_EQ(nvme.percentage_used, 0U);
  EXPECT_EQ(nvme.temperature_c, 36);
  const auto ssd = parse_smartctl_json(read_fixture("smart/real-ssd-840-crc-errors-ok.json"));
  EXPECT_EQ(ssd.status, HealthStatus::ok);
  EXPECT_EQ(ssd.reallocated_sectors, 0U);
  EXPECT_EQ(ssd.reported_uncorrectable, 0U);
  EXPECT_EQ(ssd.power_on_hours, 19497U);
  EXPECT_EQ(ssd.rotation_rate_rpm, 0U);
}

TEST(NvmeSmartLog, WornDriveIsAWarningAndTemperatureIsConvertedFromKelvin) {
  // Why: nvme-cli reports kelvin; > 100 % used means past rated endurance.
  const auto h = parse_nvme_smart_log_json(read_fixture("smart/nvme-smart-log.json"));
  EXPECT_EQ(h.status, HealthStatus::warning);
  EXPECT_EQ(h.percentage_used, 105U);
  EXPECT_EQ(h.temperature_c, 45);
  EXPECT_EQ(h.power_on_hours, 18220U);
  EXPECT_EQ(h.source, "nvme-cli");
}

TEST(HealthProbe, MissingToolsGiveUnknownWithTheReason) {
  // Why: a boot environment without smartmontools still produces an inventory.
  FakeProcessRunner runner;
  const auto probe = probe_health(runner, "nvme0n1", true);
  EXPECT_EQ(probe.health.status, HealthStatus::unknown);
  EXPECT_NE(probe.health.reason.find("smartctl: not installed"), std::string::npos);
  EXPECT_NE(probe.health.reason.find("nvme: not installed"), std::string::npos);
  ASSERT_EQ(runner.calls.size(), 2U);
  EXPECT_EQ(runner.calls[0],
            (std::vector<std::string>{"smartctl", "--json=c", "-a", "/dev/nvme0n1"}));
  EXPECT_EQ(runner.calls[1],
            (std::vector<std::string>{"nvme", "smart-log", "-o", "json", "/dev/nvme0n1"}));
}

TEST(HealthProbe, SmartctlAnswerWithProblemBitsIsStillParsed) {
  // Why: smartctl's exit status has bits set for disk problems; the JSON is what counts.
  FakeProcessRunner runner;
  runner.answers["smartctl"] =
      base::ProcessResult{64, false, read_fixture("smart/hdd-reallocated.json"), ""};
  const auto probe = probe_health(runner, "sdc", false);
  EXPECT_EQ(probe.health.status, HealthStatus::warning);
  ASSERT_EQ(probe.runs.size(), 1U);
  EXPECT_EQ(probe.runs[0].exit_code, 64);
  EXPECT_EQ(probe.runs[0].out, read_fixture("smart/hdd-reallocated.json"));
}

TEST(HealthProbe, NvmeFallsBackToNvmeCli) {
  // Why: an old smartctl may not speak NVMe; nvme-cli can.
  FakeProcessRunner runner;
  runner.answers["smartctl"] =
      base::ProcessResult{2, false, R"({"smartctl":{"exit_status":2}})", ""};
  runner.answers["nvme"] =
      base::ProcessResult{0, false, read_fixture("smart/nvme-smart-log.json"), ""};
  const auto probe = probe_health(runner, "nvme0n1", true);
  EXPECT_EQ(probe.health.source, "nvme-cli");
  EXPECT_EQ(probe.health.percentage_used, 105U);
  EXPECT_EQ(probe.runs.size(), 2U);
}

TEST(HealthProbe, TimeoutIsUnknown) {
  // Why: a hanging bridge must not be reported as healthy.
  FakeProcessRunner runner;
  runner.answers["smartctl"] = base::ProcessResult{-1, true, "", ""};
  const auto probe = probe_health(runner, "sdb", false);
  EXPECT_EQ(probe.health.status, HealthStatus::unknown);
  EXPECT_NE(probe.health.reason.find("in time"), std::string::npos);
}

} // namespace
} // namespace atelier::imager
