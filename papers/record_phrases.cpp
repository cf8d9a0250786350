#include "papers/record_phrases.h"

#include "base/i18n.h"
#include "records/agent_protocol.h"
#include "records/agent_reasons.h"
#include "records/daemon_reasons.h"
#include "records/erasure_phrases.h"
#include "records/phrases.h"

#include <optional>

namespace atelier::papers {
namespace {

std::string render(std::string_view text, base::Language language, int depth);

std::string render(std::string_view text, base::Language language, int depth) {
  if (language == base::Language::en || depth > 4 || text.empty()) {
    return std::string(text);
  }
  auto try_pattern = [&](const char* pattern) -> std::optional<std::string> {
    auto values = records::match_phrase(pattern, text);
    if (!values) {
      return std::nullopt;
    }
    // A value may itself be one of the sentences (a hidden-area note inside a longer one).
    for (auto& [name, value] : *values) {
      value = render(value, language, depth + 1);
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
  for (const char* pattern : records::k_agent_reasons) {
    if (auto out = try_pattern(pattern)) {
      return *out;
    }
  }
  // "wipe failed: <the agent's reason>": the step by its name, the reason rendered as above.
  if (auto values = records::match_phrase(records::k_event_step_failed, text)) {
    if (const auto step = records::step_from_string((*values)[0].second)) {
      (*values)[0].second = step_text((*values)[0].second, language);
      (*values)[1].second = render((*values)[1].second, language, depth + 1);
      return records::fill_phrase(base::tr(language, records::k_event_step_failed), *values);
    }
  }
  return std::string(text);
}

} // namespace

std::string step_text(std::string_view step, base::Language language) {
  using base::tr_ctx;
  switch (records::step_from_string(step).value_or(records::Step::finish)) {
  case records::Step::bench:
    return tr_ctx(language, "step", "bench");
  case records::Step::confirm:
    return tr_ctx(language, "step", "confirm");
  case records::Step::wipe:
    return tr_ctx(language, "step", "wipe");
  case records::Step::deploy:
    return tr_ctx(language, "step", "deploy");
  case records::Step::verify:
    return tr_ctx(language, "step", "verify");
  case records::Step::finish:
    break;
  }
  return step == "finish" ? tr_ctx(language, "step", "finish") : std::string(step);
}

std::string record_text(std::string_view text, base::Language language) {
  return render(text, language, 0);
}

} // namespace atelier::papers
