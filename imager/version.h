// The agent's version as written into every report's `generator.version`: the CMake project
// version (project(... VERSION x.y.z)), passed to version.cpp as ATELIER_VERSION like daemon/ does.
#pragma once

#include <string_view>

namespace atelier::imager {

std::string_view agent_version();

} // namespace atelier::imager
