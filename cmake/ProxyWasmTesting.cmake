# proxy_wasm_add_plugin_test(<name> PLUGIN <plugin> SOURCES <test.cc>... [WASM <path.wasm>])
#
# A doctest executable running <test.cc> against the natively linked plugin (<plugin>
# is the OBJECT library from proxy_wasm_add_plugin) and registered with CTest. With
# WASM, a second executable <name>_wasm runs the same test sources against that .wasm
# in the WebAssembly engine (when the engine is built).
include_guard(GLOBAL)

function(proxy_wasm_add_plugin_test name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "PLUGIN;WASM;WASM_DEPENDS" "SOURCES")
  add_executable(${name} ${ARG_SOURCES} $<TARGET_OBJECTS:${ARG_PLUGIN}>)
  target_link_libraries(${name} PRIVATE ${ARG_PLUGIN} ProxyWasm::mock proxy_wasm_doctest_main)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "native")
  if(ARG_WASM AND TARGET ProxyWasm::engine_testing)
    add_executable(${name}_wasm ${ARG_SOURCES})
    target_link_libraries(${name}_wasm PRIVATE ProxyWasm::sdk ProxyWasm::engine_testing proxy_wasm_doctest_main)
    get_target_property(_inc ${ARG_PLUGIN} INCLUDE_DIRECTORIES)
    add_test(NAME ${name}_wasm COMMAND ${name}_wasm)
    set_tests_properties(${name}_wasm PROPERTIES LABELS "wasm" ENVIRONMENT "PROXY_WASM_PLUGIN_WASM=${ARG_WASM}")
    if(ARG_WASM_DEPENDS)
      add_dependencies(${name}_wasm ${ARG_WASM_DEPENDS})
    endif()
  endif()
endfunction()
