# imrdex_forbid_xapian(<target>): a library that must stay free of Xapian (core, extraction)
# gets a directory of poisoned Xapian headers first on its include path. Xapian lives in
# /usr/include, where no include path can hide it, so this is how the build proves the layering:
# any #include of Xapian in the target's sources, or in a header they include, fails to compile.
set(IMRDEX_POISON_DIR "${PROJECT_BINARY_DIR}/poisoned-xapian")
file(WRITE "${IMRDEX_POISON_DIR}/xapian.h"
     "#error \"this imrdex library must not include Xapian (see cmake/ImrdexLayering.cmake)\"\n")
file(WRITE "${IMRDEX_POISON_DIR}/xapian/unicode.h"
     "#error \"this imrdex library must not include Xapian (see cmake/ImrdexLayering.cmake)\"\n")
function(imrdex_forbid_xapian target)
  target_include_directories(${target} BEFORE PRIVATE "${IMRDEX_POISON_DIR}")
  get_target_property(libs ${target} LINK_LIBRARIES)
  foreach(lib IN LISTS libs)
    if(lib MATCHES "xapian")
      message(FATAL_ERROR "${target} must not link Xapian (it links ${lib})")
    endif()
  endforeach()
endfunction()
