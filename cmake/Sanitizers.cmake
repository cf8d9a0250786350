# ATELIER_SANITIZE=ON builds everything with ASan + UBSan; scripts/test runs the unit suites so.
if(ATELIER_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
  # -O0 with line tables only: a fifth of the compile time of -O2 -g with the instrumentation
  # (measured on the test sources), and this is the build CI compiles in full. Reports still
  # name file and line. Placed after the build type's flags, so these win.
  add_compile_options(-O0 -g1)
  # GCC 12 reports false -Wmaybe-uninitialized inside libstdc++ (<regex>, std::function) when the
  # sanitizers instrument it; the normal build keeps the warning (and -Werror).
  add_compile_options(-Wno-maybe-uninitialized)
endif()
