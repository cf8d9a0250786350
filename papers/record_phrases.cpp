#include "papers/record_phrases.h"

#include "base/i18n.h"
#include "records/erasure_phrases.h"
#include "records/phrases.h"

namespace atelier::papers {
namespace {

std::string render(std::string_view text, base::Language language, int depth) {
  if (language == base::Language::en || depth > 4 || text.empty()) {
    return std::string(text);
  }
  for (const char* pattern : records::k_erasure_phrases) {
    auto values = records::match_phrase(pattern, text);
    if (!values) {
      continue;
    }
    // A value may itself be one of the sentences (a hidden-area note inside a longer one).
    for (auto& [name, value] : *values) {
      value = render(value, language, depth + 1);
    }
    return records::fill_phrase(base::tr(language, pattern), *values);
  }
  return std::string(text);
}

} // namespace

std::string record_text(std::string_view text, base::Language language) {
  return render(text, language, 0);
}

} // namespace atelier::papers
