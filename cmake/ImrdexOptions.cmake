# Warning, sanitizer and tuning flags live on one INTERFACE target that every imrdex target links,
# never in global flags, so dependencies and consumers are unaffected.
add_library(imrdex_options INTERFACE)
add_library(imrdex::options ALIAS imrdex_options)
target_compile_features(imrdex_options INTERFACE cxx_std_20)
target_compile_options(imrdex_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough
  $<$<BOOL:${IMRDEX_WERROR}>:-Werror>
  # GCC 12 reports false -Wrestrict on `"literal" + std::string&&` at -O2 (GCC bug 105651).
  $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict>)
if(IMRDEX_SANITIZE AND IMRDEX_TSAN)
  message(FATAL_ERROR "IMRDEX_SANITIZE and IMRDEX_TSAN cannot be combined")
endif()
if(IMRDEX_SANITIZE)
  target_compile_options(imrdex_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                         -fno-sanitize-recover=undefined)
  target_link_options(imrdex_options INTERFACE -fsanitize=address,undefined)
endif()
if(IMRDEX_TSAN)
  target_compile_options(imrdex_options INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(imrdex_options INTERFACE -fsanitize=thread)
endif()
if(IMRDEX_NATIVE)
  target_compile_options(imrdex_options INTERFACE -march=native)
endif()
