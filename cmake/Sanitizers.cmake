# ATELIER_SANITIZE=ON builds everything with ASan + UBSan; scripts/test --sanitize uses it.
if(ATELIER_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
  # GCC 12 reports false -Wmaybe-uninitialized inside libstdc++ (<regex>, std::function) when the
  # sanitizers instrument it; the normal build keeps the warning (and -Werror).
  add_compile_options(-Wno-maybe-uninitialized)
endif()
