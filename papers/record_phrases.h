// A record's or an event's free text in the reader's language: the sentences atelier-imager writes
// into an erasure record (records/erasure_phrases.h), the reasons atelierd writes itself
// (records/daemon_reasons.h) and those the agent posts for a step it could not do
// (records/agent_reasons.h) are recognised and rendered from the catalogue, so a French
// certificate of a record written in English, and `atelier watch` or `units history` of events
// written in English, read in French (docs/TRANSLATING.md, "Records"). The record itself is never
// changed.
//
// Contract: a text that is one of the patterns (its placeholders matched by any text) comes out
// translated, each placeholder's value rendered the same way (a note inside a note) and otherwise
// as written; any other text (a free note typed by an operator, an error of an older tool) comes
// out exactly as written. English gives back the text as written. Pure, thread-safe.
#pragma once

#include "base/language.h"

#include <string>
#include <string_view>

namespace atelier::papers {

std::string record_text(std::string_view text, base::Language language);

} // namespace atelier::papers
