// The `identify` and `purge` subcommands of atelier-imager (docs/PURGE.md): their options, and the
// step from the parsed options to imager/purge/purge.h.
#pragma once

#include "imager/purge/purge.h"

#include <cstddef>
#include <expected>
#include <functional>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace atelier::imager {

struct PurgeCommandArgs {
  std::string device;
  std::string method;
  bool json = false;
  std::string confirm_serial;
  std::string hidden_areas = "reset";
  std::string verify = "sample";
  std::string progress = "text";
  std::size_t samples = 256;
  // The record's fields the caller knows (the agent passes the unit's asset tag and site).
  std::string asset_tag; // the record's source_property
  std::string site;
  std::string operator_name = "atelier-imager";
  std::string contact;
};

// Registers the `purge` subcommand and its options on `app`, bound to `args`.
CLI::App* add_purge_command(CLI::App& app, PurgeCommandArgs& args);

// purge_drive's options from the command's: the method (an error for one that is not a firmware
// method), the hidden-area policy, the verification, and the record's fields: the asset tag is
// the record's source_property, the site, operator and contact are copied.
std::expected<PurgeOptions, std::string> purge_options(const PurgeCommandArgs& args);

// Registers both subcommands on `app`. The returned function runs the one that was parsed and
// returns its exit status, or nullopt when neither was.
std::function<std::optional<int>()> add_purge_commands(CLI::App& app);

} // namespace atelier::imager
