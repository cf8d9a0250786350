#include "imager/agent/agent.h"

#include "base/typography.h"
#include "imager/agent/agent_client.h"
#include "imager/agent/child_process.h"
#include "imager/agent/console_display.h"
#include "imager/agent/progress_poster.h"
#include "imager/agent/screen_text.h"
#include "records/agent_protocol.h"
#include "records/agent_reasons.h"
#include "records/erasure_record.h"
#include "records/imaging_record.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <stop_token>
#include <sys/reboot.h>
#include <termios.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace atelier::imager {
namespace {

using base::Language;
using nlohmann::json;
using records::Endpoint;
namespace field = records::agent_field;
namespace param = records::param_field;
namespace progress_field = records::progress_field;
namespace result_field = records::result_field;

// How often a running step says it is alive when it reports nothing else (well under the smallest
// [pipeline] stall_minutes, 1).
constexpr std::chrono::seconds k_heartbeat{20};
// The bench may overrun its budget on a slow machine (its disk pass, a slow CPU under emulation):
// it is stopped only after twice its budget plus this.
constexpr std::chrono::seconds k_bench_margin{60};

void log(std::string_view line) {
  std::cerr << "atelier-agent: " << line << "\n" << std::flush;
}

// Inventory fields the firmware did not report are null (docs/INVENTORY.md): read them as empty,
// never with json::value(), which throws on a null where a string was expected.
std::string text(const json& j, const char* key, std::string fallback = {}) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>()
                                                                : fallback;
}
std::uint64_t count(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_number_unsigned()
             ? j[key].get<std::uint64_t>()
             : 0;
}

} // namespace

std::string describe_disk(Language language, const json& disk) {
  const std::string model = text(disk, "model");
  const std::string serial = text(disk, "serial");
  if (!model.empty()) {
    return serial.empty() ? model : model + " " + serial;
  }
  if (!serial.empty()) {
    return base::trf(language, "serial {serial}", {{"serial", serial}});
  }
  return base::trf(language, "{size} GiB, no model or serial reported",
                   {{"size", base::format_decimal(static_cast<double>(count(disk, "size_bytes")) /
                                                      (1024.0 * 1024 * 1024),
                                                  1, language)}});
}

std::string last_message_line(std::string_view text) {
  std::string_view last;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) {
      line.remove_suffix(1);
    }
    if (!line.empty() && line.front() != '{') {
      last = line;
    }
  }
  return std::string(last);
}

std::chrono::seconds bench_timeout(int budget_seconds) {
  return std::chrono::seconds(2 * budget_seconds) + k_bench_margin;
}

std::expected<json, Said> bench_step(Language language, const std::string& self, int budget_seconds,
                                     std::chrono::seconds timeout,
                                     const std::function<void(std::string_view)>& on_line,
                                     const std::atomic<bool>* cancel) {
  auto child = run_child({self, "bench", "--json", "--budget", std::to_string(budget_seconds)},
                         on_line, {.timeout = timeout, .cancel = cancel});
  if (!child) {
    return std::unexpected(say(language, records::k_bench_failed, {{"error", child.error()}}));
  }
  if (child->cancelled) {
    return std::unexpected(say(language, records::k_bench_given_up));
  }
  if (child->timed_out) {
    return std::unexpected(say(language, records::k_bench_too_long,
                               {{"seconds", timeout.count()},
                                {"budget", budget_seconds},
                                {"margin", k_bench_margin.count()}}));
  }
  const json out = json::parse(child->out, nullptr, false);
  if (child->exit_code != 0) {
    const std::string why = last_message_line(child->err_tail);
    return std::unexpected(
        child->signal != 0
            ? say(language, records::k_bench_killed, {{"signal", child->signal}, {"why", why}})
            : say(language, records::k_bench_exited, {{"code", child->exit_code}, {"why", why}}));
  }
  if (out.is_discarded()) {
    return std::unexpected(say(language, records::k_bench_no_report));
  }
  return out;
}

