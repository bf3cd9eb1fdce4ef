# Checks of the example plugins as .wasm, in the engine (included at the end of
# examples/CMakeLists.txt, once PROXY_WASM_EXAMPLES and the test targets are known):
#   conformance_<toolchain>_<example>  proxy-wasm-check on every toolchain's build
#   conformance_vnext_<example>        proxy-wasm-check on its vNEXT draft build
#   engine_smoke_<toolchain>           hello_world loads, starts and greets (non-default toolchains)
#   <example>_test_wasm_<toolchain>    the example's suite against that toolchain's .wasm
#   conformance_<toolchain>_two_units  a plugin split over two translation units (each
#   two_units_<toolchain>              defines every export) has each export once and runs
#   same_cases_<example>               <example>_test and <example>_test_wasm ran the same cases
#   scenario_<example>                 proxy-wasm-run plays examples/<example>/scenario.json; the
#                                      lines of scenario.expect must appear in order
#   engine_testing_*                   a <test>_wasm without a loadable plugin fails clearly
if(PROXY_WASM_WASM_BUILD OR NOT PROXY_WASM_BUILD_TESTS OR NOT TARGET proxy-wasm-check)
  return()
endif()

foreach(_tc ${PROXY_WASM_WASM_TOOLCHAINS})
  set(_dir "${PROXY_WASM_WASM_DIR_${_tc}}/examples")
  foreach(_ex ${PROXY_WASM_EXAMPLES})
    add_test(NAME conformance_${_tc}_${_ex} COMMAND proxy-wasm-check --strict "${_dir}/${_ex}.wasm")
    set_tests_properties(conformance_${_tc}_${_ex} PROPERTIES LABELS "wasm;conformance")
  endforeach()
  # A plugin split over two translation units: every export once, both units at work.
  set(_two "${PROXY_WASM_WASM_DIR_${_tc}}/tests/wasm_plugins/two_units.wasm")
  add_test(NAME conformance_${_tc}_two_units COMMAND proxy-wasm-check --strict "${_two}")
  add_test(NAME two_units_${_tc} COMMAND ${CMAKE_COMMAND}
    -DRUN=$<TARGET_FILE:proxy-wasm-run> -DPLUGIN_WASM=${_two}
    -DSCENARIO=${PROJECT_SOURCE_DIR}/tests/wasm_plugins/two_units.json
    -DEXPECT=${PROJECT_SOURCE_DIR}/tests/wasm_plugins/two_units.expect
    -P "${PROJECT_SOURCE_DIR}/cmake/RunScenario.cmake")
  set_tests_properties(conformance_${_tc}_two_units two_units_${_tc} PROPERTIES LABELS "wasm;conformance")
  if(NOT _tc STREQUAL "clang" AND "hello_world" IN_LIST PROXY_WASM_EXAMPLES)
    add_test(NAME engine_smoke_${_tc} COMMAND proxy-wasm-run "${_dir}/hello_world.wasm")
    set_tests_properties(engine_smoke_${_tc} PROPERTIES LABELS "wasm"
      PASS_REGULAR_EXPRESSION "\\[info ctx=1\\] Hello from the C\\+\\+ SDK")
  endif()
endforeach()

# The vNEXT draft build of every example (default toolchain): its interface is the draft's.
foreach(_ex ${PROXY_WASM_EXAMPLES})
  add_test(NAME conformance_vnext_${_ex} COMMAND proxy-wasm-check --strict
    "${PROXY_WASM_WASM_DIR_${PROXY_WASM_DEFAULT_TOOLCHAIN}}/examples/${_ex}_vnext.wasm")
  set_tests_properties(conformance_vnext_${_ex} PROPERTIES LABELS "wasm;conformance;vnext"
    PASS_REGULAR_EXPRESSION "ABI vNEXT")
endforeach()

# Every example's suite also runs against the wasi-sdk and Emscripten builds of its plugin:
# the same binary, another .wasm.
foreach(_tc ${PROXY_WASM_WASM_TOOLCHAINS})
  if(_tc STREQUAL "clang")
    continue()
  endif()
  foreach(_ex ${PROXY_WASM_EXAMPLES})
    if(TARGET ${_ex}_test_wasm)
      add_test(NAME ${_ex}_test_wasm_${_tc} COMMAND ${_ex}_test_wasm)
      set_tests_properties(${_ex}_test_wasm_${_tc} PROPERTIES LABELS "wasm"
        ENVIRONMENT "PROXY_WASM_PLUGIN_WASM=${PROXY_WASM_WASM_DIR_${_tc}}/examples/${_ex}.wasm")
    endif()
  endforeach()
endforeach()

foreach(_ex ${PROXY_WASM_EXAMPLES})
  if(TARGET ${_ex}_test AND TARGET ${_ex}_test_wasm)
    add_test(NAME same_cases_${_ex} COMMAND ${CMAKE_COMMAND}
      -DNATIVE=$<TARGET_FILE:${_ex}_test> -DWASM=$<TARGET_FILE:${_ex}_test_wasm>
      -DPLUGIN_WASM=${PROXY_WASM_WASM_DIR_clang}/examples/${_ex}.wasm
      -P "${PROJECT_SOURCE_DIR}/cmake/CompareSuites.cmake")
    set_tests_properties(same_cases_${_ex} PROPERTIES LABELS "wasm")
  endif()
  set(_scenario "${CMAKE_CURRENT_SOURCE_DIR}/${_ex}/scenario.json")
  if(EXISTS "${_scenario}")
    add_test(NAME scenario_${_ex} COMMAND ${CMAKE_COMMAND}
      -DRUN=$<TARGET_FILE:proxy-wasm-run> -DPLUGIN_WASM=${PROXY_WASM_WASM_DIR_clang}/examples/${_ex}.wasm
      -DSCENARIO=${_scenario} -DEXPECT=${CMAKE_CURRENT_SOURCE_DIR}/${_ex}/scenario.expect
      -P "${PROJECT_SOURCE_DIR}/cmake/RunScenario.cmake")
    set_tests_properties(scenario_${_ex} PROPERTIES LABELS "wasm")
  endif()
endforeach()

# ProxyWasm::engine_testing fails clearly without a loadable plugin.
if(TARGET hello_world_test_wasm)
  add_test(NAME engine_testing_unset COMMAND ${CMAKE_COMMAND} -E env --unset=PROXY_WASM_PLUGIN_WASM
    $<TARGET_FILE:hello_world_test_wasm>)
  add_test(NAME engine_testing_bad_path COMMAND ${CMAKE_COMMAND} -E env PROXY_WASM_PLUGIN_WASM=/nonexistent.wasm
    $<TARGET_FILE:hello_world_test_wasm>)
  set_tests_properties(engine_testing_unset PROPERTIES LABELS "wasm"
    PASS_REGULAR_EXPRESSION "proxy_wasm::testing: PROXY_WASM_PLUGIN_WASM is not set")
  set_tests_properties(engine_testing_bad_path PROPERTIES LABELS "wasm"
    PASS_REGULAR_EXPRESSION "proxy_wasm::testing: cannot open /nonexistent.wasm: No such file")
endif()
