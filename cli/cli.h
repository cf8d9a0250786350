// The `atelier` command line for coordinators and technicians (docs/CLI.md). The executable is a
// thin main around run_cli(); tests call run_cli() in-process with their own streams.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace atelier::cli {

// Exit status of the `atelier` command.
enum ExitCode : int {
  k_exit_ok = 0,
  k_exit_failure =
      1,            // the command ran and failed (invalid profile, unknown tag, refused transition)
  k_exit_usage = 2, // the command line itself is wrong
  // `atelier cert verify`: the certificate is intact, but no workshop key was available to check
  // who signed it (docs/ERASURE-RECORD.md, "Verifying")
  k_exit_not_checked = 3,
};

// args excludes the program name. Writes results to `out`, diagnostics to `err`, in the language
// of `--lang`, else of the locale the process environment names (std::getenv), else of the program
// file where the command reads one, else English (cli/context.h).
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// The same with the environment looked up through `getenv` (null for an unset variable): tests
// give the locale variables without touching the process environment.
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
            const std::function<const char*(const char*)>& getenv);

} // namespace atelier::cli
