// atelierd: the workshop daemon. Thin main: see daemon/atelierd.h.
#include "daemon/atelierd.h"

int main(int argc, char** argv) {
  return atelier::daemon::run_atelierd(std::vector<std::string>(argv + 1, argv + argc));
}
