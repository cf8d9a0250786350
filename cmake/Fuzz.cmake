# libFuzzer targets (pxe/fuzz/, imager/fuzz/): ATELIER_FUZZ=ON, clang only (GCC has no
# -fsanitize=fuzzer). scripts/test builds them in build-fuzz/ and runs each briefly on its seeds.
option(ATELIER_FUZZ "Build the libFuzzer targets of pxe/fuzz and imager/fuzz (needs clang)" OFF)
if(ATELIER_FUZZ AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "ATELIER_FUZZ=ON needs clang (e.g. CXX=clang++-19), not ${CMAKE_CXX_COMPILER_ID}")
endif()

set(ATELIER_FUZZ_FLAGS -fsanitize=fuzzer,address,undefined)
if(ATELIER_FUZZ)
  # The fuzz build (build-fuzz/) holds only the fuzz targets and the libraries they link: -O1 with
  # line tables compiles in a fraction of -O2 -g's time and still runs the short seeded runs fast.
  add_compile_options(-O1 -g1)
endif()

# A library whose code the fuzz targets link: instrumented for coverage and the sanitizers, and
# whatever links it needs the same runtimes.
function(atelier_fuzz_instrument target)
  target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  target_link_options(${target} INTERFACE -fsanitize=fuzzer-no-link,address,undefined)
endfunction()

# atelier_fuzz_target(NAME SOURCES ... [LIBS ...]): one libFuzzer executable (NAME.cpp plus SOURCES,
# the code under test compiled into it so only that code carries the instrumentation).
function(atelier_fuzz_target name)
  cmake_parse_arguments(F "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${name}.cpp ${F_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${F_LIBS} atelier_warnings)
  target_compile_options(${name} PRIVATE ${ATELIER_FUZZ_FLAGS} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(${name} PRIVATE ${ATELIER_FUZZ_FLAGS})
endfunction()
