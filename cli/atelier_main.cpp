// atelier: the coordinators' and technicians' command line. Thin main: see cli/cli.h.
#include "cli/cli.h"

#include <iostream>

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return atelier::cli::run_cli(args, std::cout, std::cerr);
}
