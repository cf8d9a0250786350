// A pipeline step's name for people ("wipe": "effacement"), the same on the machine's screen, in
// `atelier watch` and in a rendered event (docs/TRANSLATING.md). Header-only: it translates, so
// only what speaks to people calls it (papers, the agent, the CLI: they link atelier_i18n);
// atelier_records itself links no catalogue.
#pragma once

#include "base/i18n.h"
#include "records/agent_protocol.h"

#include <string>
#include <string_view>

namespace atelier::records {

// `step` (records::to_string(Step)) in `language`; a name this build does not know as written.
inline std::string step_words(std::string_view step, base::Language language) {
  using base::tr_ctx;
  const auto known = step_from_string(step);
  if (!known) {
    return std::string(step);
  }
  switch (*known) {
  case Step::bench:
    return tr_ctx(language, "step", "bench");
  case Step::confirm:
    return tr_ctx(language, "step", "confirm");
  case Step::wipe:
    return tr_ctx(language, "step", "wipe");
  case Step::deploy:
    return tr_ctx(language, "step", "deploy");
  case Step::verify:
    return tr_ctx(language, "step", "verify");
  case Step::finish:
    return tr_ctx(language, "step", "finish");
  }
  return std::string(step);
}

} // namespace atelier::records
