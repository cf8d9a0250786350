#include "imager/agent/screen_text.h"

#include "records/agent_protocol.h"
#include "records/daemon_reasons.h"
#include "records/step_words.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace atelier::imager {
namespace {

using base::Language;
using base::tr;
using base::tr_ctx;
using base::trf;
using nlohmann::json;
namespace param = records::param_field;
namespace field = records::agent_field;

std::string text_at(const json& j, std::string_view key) {
  const auto it = j.is_object() ? j.find(key) : j.end();
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "wipe failed: {reason}" for the steps atelierd names in `failed_step` (the same English as
// atelierd's daemon::step_failure_reason).
std::string step_failed(Language language, records::Step step, const std::string& reason) {
  switch (step) {
  case records::Step::bench:
    return trf(language, "bench failed: {reason}", {{"reason", reason}});
  case records::Step::confirm:
    return trf(language, "confirm failed: {reason}", {{"reason", reason}});
  case records::Step::wipe:
    return trf(language, "wipe failed: {reason}", {{"reason", reason}});
  case records::Step::deploy:
    return trf(language, "deploy failed: {reason}", {{"reason", reason}});
  case records::Step::verify:
    return trf(language, "verify failed: {reason}", {{"reason", reason}});
  case records::Step::finish:
    break;
  }
  return reason;
}

} // namespace

Said say(Language language, const char* msgid, base::MessageArgs args) {
  return {base::format_message(msgid, args), trf(language, msgid, args)};
}

Said joined(const Said& a, const Said& b) {
  if (a.english.empty()) {
    return b;
  }
  if (b.english.empty()) {
    return a;
  }
  return {a.english + "; " + b.english, a.shown + "; " + b.shown};
}

Language language_of_answer(const json& answer) {
  return base::parse_language(text_at(answer, field::k_language)).value_or(Language::en);
}

std::string stage_title(Language language, Stage stage) {
  switch (stage) {
  case Stage::inventory:
    return tr_ctx(language, "screen stage", "INVENTORY");
  case Stage::registering:
    return tr_ctx(language, "screen stage", "REGISTERING");
  case Stage::waiting:
    return tr_ctx(language, "screen stage", "WAITING");
  case Stage::testing:
    return tr_ctx(language, "screen stage", "TESTING");
  case Stage::confirm:
    return tr_ctx(language, "screen stage", "ERASE THIS MACHINE?");
  case Stage::wiping:
    return tr_ctx(language, "screen stage", "WIPING");
  case Stage::installing:
    return tr_ctx(language, "screen stage", "INSTALLING");
  case Stage::checking:
    return tr_ctx(language, "screen stage", "CHECKING");
  }
  return {};
}

std::string verdict_title(Language language, std::string_view verdict) {
  if (verdict == "STOPPED") {
    return tr_ctx(language, "screen verdict", "STOPPED");
  }
  switch (records::verdict_from_string(verdict).value_or(records::Verdict::failed)) {
  case records::Verdict::ready:
    return tr_ctx(language, "screen verdict", "READY");
  case records::Verdict::parts:
    return tr_ctx(language, "screen verdict", "PARTS");
  case records::Verdict::failed:
    if (verdict == records::to_string(records::Verdict::failed)) {
      return tr_ctx(language, "screen verdict", "FAILED");
    }
    break;
  }
  return std::string(verdict);
}

namespace {

// A value of atelierd's reason for the screen: a step's name worded ("effacement"), one of
// atelierd's sentences inside (the erasure it will not certify, inside "result could not be
// recorded") worded the same way, anything else as written.
std::string reason_value_words(Language language, const std::string& name, const std::string& value,
                               int depth) {
  if (name == "step" && records::step_from_string(value)) {
    return records::step_words(value, language);
  }
  if (depth < 3) {
    if (auto known = records::recognise_daemon_reason(value)) {
      for (auto& [inner_name, inner_value] : known->values) {
        inner_value = reason_value_words(language, inner_name, inner_value, depth + 1);
      }
      return records::fill_phrase(tr(language, known->reason.pattern), known->values);
    }
  }
  return value;
}

// atelierd's own reason worded from its code (records/daemon_reasons.h): nullopt without a code,
// or with one this agent does not know (a newer atelierd), when the English `reason` is shown.
std::optional<std::string> daemon_reason_words(Language language, const json& params) {
  const auto reason = records::daemon_reason_from_code(text_at(params, param::k_reason_code));
  if (!reason) {
    return std::nullopt;
  }
  records::PhraseValues values;
  if (const auto it = params.find(param::k_reason_values); it != params.end() && it->is_object()) {
    for (const auto& [name, value] : it->items()) {
      if (value.is_string()) {
        values.emplace_back(name, reason_value_words(language, name, value.get<std::string>(), 0));
      }
    }
  }
  return records::fill_phrase(tr(language, reason->pattern), values);
}

} // namespace

std::string finish_message(Language language, const json& params, const Said& own_failure) {
  const std::string tag = text_at(params, param::k_tag);
  if (tag.empty()) {
    return text_at(params, param::k_message);
  }
  std::string reason = text_at(params, param::k_reason);
  if (!own_failure.english.empty() && reason == own_failure.english) {
    reason = own_failure.shown;
  } else if (auto own = daemon_reason_words(language, params)) {
    reason = *own;
  }
  if (const auto step = records::step_from_string(text_at(params, param::k_failed_step))) {
    reason = step_failed(language, *step, reason);
  }
  switch (records::verdict_from_string(text_at(params, param::k_verdict))
              .value_or(records::Verdict::failed)) {
  case records::Verdict::ready:
    return trf(language, "stick label {tag} and shelve the machine", {{"tag", tag}});
  case records::Verdict::parts:
    return trf(language, "label {tag} \"parts\" and set it aside: {reason}",
               {{"tag", tag}, {"reason", reason}});
  case records::Verdict::failed:
    break;
  }
  return trf(language, "{tag}: {reason}", {{"tag", tag}, {"reason", reason}});
}

std::string confirm_text(Language language, const json& params) {
  std::string why;
  switch (records::confirm_gate_from_string(text_at(params, param::k_gate))
              .value_or(records::ConfirmGate::unexpected)) {
  case records::ConfirmGate::every_machine:
    why = tr(language, "[pipeline] wipe_gate = \"confirm\": every machine is erased only after a "
                       "key at its own screen");
    break;
  case records::ConfirmGate::unexpected:
    why = tr(language, "this machine is not expected (on no open donation's asset list, in no "
                       "running batch)");
    break;
  }
  if (!records::confirm_gate_from_string(text_at(params, param::k_gate))) {
    why = text_at(params, param::k_why);
    if (why.empty()) {
      why = tr(language, "this machine needs a confirmation");
    }
  }
  std::string disks;
  if (const auto it = params.is_object() ? params.find(param::k_disks) : params.end();
      it != params.end() && it->is_array()) {
    for (const auto& d : *it) {
      if (d.is_string()) {
        disks += (disks.empty() ? "" : "; ") + d.get<std::string>();
      }
    }
  }
  return trf(language,
             "{why}. Disks to erase: {disks}. Press Y to erase everything on them, N to leave the "
             "machine untouched.",
             {{"why", why}, {"disks", disks.empty() ? tr(language, "none listed") : disks}});
}

std::string waiting_text(Language language, const json& answer) {
  if (const auto it = answer.is_object() ? answer.find(field::k_position) : answer.end();
      it != answer.end() && it->is_number_integer() && it->get<std::int64_t>() > 0) {
    const auto place = it->get<std::int64_t>();
    return trf(language, "waiting for a free slot (place {place} in line)", {{"place", place}});
  }
  const std::string message = text_at(answer, field::k_message);
  return message.empty() ? tr(language, "waiting for a free slot") : message;
}

std::string progress_line(Language language, const json& event) {
  const std::string operation = text_at(event, "operation");
  // The operations the steps report (wipe, purge, and deploy's steps and transfers); another
  // one is shown as the step wrote it.
  const auto word = [&]() -> std::string {
    if (operation == "wipe") {
      return tr_ctx(language, "progress", "wipe");
    }
    if (operation == "verify") {
      return tr_ctx(language, "progress", "verify");
    }
    if (operation == "purge") {
      return tr_ctx(language, "progress", "purge");
    }
    if (operation == "check") {
      return tr_ctx(language, "progress", "check");
    }
    if (operation == "partition") {
      return tr_ctx(language, "progress", "partition");
    }
    if (operation == "mkfs") {
      return tr_ctx(language, "progress", "mkfs");
    }
    if (operation == "extract") {
      return tr_ctx(language, "progress", "extract");
    }
    if (operation == "tailor") {
      return tr_ctx(language, "progress", "tailor");
    }
    if (operation == "bootloader") {
      return tr_ctx(language, "progress", "bootloader");
    }
    if (operation == "finish") {
      return tr_ctx(language, "progress", "finish");
    }
    if (operation == "write") {
      return tr_ctx(language, "progress", "write");
    }
    if (operation == "read") {
      return tr_ctx(language, "progress", "read");
    }
    if (operation == "download") {
      return tr_ctx(language, "progress", "download");
    }
    if (operation == "zap") {
      return tr_ctx(language, "progress", "zap");
    }
    return operation;
  };
  return fmt::format("{} {} {}", word(), text_at(event, "device"), text_at(event, "detail"));
}

std::string eta_label(Language language) {
  return tr_ctx(language, "progress", "ETA");
}

} // namespace atelier::imager
