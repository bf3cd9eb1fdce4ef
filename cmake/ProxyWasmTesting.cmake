# proxy_wasm_add_plugin_test(<name> PLUGIN <plugin-target> SOURCES <test.cc>... [LINK_LIBRARIES <lib>...])
# proxy_wasm_add_plugin_test(<name> WASM <path-to-any.wasm> SOURCES <test.cc>... [LINK_LIBRARIES <lib>...])
#
# Plugin tests: doctest cases written against proxy_wasm/testing.h, registered with CTest.
#   PLUGIN  <plugin-target> from proxy_wasm_add_plugin. Builds <name> (the plugin's objects
#           linked with the mock host: test <name>, label "native") and, when the plugin has
#           a .wasm (a native build's sub-build: the target property PROXY_WASM_WASM_FILE),
#           <name>_wasm running the same sources against that .wasm in the engine (test
#           <name>_wasm, label "wasm"); building <name>_wasm rebuilds the .wasm first.
#   WASM    a module built elsewhere (by any SDK): only <name>, in the engine (label "wasm").
#   SOURCES the doctest sources (required). Test executables get doctest's main.
#   LINK_LIBRARIES more libraries for the test executables.
# Does nothing in a wasm build (tests run natively). Needs the SDK's testing component
# (ProxyWasm::mock, ProxyWasm::engine_testing, ProxyWasm::doctest_main).
include_guard(GLOBAL)

function(proxy_wasm_add_plugin_test name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "PLUGIN;WASM" "SOURCES;LINK_LIBRARIES")
  set(who "proxy_wasm_add_plugin_test(${name})")
  if(CMAKE_SYSTEM_PROCESSOR STREQUAL "wasm32" OR EMSCRIPTEN)
    return()  # a wasm build makes the plugins; their tests run in the native build
  endif()
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "${who}: unknown arguments: ${ARG_UNPARSED_ARGUMENTS} (options: PLUGIN or WASM, SOURCES, LINK_LIBRARIES)")
  endif()
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "${who}: SOURCES is required")
  endif()
  if((ARG_PLUGIN AND ARG_WASM) OR (NOT ARG_PLUGIN AND NOT ARG_WASM))
    message(FATAL_ERROR "${who}: give either PLUGIN <plugin-target> (native and .wasm) or WASM <file> (a module built elsewhere)")
  endif()
  foreach(src ${ARG_SOURCES})  # a misspelt option after SOURCES would be taken for a file
    get_filename_component(abs "${src}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${abs}" AND NOT src MATCHES "\\$<")
      message(FATAL_ERROR "${who}: SOURCES: no file '${src}' (a misspelt option? options: PLUGIN WASM SOURCES LINK_LIBRARIES)")
    endif()
  endforeach()
  foreach(t ProxyWasm::mock ProxyWasm::engine_testing ProxyWasm::doctest_main)
    if(NOT TARGET ${t})
      message(FATAL_ERROR "${who}: ${t} is missing: plugin tests need the SDK's testing component "
                          "(installed with the SDK: cmake --install <build> --component testing; needs doctest and wabt)")
    endif()
  endforeach()

  if(ARG_WASM)
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE ProxyWasm::sdk ProxyWasm::engine_testing ProxyWasm::doctest_main ${ARG_LINK_LIBRARIES})
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES LABELS "wasm" ENVIRONMENT "PROXY_WASM_PLUGIN_WASM=${ARG_WASM}")
    # A module from one of this build's sub-builds: build it first.
    get_property(tcs GLOBAL PROPERTY PROXY_WASM_SUBBUILDS)
    foreach(tc ${tcs})
      get_property(dir GLOBAL PROPERTY PROXY_WASM_SUBBUILD_DIR_${tc})
      get_property(target GLOBAL PROPERTY PROXY_WASM_SUBBUILD_TARGET_${tc})
      string(FIND "${ARG_WASM}" "${dir}/" at)
      if(at EQUAL 0)
        add_dependencies(${name} ${target})
      endif()
    endforeach()
    return()
  endif()

  if(NOT TARGET ${ARG_PLUGIN})
    message(FATAL_ERROR "${who}: PLUGIN ${ARG_PLUGIN} is not a target (declare it with proxy_wasm_add_plugin first)")
  endif()
  add_executable(${name} ${ARG_SOURCES} $<TARGET_OBJECTS:${ARG_PLUGIN}>)
  target_link_libraries(${name} PRIVATE ${ARG_PLUGIN} ProxyWasm::mock ProxyWasm::doctest_main ${ARG_LINK_LIBRARIES})
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "native")

  get_target_property(wasm ${ARG_PLUGIN} PROXY_WASM_WASM_FILE)
  if(NOT wasm)
    message(STATUS "proxy-wasm: ${name} runs natively only: ${ARG_PLUGIN} has no .wasm in this build")
    return()
  endif()
  add_executable(${name}_wasm ${ARG_SOURCES})
  # The plugin's usage requirements (include paths, definitions) without its objects.
  target_include_directories(${name}_wasm PRIVATE $<TARGET_PROPERTY:${ARG_PLUGIN},INCLUDE_DIRECTORIES>)
  target_compile_definitions(${name}_wasm PRIVATE $<TARGET_PROPERTY:${ARG_PLUGIN},COMPILE_DEFINITIONS>)
  target_link_libraries(${name}_wasm PRIVATE ProxyWasm::sdk ProxyWasm::engine_testing ProxyWasm::doctest_main ${ARG_LINK_LIBRARIES})
  add_test(NAME ${name}_wasm COMMAND ${name}_wasm)
  set_tests_properties(${name}_wasm PROPERTIES LABELS "wasm" ENVIRONMENT "PROXY_WASM_PLUGIN_WASM=${wasm}")
  get_target_property(wasm_target ${ARG_PLUGIN} PROXY_WASM_WASM_TARGET)
  if(wasm_target)
    add_dependencies(${name}_wasm ${wasm_target})
  endif()
