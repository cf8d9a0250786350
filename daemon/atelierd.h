// atelierd, the workshop daemon: proxyDHCP (or standalone DHCP), TFTP and HTTP network boot with
// detection into the hardware database (docs/PXE.md), the agent API and the pipeline
// (docs/AGENT-API.md, docs/PIPELINE.md), and the coordinator API (docs/API.md).
#pragma once

#include <string>
#include <vector>

namespace atelier::daemon {

// args excludes the program name. Runs until SIGINT/SIGTERM; returns the exit status.
int run_atelierd(const std::vector<std::string>& args);

} // namespace atelier::daemon
