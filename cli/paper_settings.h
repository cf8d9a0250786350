// What every printed paper takes from the program file: its language, name, site and support
// contact (docs/PAPER.md). Shared by `atelier label`, `atelier spec-sheet` and `atelier cert pdf`
// so they all choose their language the same way: `--lang`, else the program file's `language`
// (the command's `--program`, else the global `--program`, else the default program file if it
// exists), else French. Internal to the CLI.
#pragma once

#include "cli/context.h"
#include "workshop/settings.h"

#include <optional>
#include <string>
#include <string_view>

namespace atelier::cli {

struct PaperOptions {
  std::string program = workshop::default_program_file();
  bool program_given = false;
  std::string lang;
  std::string out;
};

struct PaperSettings {
  profiles::Language language = profiles::Language::fr;
  std::string program_name;
  std::string site;
  std::string support_contact;
  std::string support_url;
};

// The program's words and language. The default program file may be absent (a workshop that only
// prints certificates): a note on stderr says so, ending with `without` (what the paper lacks
// then, e.g. ", no support contact"); a --program that cannot be read is an error (nullopt, after
// reporting it). `registry`, when given, supplies the program's name kept by `db init --program`.
std::optional<PaperSettings> paper_settings(CliContext& ctx, const PaperOptions& options,
                                            hwdb::Registry* registry, std::string_view without);

// --out (required), --program and --lang; `program_help` says what the command takes from the
// program file.
void add_paper_options(CLI::App* cmd, PaperOptions& o, const std::string& program_help);

} // namespace atelier::cli