endfunction()

# proxy_wasm_add_scenario_test(<name> PLUGIN <plugin-target> | WASM <file>
#                              SCENARIO <scenario.json> [EXPECT <scenario.expect>])
#
# Test <name> (label "wasm"): proxy-wasm-run plays SCENARIO (docs/scenario.md) against the
# plugin's .wasm; it fails unless the run exits 0 and every non-comment line of EXPECT appears
# in the output, in order, as a whole line. Relative paths are from the current source dir.
set_property(GLOBAL PROPERTY _PROXY_WASM_RUN_SCENARIO "${CMAKE_CURRENT_LIST_DIR}/RunScenario.cmake")
function(proxy_wasm_add_scenario_test name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "PLUGIN;WASM;SCENARIO;EXPECT" "")
  set(who "proxy_wasm_add_scenario_test(${name})")
  if(CMAKE_SYSTEM_PROCESSOR STREQUAL "wasm32" OR EMSCRIPTEN)
    return()
  endif()
  if(ARG_UNPARSED_ARGUMENTS OR NOT ARG_SCENARIO OR (ARG_PLUGIN AND ARG_WASM) OR (NOT ARG_PLUGIN AND NOT ARG_WASM))
    message(FATAL_ERROR "${who}: give PLUGIN <plugin-target> or WASM <file>, SCENARIO <file> [EXPECT <file>]")
  endif()
  if(NOT TARGET ProxyWasm::run)
    message(FATAL_ERROR "${who}: ProxyWasm::run (proxy-wasm-run) is missing: it comes with the SDK's testing component")
  endif()
  set(wasm "${ARG_WASM}")
  if(ARG_PLUGIN)
    get_target_property(wasm ${ARG_PLUGIN} PROXY_WASM_WASM_FILE)
    if(NOT wasm)
      message(FATAL_ERROR "${who}: ${ARG_PLUGIN} has no .wasm in this build (PROXY_WASM_WASM_SUBBUILD is OFF?)")
    endif()
  endif()
  get_filename_component(scenario "${ARG_SCENARIO}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  set(expect "")
  if(ARG_EXPECT)
    get_filename_component(expect "${ARG_EXPECT}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${expect}")
      message(FATAL_ERROR "${who}: EXPECT ${expect} does not exist")
    endif()
  endif()
  if(NOT EXISTS "${scenario}")
    message(FATAL_ERROR "${who}: SCENARIO ${scenario} does not exist")
  endif()
  get_property(script GLOBAL PROPERTY _PROXY_WASM_RUN_SCENARIO)
  add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} -DRUN=$<TARGET_FILE:ProxyWasm::run> -DPLUGIN_WASM=${wasm}
    -DSCENARIO=${scenario} -DEXPECT=${expect} -P "${script}")
  set_tests_properties(${name} PROPERTIES LABELS "wasm")
endfunction()
