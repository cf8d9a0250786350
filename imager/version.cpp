#include "imager/version.h"

#ifndef ATELIER_VERSION
#error "ATELIER_VERSION must be defined by the build (imager/CMakeLists.txt)"
#endif

namespace atelier::imager {

std::string_view agent_version() { return ATELIER_VERSION; }

} // namespace atelier::imager
