# Use ccache when it is installed: rebuilds after a branch switch or a clean checkout in CI get cheap.
find_program(ATELIER_CCACHE ccache)
if(ATELIER_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${ATELIER_CCACHE})
endif()
