# Every third-party dependency comes from a Debian 12 package (scripts/setup installs them).
find_package(PkgConfig REQUIRED)
find_package(tomlplusplus 3.3 REQUIRED)        # libtomlplusplus-dev
find_package(SQLite3 REQUIRED)                 # libsqlite3-dev
find_package(nlohmann_json 3.11 REQUIRED)      # nlohmann-json3-dev
find_package(CLI11 REQUIRED)                   # libcli11-dev
find_package(fmt REQUIRED)                     # libfmt-dev (GCC 12 has no <format>)
find_package(Boost 1.74 REQUIRED COMPONENTS locale) # libboost-dev: Asio (header-only) for the network services;
                                               # libboost-locale-dev: the gettext catalogues (base/i18n.h)
find_package(Threads REQUIRED)
find_package(LibArchive REQUIRED)              # libarchive-dev: the boot environment initramfs, rootfs images
find_package(OpenSSL 3 REQUIRED)               # libssl-dev: sha256 of images, the wipe's AES-128-CTR stream, Ed25519 signatures of erasure records
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd) # libzstd-dev: raw .img.zst images
pkg_check_modules(CAIRO REQUIRED IMPORTED_TARGET cairo cairo-pdf)  # libcairo2-dev: erasure certificate PDFs
pkg_check_modules(QRENCODE REQUIRED IMPORTED_TARGET libqrencode)   # libqrencode-dev: their QR codes
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)       # libsodium-dev: Argon2id account passwords, API tokens
if(ATELIER_BUILD_TESTS)
  find_package(GTest REQUIRED)                 # libgtest-dev, libgmock-dev
endif()
# libparted-dev: the deploy writes partition tables (imager/deploy/partitioner.cpp)
pkg_check_modules(PARTED REQUIRED IMPORTED_TARGET libparted)
# libcrypt-dev: the deploy hashes a preset account's password (SHA-512 crypt, imager/deploy/tailor.cpp)
pkg_check_modules(XCRYPT REQUIRED IMPORTED_TARGET libxcrypt)
# gettext: msgfmt compiles po/*.po into the .mo catalogues; xgettext and msgmerge keep po/ in step
# with the sources (scripts/update-po, scripts/check-catalogue).
find_program(ATELIER_MSGFMT msgfmt REQUIRED)
find_program(ATELIER_XGETTEXT xgettext REQUIRED)
