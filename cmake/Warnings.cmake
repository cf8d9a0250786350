# One place for warning flags. atelier_warnings is an INTERFACE target every Atelier target links.
add_library(atelier_warnings INTERFACE)
target_compile_options(atelier_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wconversion -Wsign-conversion -Wimplicit-fallthrough
  -Wformat=2)
if(ATELIER_WERROR)
  target_compile_options(atelier_warnings INTERFACE -Werror)
endif()
# Not enabled: -Wnull-dereference. With GCC 12 at -O2 it reports false positives inside libstdc++'s
# <streambuf> and CLI11, which -Werror would turn into build failures of correct code.
# Clang (the fuzz build) with GCC 12's libstdc++: std::stable_sort instantiates libstdc++'s own
# deprecated std::get_temporary_buffer, reported at our call site. GCC keeps reporting our own
# deprecated uses.
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  target_compile_options(atelier_warnings INTERFACE -Wno-deprecated-declarations)
endif()
