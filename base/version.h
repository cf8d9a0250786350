// Atelier's version, as every program prints it (--version) and writes it into the records it
// produces (a report's `generator.version`, an erasure record's `tool_version`): the CMake project
// version (project(... VERSION x.y.z)), compiled into base/version.cpp only.
#pragma once

#include <string_view>

namespace atelier::base {

std::string_view version();

} // namespace atelier::base
