// The words of the machine's screen (docs/TRANSLATING.md): what the volunteer at a donated PC reads
// under the block letters, in the program's language that atelierd hands over in its register and
// next answers ("language", docs/AGENT-API.md).
//
// Contract:
// - The language is an argument of every function; nothing here keeps state. English until
//   atelierd has named a language (before registration, and with an atelierd older than issue 21).
// - What the agent tells atelierd stays English (the unit's events, the log, what `atelier watch`
//   shows are written once, in English): each of the agent's own sentences is made twice (Said),
//   English for atelierd and the screen's language for the screen.
// - atelierd's words come as codes and values (finish: tag, failed_step, reason; confirm: gate;
//   wait: position) and are worded here; a value (a reason written by atelierd or a tool, a disk
//   name) is shown as written.
// - Pure: no I/O. Translations come from base::tr (the catalogue the agent's boot environment
//   carries at /usr/share/locale).
#pragma once

#include "base/i18n.h"
#include "base/language.h"

#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace atelier::imager {

// One sentence of the agent for people: `english` goes to atelierd and the log, `shown` on the
// screen.
struct Said {
  std::string english;
  std::string shown;
};

// trf in English and in `language` (xgettext keyword say:2, scripts/update-po).
Said say(base::Language language, const char* msgid, base::MessageArgs args = {});
// `a` and `b` joined by "; " in both languages (several disks' reasons).
Said joined(const Said& a, const Said& b);

// The screen's language of a register or next answer: its "language"; English when it has none
// (an atelierd older than issue 21) or names one this agent has no words for.
base::Language language_of_answer(const nlohmann::json& answer);

// The stages the screen shows while the agent works.
enum class Stage {
  inventory,
  registering,
  waiting,
  testing,
  confirm,
  wiping,
  installing,
  checking
};

// The stage's title in capitals ("EFFACEMENT"), drawn in block letters (which drop accents). The
// English one is what the agent posts to atelierd as the step's operation.
std::string stage_title(base::Language language, Stage stage);

// The headline of a verdict word of the finish step ("READY", "PARTS", "FAILED") or of the
// agent's own "STOPPED", in capitals in the screen's language; an unknown word as sent.
std::string verdict_title(base::Language language, std::string_view verdict);

// The line under the verdict of a finish step, from its params: READY "stick label {tag} and
// shelve the machine", PARTS "label {tag} "parts" and set it aside: {reason}", FAILED "{tag}:
// {reason}", a failed step's reason preceded by "wipe failed: " etc. When atelierd's reason is
// `own_failure.english` (the reason this agent posted), `own_failure.shown` is shown instead.
// Params without a tag (an atelierd older than issue 21): its `message` as sent.
std::string finish_message(base::Language language, const nlohmann::json& params,
                           const Said& own_failure);

// The line under "ERASE THIS MACHINE?" of a confirm step: why (its `gate` code, else atelierd's
// `why` as sent), the disks and which key does what.
std::string confirm_text(base::Language language, const nlohmann::json& params);

// The line under WAITING of a `wait` answer: the place in line (`position`), else its `message`.
std::string waiting_text(base::Language language, const nlohmann::json& answer);

// A step's progress event (progress.h: operation, device, detail) as the screen's line; the
// operation ("wipe", "verify", "write", ...) in words, the device and detail as the step wrote
// them.
std::string progress_line(base::Language language, const nlohmann::json& event);

// "ETA" of the progress bar.
std::string eta_label(base::Language language);

} // namespace atelier::imager
