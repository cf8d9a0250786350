// What every `atelier` subcommand receives: the streams and the global options. Internal to the
// CLI.
#pragma once

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

  // Who acts, for the audit log: --actor's name, in the role the local CLI has (settings.h).
  hwdb::Actor who() const;

  // Reports an error the user can act on and sets the exit status to failure.
  void error(const std::string& message) {
    err << "atelier: " << message << '\n';
    status = 1;
  }
};

// Opens the database named by --db with the system clock; nullopt after reporting the error.
std::optional<hwdb::Registry> open_registry(CliContext& ctx);
// Loads --program; nullopt after printing its diagnostics (file:line: key: message).
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
