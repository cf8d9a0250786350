# One place for warning flags. atelier_warnings is an INTERFACE target every Atelier target links.
add_library(atelier_warnings INTERFACE)
target_compile_options(atelier_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wconversion -Wsign-conversion -Wnull-dereference -Wimplicit-fallthrough
  -Wformat=2)
if(ATELIER_WERROR)
  target_compile_options(atelier_warnings INTERFACE -Werror)
endif()
