// `atelier watch`'s cells in the reader's language (docs/CLI.md, docs/TRANSLATING.md).
#pragma once

#include "base/language.h"
#include "workshop/workshop_view.h"

#include <string>

namespace atelier::cli {

// A row's step, progress and verdict as `atelier watch` prints them. English gives the row's own
// text (what `watch --json` and atelierd's API serve); another language words the same facts: the
// step's name, the attempt and the job's end, the progress with the language's numbers, the
// verdict word and the FAILED or PARTS reason rendered by papers::record_text (a sentence of
// atelierd or of the agent recognised and translated, anything else as written). Pure.
struct WatchCells {
  std::string stage;
  std::string progress;
  std::string verdict;
};
WatchCells watch_cells(const workshop::WorkshopRow& row, base::Language language);

} // namespace atelier::cli
