#include "papers/record_phrases.h"

#include "base/i18n.h"
#include "hardware-db/event_phrases.h"
#include "records/agent_protocol.h"
#include "records/agent_reasons.h"
#include "records/daemon_reasons.h"
#include "records/erasure_phrases.h"
#include "records/phrases.h"
#include "records/step_words.h"

#include <optional>

namespace atelier::papers {
namespace {

std::string render(std::string_view text, base::Language language, int depth) {
  if (language == base::Language::en || depth > 4 || text.empty()) {
    return std::string(text);
  }
  auto try_pattern = [&](const char* pattern) -> std::optional<std::string> {
    auto values = records::match_phrase(pattern, text);
    if (!values) {
      return std::nullopt;
    }
    // A value may itself be one of the sentences (a hidden-area note inside a longer one); a
    // step's name is worded like on the machine's screen.
    for (auto& [name, value] : *values) {
      value = name == "step" && records::step_from_string(value)
                  ? records::step_words(value, language)
                  : render(value, language, depth + 1);
    }
    return records::fill_phrase(base::tr(language, pattern), *values);
  };
  for (const char* pattern : records::k_erasure_phrases) {
    if (auto out = try_pattern(pattern)) {
      return *out;
    }
  }
  for (const auto& reason : records::k_daemon_reasons) {
    if (auto out = try_pattern(reason.pattern)) {
      return *out;
    }
  }
  for (const char* pattern : records::k_daemon_event_phrases) {
    if (auto out = try_pattern(pattern)) {
      return *out;
    }
  }
  for (const char* pattern : hwdb::k_event_phrases) {
    if (auto out = try_pattern(pattern)) {
      return *out;
    }
  }
  // "wipe failed: <the agent's reason>" before the agent's own sentences, some of which start with
  // a placeholder and would take "wipe failed" for a device's name.
  if (const auto values = records::match_phrase(records::k_event_step_failed, text);
      values && records::step_from_string((*values)[0].second)) {
    return *try_pattern(records::k_event_step_failed);
  }
  for (const char* pattern : records::k_agent_reasons) {
    if (auto out = try_pattern(pattern)) {
      return *out;
    }
  }
  return std::string(text);
}

} // namespace

std::string record_text(std::string_view text, base::Language language) {
  return render(text, language, 0);
}

} // namespace atelier::papers