namespace {

std::string tail_line(const std::string& text) {
  return last_message_line(text);
}

// Shared by the step threads: the screen, and the progress of the step running (handed to its
// ProgressPoster, which posts it from its own thread).
class Reporter {
public:
  explicit Reporter(ConsoleDisplay& display) : m_display(display) {}

  // The screen's language (screen_text.h): English until atelierd names one.
  void set_language(Language language) {
    std::lock_guard lock(m_mutex);
    m_language = language;
    m_screen.language = language;
  }
  Language language() const {
    std::lock_guard lock(m_mutex);
    return m_language;
  }
  // The stage on screen in the screen's language; atelierd hears it in English.
  void stage(Stage stage, Said detail = {}) {
    std::lock_guard lock(m_mutex);
    m_screen.stage = stage_title(m_language, stage);
    m_screen.detail = std::move(detail.shown);
    m_screen.fraction.reset();
    m_screen.eta_seconds.reset();
    m_display.show(m_screen);
    if (m_poster != nullptr) {
      m_poster->stage(stage_title(Language::en, stage), std::move(detail.english));
    }
  }
  void tag(std::string tag) {
    std::lock_guard lock(m_mutex);
    m_screen.tag = std::move(tag);
    m_display.show(m_screen);
  }
  // `verdict`: READY, PARTS, FAILED or STOPPED, shown in the screen's language; `message` is
  // shown as given (already in it).
  void verdict(std::string_view verdict, std::string message) {
    std::lock_guard lock(m_mutex);
    m_screen.verdict = verdict_title(m_language, verdict);
    m_screen.message = std::move(message);
    m_display.show(m_screen);
  }
  // One line of a child's stderr, on the thread that reads the child's pipes: it must never wait
  // (child_process.h). JSON progress events are shown and handed to the step's poster, anything
  // else goes to the log.
  void child_line(std::string_view line) {
    const json event = json::parse(line, nullptr, false);
    if (!event.is_object() || !event.contains(progress_field::k_done_bytes)) {
      log(line);
      return;
    }
    std::lock_guard lock(m_mutex);
    const double total = event.value(progress_field::k_total_bytes, 0.0);
    m_screen.detail = progress_line(m_language, event);
    if (total > 0) {
      m_screen.fraction = event.value(progress_field::k_done_bytes, 0.0) / total;
    }
    if (event.contains(progress_field::k_eta_seconds) &&
        event[progress_field::k_eta_seconds].is_number()) {
      m_screen.eta_seconds = event[progress_field::k_eta_seconds].get<double>();
    }
    m_display.show(m_screen);
    if (m_poster != nullptr) {
      m_poster->report(event);
    }
  }
  // A device's child ended: its last event is not repeated to atelierd any more.
  void device_done(const std::string& device) {
    std::lock_guard lock(m_mutex);
    if (m_poster != nullptr) {
      m_poster->device_done(device);
    }
  }
  // Set while a step runs (StepReporting).
  void attach(ProgressPoster* poster) {
    std::lock_guard lock(m_mutex);
    m_poster = poster;
    m_stop = false;
  }
  // The step's children are stopped when atelierd refused its progress (it gave the step up).
  void stop_step() { m_stop = true; }
  const std::atomic<bool>* stop_flag() const { return &m_stop; }

private:
  ConsoleDisplay& m_display;
  mutable std::mutex m_mutex;
  Language m_language = Language::en;
  ScreenState m_screen;
  ProgressPoster* m_poster = nullptr;
  std::atomic<bool> m_stop{false};
};

// While a step runs, its progress goes to atelierd through a ProgressPoster (RAII: stopped at the
// step's end). When atelierd refuses it (the step was given up: "wipe made no progress for 10
// min ..."), the screen says why at once and the step's children are stopped.
class StepReporting {
public:
  StepReporting(Reporter& reporter, AgentClient& client, std::int64_t job, const base::Clock& clock)
      : m_reporter(reporter),
        m_poster(
            [&client, job](const json& progress) {
              return client.post(Endpoint::progress,
                                 {{field::k_job, job}, {field::k_progress, progress}});
            },
            [&reporter](const std::string& reason) {
              log("atelierd refused this step's progress: " + reason);
              reporter.verdict("STOPPED", reason);
              reporter.stop_step();
            },
            clock, {.min_gap = std::chrono::seconds(1), .heartbeat = k_heartbeat}) {
    m_reporter.attach(&m_poster);
  }
  StepReporting(const StepReporting&) = delete;
  StepReporting& operator=(const StepReporting&) = delete;
  ~StepReporting() { m_reporter.attach(nullptr); }

private:
  Reporter& m_reporter;
  ProgressPoster m_poster;
};

struct StepOutcome {
  bool ok = false;
  json result = json::object();
  Said reason; // English to atelierd, shown when atelierd's finish names it
};

// Runs `self args...`, forwarding progress; parses stdout as JSON.
std::expected<json, Said> run_json(const AgentOptions& o, Reporter& r,
                                   std::vector<std::string> args, ChildResult* raw = nullptr,
                                   ChildOptions options = {}) {
  args.insert(args.begin(), o.self);
  options.cancel = r.stop_flag();
  auto child = run_child(
      args, [&](std::string_view line) { r.child_line(line); }, options);
  const Language language = r.language();
  const std::string& program = args[1];
  if (!child) {
    return std::unexpected(Said{child.error(), child.error()});
  }
  if (child->cancelled) {
    return std::unexpected(say(language, records::k_program_given_up, {{"program", program}}));
  }
  if (child->timed_out) {
    return std::unexpected(say(language, records::k_program_too_long,
                               {{"program", program}, {"seconds", options.timeout.count()}}));
  }
  if (raw != nullptr) {
    *raw = *child;
  }
  json out = json::parse(child->out, nullptr, false);
  if (child->exit_code != 0 && (out.is_discarded() || raw == nullptr)) {
    const std::string why = tail_line(child->err_tail);
    return std::unexpected(
        child->signal != 0 ? say(language, records::k_program_killed,
                                 {{"program", program}, {"signal", child->signal}, {"why", why}})
                           : say(language, records::k_program_exited,
                                 {{"program", program}, {"code", child->exit_code}, {"why", why}}));
  }
  if (out.is_discarded()) {
    return std::unexpected(say(language, records::k_program_no_report, {{"program", program}}));
  }
  return out;
}

std::vector<json> disks_of(const json& inventory) {
  std::vector<json> disks;
  if (inventory.contains("disks") && inventory["disks"].is_array()) {
    for (const auto& d : inventory["disks"]) {
      if (d.is_object() && !text(d, "name").empty()) {
        disks.push_back(d);
      }
    }
  }
  return disks;
}

bool is_overwrite(std::string_view method) {
  return method == "zero" || method == "one" || method == "random" || method == "random-then-zero";
}

// One disk: the policy's methods in order until one is possible on this drive.
StepOutcome wipe_disk(const AgentOptions& o, Reporter& r, const json& disk, const json& params) {
  const std::string device = "/dev/" + disk["name"].get<std::string>();
  const std::string media = text(disk, "media", "hdd");
  const json methods = params.contains(param::k_methods) && params[param::k_methods].contains(media)
                           ? params[param::k_methods][media]
                           : json::array({"zero"});
  const Language language = r.language();
  Said skipped;
  for (const auto& m : methods) {
    const std::string method = m.get<std::string>();
    ChildResult raw;
    auto report = run_json(o, r, erase_command(device, method, params), &raw);
    r.device_done(device);
    if (r.stop_flag()->load()) {
      return {false, json::object(),
              say(language, records::k_device_given_up, {{"device", device}})};
    }
    if (report && (raw.exit_code == 0 || raw.exit_code == 1)) {
      json record = report->is_array() && !report->empty() ? (*report)[0] : *report;
      StepOutcome outcome;
      outcome.ok = raw.exit_code == 0 &&
                   text(record, "result") == records::to_string(records::ErasureResult::erased);
      outcome.result = record;
      if (!outcome.ok) {
        // The disk's words differ between the languages: each sentence is made with its own.
        const auto failing = [&](Language l) {
          return base::trf(
              l, "DISK FAILING — {device} ({disk}): {why}; remove the disk and set it aside",
              {{"device", device},
               {"disk", describe_disk(l, disk)},
               {"why", text(record, "failure_reason", tail_line(raw.err_tail))}});
        };
        outcome.reason = {failing(Language::en), failing(language)};
      }
      return outcome;
    }
    const Said why =
        report ? Said{tail_line(raw.err_tail), tail_line(raw.err_tail)} : report.error();
    skipped = joined(skipped, {method + ": " + why.english, method + ": " + why.shown});
  }
  StepOutcome none;
  const auto impossible = [&](Language l, const std::string& tried) {
    return base::trf(l, "{device}: no erasure method of the profile was possible ({tried})",
                     {{"device", device}, {"tried", tried}});
  };
  none.reason = {impossible(Language::en, skipped.english), impossible(language, skipped.shown)};
  return none;
}

StepOutcome do_wipe(const AgentOptions& o, Reporter& r, const json& inventory, const json& params) {
  // The server names the disks to erase (its inventory and the profile's rule for removable
  // media); a disk it did not name is never written.
  std::vector<json> disks;
  const json named = params.contains(param::k_disks) && params[param::k_disks].is_array()
                         ? params[param::k_disks]
                         : json::array();
  for (const auto& d : disks_of(inventory)) {
    const bool listed = std::any_of(named.begin(), named.end(), [&](const json& n) {
      return n.is_string() && n.get<std::string>() == text(d, "name");
    });
    if (listed) {
      disks.push_back(d);
    }
  }
  const Language language = r.language();
  if (disks.empty()) {
    return {false, json::object(), say(language, records::k_no_disk_to_erase)};
  }
  const auto disk_count = [&](Language l) {
    return base::tr_n(l, "{count} disk", "{count} disks", disks.size(), {{"count", disks.size()}});
  };
  r.stage(Stage::wiping, {disk_count(Language::en), disk_count(language)});
  std::vector<StepOutcome> outcomes(disks.size());
  std::vector<std::thread> threads; // disks in parallel: a slow one does not hold the others
  for (std::size_t i = 0; i < disks.size(); ++i) {
    threads.emplace_back([&, i] { outcomes[i] = wipe_disk(o, r, disks[i], params); });
  }
  for (auto& t : threads) {
    t.join();
  }
  StepOutcome all{true, {{result_field::k_records, json::array()}}, {}};
  for (const auto& out : outcomes) {
    if (!out.result.empty()) {
      all.result[result_field::k_records].push_back(out.result);
    }
    if (!out.ok) {
      all.ok = false;
      all.reason = joined(all.reason, out.reason);
    }
  }
  return all;
}

// The wipe gate (docs/OPERATOR-GUIDE.md): this machine is not one the workshop expects, so it is
// erased only if a volunteer standing at it says so. The screen shows its tag and the disks that
// would be erased; one key answers (the console is put in non-canonical mode when it is a
// terminal). The heartbeat keeps the job alive meanwhile; a closed console is a "no".
StepOutcome do_confirm(const AgentOptions& o, Reporter& r, const json& params) {
  const Language language = r.language();
  r.stage(Stage::confirm, {confirm_text(Language::en, params), confirm_text(language, params)});
  termios saved{};
  const bool tty = ::tcgetattr(o.keys_fd, &saved) == 0;
  if (tty) {
    termios raw = saved;
    raw.c_lflag &= ~static_cast<tcflag_t>(ICANON);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    ::tcsetattr(o.keys_fd, TCSANOW, &raw);
  }
  std::string keys;
  std::optional<bool> answer;
  while (!answer) {
    char c = 0;
    const ssize_t n = ::read(o.keys_fd, &c, 1);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    keys.push_back(c);
    answer = confirmation_in(keys);
  }
  if (tty) {
    ::tcsetattr(o.keys_fd, TCSANOW, &saved);
  }
  if (answer == true) {
    log("confirm: a volunteer pressed Y: the disks will be erased");
    return {true, json{{"confirmed", true}}, {}};
  }
  return {false, json{{"confirmed", false}},
          answer == false ? say(language, records::k_volunteer_said_no)
                          : say(language, records::k_no_answer_read)};
}

// The disk the system goes on: the largest one that is not on USB.
std::optional<json> target_disk(const json& inventory) {
  std::optional<json> best;
  for (const auto& d : disks_of(inventory)) {
    if (text(d, "media") == "usb" || text(d, "bus") == "usb") {
      continue;
    }
    if (!best || count(d, "size_bytes") > count(*best, "size_bytes")) {
      best = d;
    }
  }
  return best;
}

StepOutcome do_deploy(const AgentOptions& o, Reporter& r, const json& inventory,
                      const json& params) {
  const Language language = r.language();
  const auto disk = target_disk(inventory);
  if (!disk) {
    return {false, json::object(), say(language, records::k_no_disk_to_install)};
  }
  const std::string profile_file = o.work_dir + "/atelier-profile.toml";
  {
    std::ofstream out(profile_file, std::ios::trunc);
    out << params.value(param::k_profile_toml, "");
    if (!out) {
      return {false, json::object(),
              say(language, records::k_cannot_write, {{"file", profile_file}})};
    }
  }
  const std::string device = "/dev/" + disk->at("name").get<std::string>();
  r.stage(Stage::installing, {device, device});
  // The imaging record comes on stdout whatever the outcome (exit 0 imaged, 1 failed after
  // writing, 2 refused before): a failed one names the step and the reason, and goes to the
  // daemon as evidence.
  std::vector<std::string> args = {"deploy",    device,
                                   "--profile", profile_file,
                                   "--image",   params.value(param::k_image_url, ""),
                                   "--tag",     params.value(param::k_tag, ""),
                                   "--json",    "--progress",
                                   "json"};
  // Only when the server saw every disk's last pass write zeros (and verified it) may a raw image
  // skip its zero blocks; after a random pass or a crypto erase they must be written.
  if (params.contains(param::k_wiped_zero) && params[param::k_wiped_zero] == true) {
    args.emplace_back("--wiped-zero");
  }
  ChildResult raw;
  auto record = run_json(o, r, args, &raw);
  if (!record) {
    const auto failed = [&](Language l, const std::string& why) {
      return base::trf(l, "installation failed: {why}", {{"why", why}});
    };
    return {false,
            json::object(),
            {failed(Language::en, record.error().english), failed(language, record.error().shown)}};
  }
  if (raw.exit_code != 0 || !record->is_object() ||
      record->value("result", "") != records::to_string(records::ImagingResult::imaged)) {
    const json& rec = *record;
    const std::string step = text(rec, "failed_step");
    const std::string why = text(rec, "failure_reason");
    const std::string shown_why = why.empty() ? last_message_line(raw.err_tail) : why;
    return {false, rec.is_object() ? rec : json::object(),
            step.empty() ? say(language, records::k_install_failed, {{"why", shown_why}})
                         : say(language, records::k_install_failed_at,
                               {{"step", step}, {"why", shown_why}})};
  }
  return {true, *record, {}};
}

StepOutcome do_bench(const AgentOptions& o, Reporter& r, const json& params) {
  const Language language = r.language();
  r.stage(Stage::testing, say(language, "CPU, memory and disks"));
  const int budget = params.value(param::k_budget_seconds, 60);
  auto bench = bench_step(
      language, o.self, budget, bench_timeout(budget),
      [&](std::string_view line) { r.child_line(line); }, r.stop_flag());
  if (!bench) {
    return {false, json::object(), bench.error()};
  }
  return {true, {{result_field::k_bench, *bench}}, {}};
}

// Checks what was installed, independently of the deploy step: the root filesystem is clean
// (fsck -n), and mounted read-only it has the tailored hostname and a GRUB configuration.
StepOutcome do_verify(const AgentOptions& o, Reporter& r, const json& inventory,
                      const json& params) {
  const Language language = r.language();
  const auto disk = target_disk(inventory);
  if (!disk) {
    return {false, json::object(), say(language, records::k_no_disk_to_check)};
  }
  const std::string device = "/dev/" + disk->at("name").get<std::string>();
  r.stage(Stage::checking, {device, device});
  const auto quiet = [](std::string_view) {
  };
  // lsblk names the partitions; their filesystem types come from blkid's own probe of each
  // superblock: lsblk takes FSTYPE from udev's database, and the boot environment has no udev.
  auto listing = run_child({"lsblk", "--json", "--paths", "-o", "NAME,TYPE", device}, quiet);
  if (!listing || listing->exit_code != 0) {
    return {false, json::object(),
            say(language, records::k_lsblk_failed,
                {{"device", device},
                 {"why", listing ? last_message_line(listing->err_tail) : listing.error()}})};
  }
  std::string root;
  std::string fstype;
  for (const auto& part : partitions_in_lsblk(listing->out)) {
    auto probed = run_child({"blkid", "-p", "-o", "value", "-s", "TYPE", part}, quiet);
    const std::string fs = probed && probed->exit_code == 0 ? last_message_line(probed->out) : "";
    if (fs == "ext4" || fs == "xfs" || fs == "btrfs") {
      root = part;
      fstype = fs;
    }
  }
  if (root.empty()) {
    return {false, json::object(),
            say(language, records::k_no_root_filesystem, {{"device", device}})};
  }
  auto fsck = run_child(filesystem_check_command(fstype, root), quiet);
  if (!fsck || fsck->exit_code != 0) {
    return {false, json::object(),
            say(language, records::k_fsck_errors,
                {{"partition", root},
                 {"why", fsck ? tail_line(fsck->out + fsck->err_tail) : fsck.error()}})};
  }
  const std::string mount_point = o.work_dir + "/atelier-verify";
  (void)run_child({"mkdir", "-p", mount_point}, quiet);
  auto mounted = run_child({"mount", "-o", "ro", root, mount_point}, quiet);
  if (!mounted || mounted->exit_code != 0) {
    return {false, json::object(), say(language, records::k_cannot_mount, {{"partition", root}})};
  }
  std::string hostname;
  std::ifstream(mount_point + "/etc/hostname") >> hostname;
  const bool grub = std::ifstream(mount_point + "/boot/grub/grub.cfg").good();
  (void)run_child({"umount", mount_point}, quiet);
  if (hostname != params.value(param::k_hostname, "")) {
    return {false, json::object(),
            say(language, records::k_wrong_hostname,
                {{"partition", root},
                 {"found", hostname},
                 {"expected", params.value(param::k_hostname, "")}})};
  }
  if (!grub) {
    return {false, json::object(), say(language, records::k_no_grub_cfg, {{"partition", root}})};
  }
  return {
      true,
      {{result_field::k_summary,
        records::fill_phrase(records::k_verified_summary,
                             {{"partition", root}, {"fstype", fstype}, {"hostname", hostname}})}},
      {}};
}

void carry_out(const AgentOptions& o, records::Action action) {
  if (!o.power_actions) {
    log(fmt::format("finish: would {}", records::to_string(action)));
    return;
  }
  ::sync();
  if (action == records::Action::poweroff) {
    ::reboot(RB_POWER_OFF);
  } else if (action == records::Action::reboot) {
    ::reboot(RB_AUTOBOOT);
  }
  while (true) { // wait: the verdict stays on screen until someone powers the machine off
    o.clock->sleep_for(std::chrono::hours(1));
  }
}

} // namespace

