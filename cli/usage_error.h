// CLI11's usage errors (a missing required option, an unknown option, an invalid value, a missing
// subcommand) in the messages' language. CLI11 words them in English only; for English its own
// message is kept as it is. Internal to the CLI.
#pragma once

#include "base/language.h"

#include <string>

#include <CLI/CLI.hpp>

namespace atelier::cli {

// What `atelier` prints for the usage error `e` of `app` (a sentence and the --help hint, each on
// its line): CLI11's own text for English; otherwise one sentence per error class, naming the
// option and the value as CLI11 does. A message it does not recognise comes out as a translated
// lead-in followed by CLI11's English text.
std::string usage_error_text(base::Language language, const CLI::App* app, const CLI::Error& e);

} // namespace atelier::cli
