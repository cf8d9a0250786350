#include "base/version.h"

#ifndef ATELIER_VERSION
#error "ATELIER_VERSION must be defined by the build (base/CMakeLists.txt)"
#endif

namespace atelier::base {

std::string_view version() {
  return ATELIER_VERSION;
}

} // namespace atelier::base