std::vector<std::string> erase_command(const std::string& device, const std::string& method,
                                       const json& params) {
  const std::string tag = params.value(param::k_tag, "");
  const std::string site = params.value(param::k_site, "");
  // The profile's policy for hidden areas (HPA/DCO) holds for an overwrite as for a purge.
  const std::string hidden_areas = params.value(param::k_hidden_areas, "reset");
  std::vector<std::string> args{is_overwrite(method) ? "wipe" : "purge",
                                device,
                                "--method",
                                method,
                                "--json",
                                "--progress",
                                "json",
                                "--hidden-areas",
                                hidden_areas,
                                "--asset-tag",
                                tag,
                                "--site",
                                site,
                                "--operator",
                                "atelier agent"};
  if (is_overwrite(method)) { // a purge samples sectors before and after (docs/PURGE.md)
    args.insert(args.end(), {"--verify", params.value(param::k_verify, "sample")});
  }
  return args;
}

std::optional<bool> confirmation_in(std::string_view keys) {
  for (const char c : keys) {
    if (c == 'y' || c == 'Y' || c == 'o' || c == 'O') {
      return true;
    }
    if (c == 'n' || c == 'N') {
      return false;
    }
  }
  return std::nullopt;
}

std::vector<std::string> partitions_in_lsblk(std::string_view lsblk_json) {
  const json tree = json::parse(lsblk_json, nullptr, false);
  std::vector<std::string> parts;
  if (!tree.is_object() || !tree.contains("blockdevices") || !tree["blockdevices"].is_array()) {
    return parts;
  }
  for (const auto& dev : tree["blockdevices"]) {
    if (!dev.is_object() || !dev.contains("children") || !dev["children"].is_array()) {
      continue;
    }
    for (const auto& part : dev["children"]) {
      if (part.is_object() && part.value("type", "") == "part" && part.contains("name") &&
          part["name"].is_string()) {
        parts.push_back(part["name"].get<std::string>());
      }
    }
  }
  return parts;
}

