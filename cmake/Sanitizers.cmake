# ATELIER_SANITIZE=ON builds everything with ASan + UBSan; scripts/test --sanitize uses it.
if(ATELIER_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
