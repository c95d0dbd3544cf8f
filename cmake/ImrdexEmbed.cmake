# imrdex_embed_file(<target> <file> <symbol>): compiles <file>'s bytes into <target> as
# `extern const std::string_view <symbol>` (namespace imrdex::embedded), so programs need no
# data files at run time. The file is re-embedded whenever it changes.
function(imrdex_embed_file target file symbol)
  get_filename_component(abs "${file}" ABSOLUTE)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embedded_${symbol}.cpp")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DIN=${abs} -DOUT=${out} -DSYMBOL=${symbol}
            -P "${PROJECT_SOURCE_DIR}/cmake/ImrdexEmbedRun.cmake"
    DEPENDS "${abs}" "${PROJECT_SOURCE_DIR}/cmake/ImrdexEmbedRun.cmake"
    COMMENT "Embedding ${file}")
  target_sources(${target} PRIVATE "${out}")
endfunction()
