// What every `atelier` subcommand receives: the streams, the global options and the language its
// messages are in. Internal to the CLI.
//
// The messages' language (docs/TRANSLATING.md, "Which language is chosen when"): `--lang` (before
// the command or after it), else the user's locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), else the
// program file's `language` once the command has read the program file, else English. Every
// sentence a command prints goes through base::tr/trf/tr_n with ctx.lang(); data (tags, ids,
// states, JSON) is never translated.
#pragma once

#include "base/i18n.h"
#include "base/language.h"
#include "hardware-db/registry.h"
#include "profiles/program.h"

#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

namespace atelier::cli {

struct CliContext {
  std::ostream& out;
  std::ostream& err;
  std::string db;      // --db
  std::string actor;   // --actor
  std::string program; // --program: the program file (handover, retention, report factors)
  int status = 0;      // exit status set by the command that ran
  std::optional<base::Language> lang_option{};      // --lang
  std::optional<base::Language> locale_language{};  // the user's locale, read once by run_cli
  std::optional<base::Language> program_language{}; // the program file's, once a command read it

  // The language of the messages, as the header says.
  base::Language lang() const {
    return lang_option.value_or(
        locale_language.value_or(program_language.value_or(base::Language::en)));
  }

  // Who acts, for the audit log: --actor's name, in the role the local CLI has (settings.h).
  hwdb::Actor who() const;

  // Reports an error the user can act on and sets the exit status to failure.
  void error(const std::string& message) {
    err << "atelier: " << message << '\n';
    status = 1;
  }
  // The same for an error of the hardware database or the workshop layer, in lang().
  void error(const hwdb::Error& e);
};

// `e` in `language` (docs/TRANSLATING.md, "The hardware database's errors"): its pattern
// translated and filled with its values, {error} with its cause rendered the same way; its English
// message as written when it has no pattern (a backend's text) or for English.
std::string error_text(base::Language language, const hwdb::Error& e);

// Opens the database named by --db with the system clock; nullopt after reporting the error.
std::optional<hwdb::Registry> open_registry(CliContext& ctx);
// Loads --program; nullopt after printing its diagnostics (file:line: key: message). The program's
// language becomes the messages' language when neither --lang nor the locale names one.
std::optional<profiles::Program> load_program_file(CliContext& ctx);

void add_db_commands(CLI::App& app, CliContext& ctx);
void add_accounts_commands(CLI::App& app, CliContext& ctx);
void add_units_commands(CLI::App& app, CliContext& ctx);
void add_profile_commands(CLI::App& app, CliContext& ctx);
void add_bootenv_commands(CLI::App& app, CliContext& ctx);
void add_image_commands(CLI::App& app, CliContext& ctx);
void add_cert_commands(CLI::App& app, CliContext& ctx);
void add_watch_command(CLI::App& app, CliContext& ctx);
void add_batch_commands(CLI::App& app, CliContext& ctx);
void add_households_commands(CLI::App& app, CliContext& ctx);
void add_handover_commands(CLI::App& app, CliContext& ctx);
void add_intake_commands(CLI::App& app, CliContext& ctx);
void add_report_commands(CLI::App& app, CliContext& ctx);
void add_paper_commands(CLI::App& app, CliContext& ctx);

} // namespace atelier::cli
