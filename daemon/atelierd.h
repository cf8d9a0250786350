// atelierd, the workshop daemon. Today it runs the proxyDHCP side of the PXE service with detection
// into the hardware database (docs/PXE.md); TFTP, HTTP and the pipeline join it in later issues.
#pragma once

#include <string>
#include <vector>

namespace atelier::daemon {

// args excludes the program name. Runs until SIGINT/SIGTERM; returns the exit status.
int run_atelierd(const std::vector<std::string>& args);

} // namespace atelier::daemon
