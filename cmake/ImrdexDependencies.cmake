# Finds every dependency from Debian 12 packages and exposes each as an imported target.
# Nothing is downloaded: scripts/install-deps installs the packages.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(TBB REQUIRED)            # libtbb-dev: TBB::tbb
find_package(simdjson REQUIRED)       # libsimdjson-dev: simdjson::simdjson
find_package(CLI11 REQUIRED)          # libcli11-dev: CLI11::CLI11
find_package(zstd REQUIRED)           # libzstd-dev: zstd::libzstd_shared

# Xapian 1.4 ships a pkg-config file but no CMake package; wrap it so targets link imrdex::xapian.
pkg_check_modules(XAPIAN REQUIRED IMPORTED_TARGET xapian-core>=1.4)
add_library(imrdex::xapian ALIAS PkgConfig::XAPIAN)
pkg_check_modules(POPPLER_CPP REQUIRED IMPORTED_TARGET poppler-cpp)
add_library(imrdex::poppler_cpp ALIAS PkgConfig::POPPLER_CPP)
add_library(imrdex::zstd ALIAS zstd::libzstd_shared)
# libcpp-httplib-dev: Debian builds it as a library with TLS, zlib and brotli; its pkg-config
# flags make the header declare what the library was built with.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
add_library(imrdex::httplib ALIAS PkgConfig::HTTPLIB)

if(IMRDEX_BUILD_TESTS)
  find_package(GTest REQUIRED)        # libgtest-dev: GTest::gtest_main
endif()
if(IMRDEX_BUILD_BENCH)
  find_package(benchmark REQUIRED)    # libbenchmark-dev: benchmark::benchmark
  find_package(SQLite3 REQUIRED)      # libsqlite3-dev: the FTS5 peer in comparisons
endif()

# jemalloc replaces glibc malloc in the indexer: Xapian's writer allocates and frees millions of
# small map nodes per flush, and jemalloc measured 12-16% less CPU on indexing here. Off under
# sanitizers, which bring their own allocator.
option(IMRDEX_JEMALLOC "Link imr-index with jemalloc (libjemalloc-dev)" ON)
add_library(imrdex_malloc INTERFACE)
add_library(imrdex::malloc ALIAS imrdex_malloc)
if(IMRDEX_JEMALLOC AND NOT IMRDEX_SANITIZE AND NOT IMRDEX_TSAN)
  find_library(IMRDEX_JEMALLOC_LIBRARY NAMES jemalloc REQUIRED)
  target_link_libraries(imrdex_malloc INTERFACE ${IMRDEX_JEMALLOC_LIBRARY})
endif()
