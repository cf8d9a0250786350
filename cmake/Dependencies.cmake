# Every third-party dependency comes from a Debian 12 package (scripts/setup installs them).
find_package(PkgConfig REQUIRED)
find_package(tomlplusplus 3.3 REQUIRED)        # libtomlplusplus-dev
find_package(SQLite3 REQUIRED)                 # libsqlite3-dev
find_package(nlohmann_json 3.11 REQUIRED)      # nlohmann-json3-dev
find_package(CLI11 REQUIRED)                   # libcli11-dev
find_package(fmt REQUIRED)                     # libfmt-dev (GCC 12 has no <format>)
find_package(Boost 1.74 REQUIRED)              # libboost-dev: Asio (header-only) for the network services
find_package(Threads REQUIRED)
find_package(LibArchive REQUIRED)              # libarchive-dev: the boot environment initramfs
find_package(OpenSSL REQUIRED)                 # libssl-dev: SHA-256 of built images
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd) # libzstd-dev: image archives (.tar.zst)
if(ATELIER_BUILD_TESTS)
  find_package(GTest REQUIRED)                 # libgtest-dev, libgmock-dev
endif()
