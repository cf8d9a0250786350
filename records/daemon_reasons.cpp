#include "records/daemon_reasons.h"

namespace atelier::records {

std::string daemon_reason(const DaemonReason& reason, const PhraseValues& values) {
  return fill_phrase(reason.pattern, values);
}

std::optional<DaemonReason> daemon_reason_from_code(std::string_view code) {
  for (const DaemonReason& r : k_daemon_reasons) {
    if (r.code == code) {
      return r;
    }
  }
  return std::nullopt;
}

std::optional<RecognisedReason> recognise_daemon_reason(std::string_view text) {
  for (const DaemonReason& r : k_daemon_reasons) {
    if (auto values = match_phrase(r.pattern, text)) {
      return RecognisedReason{r, std::move(*values)};
    }
  }
  return std::nullopt;
}

} // namespace atelier::records