std::vector<std::string> filesystem_check_command(std::string_view fstype,
                                                  const std::string& device) {
  if (fstype == "xfs") {
    return {"xfs_repair", "-n", device};
  }
  if (fstype == "btrfs") {
    return {"btrfs", "check", "--readonly", device};
  }
  return {"fsck", "-n", "-t", std::string(fstype), device};
}

int run_agent(const AgentOptions& o) {
  // The agent erases disks when the server says so: it only ever runs in the boot environment
  // atelierd served (recognised by /etc/atelier/bootenv), never on a workstation by mistake.
  if (!std::ifstream("/etc/atelier/bootenv").good()) {
    log("refusing to run: this is not Atelier's boot environment (no /etc/atelier/bootenv); the "
        "agent wipes disks on the server's orders and runs only on machines booted by atelierd");
    return 2;
  }
  ConsoleDisplay display(std::cout);
  AgentClient client(o.server, o.token, {}, log, *o.clock);
  // Progress is best effort: a report that finds no daemon is dropped and the next one tries
  // again; it is posted from the step's ProgressPoster thread, never from the thread that reads the
  // step's output (progress_poster.h), and a post that waited out a restarting daemon (the
  // results' patience is 10 minutes) would only delay the next report.
  AgentClient progress_client(o.server, o.token,
                              {.patience = std::chrono::seconds(2),
                               .first_pause = std::chrono::milliseconds(500),
                               .max_pause = std::chrono::milliseconds(1000),
                               .timeout = std::chrono::seconds(5)},
                              {}, *o.clock);
  Reporter reporter(display);
  // Until atelierd names the program's language at registration, the screen speaks the one of the
  // kernel command line (atelier.lang=, English without it).
  reporter.set_language(o.language);
  reporter.stage(Stage::inventory);
  ChildResult raw;
  auto inventory = run_json(o, reporter, {"inventory", "--json"}, &raw);
  if (!inventory) {
    reporter.verdict("FAILED", base::trf(reporter.language(), "inventory failed: {why}",
                                         {{"why", inventory.error().shown}}));
    return 1;
  }
  reporter.stage(Stage::registering);
  auto registered = client.post(Endpoint::register_unit,
                                {{field::k_mac, o.mac}, {field::k_inventory, *inventory}});
  if (!registered) {
    reporter.verdict("FAILED",
                     base::trf(reporter.language(), "the server refused this machine: {why}",
                               {{"why", registered.error().message}}));
    return 1;
  }
  reporter.set_language(language_of_answer(*registered));
  log(fmt::format("the screen speaks {}", base::language_code(reporter.language())));
  reporter.tag(registered->value(field::k_unit, ""));
  // The reason of the step that failed last, in both languages: when atelierd's finish names it,
  // the screen shows it in its language (screen_text.h finish_message).
  Said last_failure;

  while (true) {
    auto next = client.post(Endpoint::next, json::object());
    if (!next) {
      reporter.verdict("STOPPED", next.error().message);
      return 1;
    }
    reporter.set_language(language_of_answer(*next));
    const Language language = reporter.language();
    if (next->value(field::k_wait, false)) {
      // No free slot for the heavy step yet ([pipeline] max_active_units): ask again later.
      const auto pause =
          std::clamp<std::int64_t>(next->value("retry_after", std::int64_t{30}), 1, 300);
      reporter.stage(Stage::waiting,
                     {waiting_text(Language::en, *next), waiting_text(language, *next)});
      log(next->value("message", std::string("waiting for a free slot")));
      o.clock->sleep_for(std::chrono::seconds(pause));
      continue;
    }
    const std::int64_t job = next->value(field::k_job, std::int64_t{0});
    const std::string step_name = next->value(field::k_step, "");
    const std::optional<records::Step> step = records::step_from_string(step_name);
    const json params = next->value(field::k_params, json::object());
    log(fmt::format("job {}: {} (attempt {})", job, step_name, next->value(field::k_attempt, 1)));
    if (step == records::Step::finish) {
      const std::string verdict = params.value(param::k_verdict, "");
      reporter.verdict(verdict, finish_message(language, params, last_failure));
      (void)client.post(Endpoint::result,
                        {{field::k_job, job},
                         {field::k_status, records::to_string(records::ResultStatus::done)},
                         {field::k_result, json::object()}});
      // An action this agent does not know keeps the verdict on screen, as "wait" does.
      carry_out(o, records::action_from_string(params.value(param::k_action, ""))
                       .value_or(records::Action::wait));
      return records::verdict_from_string(verdict) == records::Verdict::ready ? 0 : 1;
    }
    StepOutcome outcome;
    std::optional<StepReporting> reporting;
    reporting.emplace(reporter, progress_client, job, *o.clock);
    if (step == records::Step::bench) {
      outcome = do_bench(o, reporter, params);
    } else if (step == records::Step::confirm) {
      outcome = do_confirm(o, reporter, params);
    } else if (step == records::Step::wipe) {
      outcome = do_wipe(o, reporter, *inventory, params);
    } else if (step == records::Step::deploy) {
      outcome = do_deploy(o, reporter, *inventory, params);
    } else if (step == records::Step::verify) {
      outcome = do_verify(o, reporter, *inventory, params);
    } else {
      outcome = {false, json::object(),
                 say(language, records::k_unknown_step, {{"step", step_name}})};
    }
    reporting.reset();
    const records::ResultStatus status =
        outcome.ok ? records::ResultStatus::done : records::ResultStatus::failed;
    json body{{field::k_job, job},
              {field::k_status, records::to_string(status)},
              {field::k_result, outcome.result}};
    if (!outcome.ok) {
      body[field::k_reason] = outcome.reason.english;
      last_failure = outcome.reason;
    }
    auto posted = client.post(Endpoint::result, body);
    if (!posted) {
      reporter.verdict("STOPPED", posted.error().message);
      return 1;
    }
  }
}

} // namespace atelier::imager
