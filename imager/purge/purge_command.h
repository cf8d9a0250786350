// The `identify` and `purge` subcommands of atelier-imager (docs/PURGE.md). Part of the executable,
// not the library: it only parses arguments and calls imager/purge/purge.h.
#pragma once

#include <functional>
#include <optional>

namespace CLI {
class App;
}

namespace atelier::imager {

// Registers both subcommands on `app`. The returned function runs the one that was parsed and
// returns its exit status, or nullopt when neither was.
std::function<std::optional<int>()> add_purge_commands(CLI::App& app);

} // namespace atelier::imager
