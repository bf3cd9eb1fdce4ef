# Tests of the engine's tools and testing library on modules written here (included from
# engine/CMakeLists.txt when tests are built):
#   sdk_shape_check_<shape>    proxy-wasm-check finds no error in a module shaped like
#                              another SDK's build (warnings allowed)
#   sdk_shape_run_<shape>      proxy-wasm-run plays tests/sdk_shapes/scenario.json on it
#   sdk_shape_test_<shape>     a doctest suite (proxy_wasm/testing.h) runs against it
#   other_sdk_test             the doc's example: makeHost(options, WasmFile{path})
#   run_* / check_*            every bad input ends with a message and its exit status;
#                              limits (budget, memory, table, log output, work per step)
set(_modules_dir "${CMAKE_CURRENT_BINARY_DIR}/test_modules")
set(_shapes rust tinygo go-wasip1 cpp-emscripten cpp-clang assemblyscript)
file(GLOB _wat CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/tests/modules/*.wat")
set(_module_files "${_modules_dir}/empty.wasm" "${_modules_dir}/truncated.wasm")
foreach(_name ${_shapes})
  list(APPEND _module_files "${_modules_dir}/${_name}.wasm")
endforeach()
foreach(_file ${_wat})
  get_filename_component(_name "${_file}" NAME_WE)
  list(APPEND _module_files "${_modules_dir}/${_name}.wasm")
endforeach()

add_executable(make_test_modules tests/make_modules.cc tests/sdk_shapes/shapes.cc tests/wat.cc)
target_include_directories(make_test_modules PRIVATE tests)
target_link_libraries(make_test_modules PRIVATE proxy_wasm_host wabt::wabt)
add_custom_command(OUTPUT ${_module_files}
  COMMAND make_test_modules "${_modules_dir}" ${_wat}
  DEPENDS make_test_modules ${_wat}
  COMMENT "Assembling the engine's test modules")
add_custom_target(engine_test_modules ALL DEPENDS ${_module_files})

# ---- Other SDKs' shapes: checked, run, tested --------------------------------------------
add_executable(sdk_shapes_test tests/sdk_shapes/sdk_shapes_test.cc)
target_link_libraries(sdk_shapes_test PRIVATE ProxyWasm::sdk proxy_wasm_engine_testing proxy_wasm_doctest_main)
add_dependencies(sdk_shapes_test engine_test_modules)
foreach(_name ${_shapes})
  set(_wasm "${_modules_dir}/${_name}.wasm")
  add_test(NAME sdk_shape_check_${_name} COMMAND ${CMAKE_COMMAND}
    "-DCMD=$<TARGET_FILE:proxy-wasm-check>;${_wasm}" -DEXIT=0 "-DREGEX=: ok \\(ABI 0\\.2\\.[01], .* 0 errors"
    -P "${CMAKE_CURRENT_SOURCE_DIR}/tests/ExpectRun.cmake")
  add_test(NAME sdk_shape_run_${_name} COMMAND ${CMAKE_COMMAND}
    -DRUN=$<TARGET_FILE:proxy-wasm-run> -DPLUGIN_WASM=${_wasm}
    -DSCENARIO=${CMAKE_CURRENT_SOURCE_DIR}/tests/sdk_shapes/scenario.json
    -DEXPECT=${CMAKE_CURRENT_SOURCE_DIR}/tests/sdk_shapes/scenario.expect
    -P "${PROJECT_SOURCE_DIR}/cmake/RunScenario.cmake")
  add_test(NAME sdk_shape_test_${_name} COMMAND sdk_shapes_test)
  set_tests_properties(sdk_shape_test_${_name} PROPERTIES ENVIRONMENT "PROXY_WASM_PLUGIN_WASM=${_wasm}")
  set_tests_properties(sdk_shape_check_${_name} sdk_shape_run_${_name} sdk_shape_test_${_name}
    PROPERTIES LABELS "wasm;sdk_shapes")
endforeach()

# The documented example (docs/engine.md, "Testing plugins from other SDKs").
add_executable(other_sdk_test tests/other_sdk_test.cc)
target_link_libraries(other_sdk_test PRIVATE ProxyWasm::sdk proxy_wasm_engine_testing proxy_wasm_doctest_main)
target_compile_definitions(other_sdk_test PRIVATE RUST_FILTER_WASM="${_modules_dir}/rust.wasm"
  GO_FILTER_WASM="${_modules_dir}/go-wasip1.wasm")
add_dependencies(other_sdk_test engine_test_modules)
add_test(NAME other_sdk_test COMMAND other_sdk_test)
set_tests_properties(other_sdk_test PROPERTIES LABELS "wasm;sdk_shapes")

# ---- Bad inputs and limits -----------------------------------------------------------------
# expect(<name> <exit status> <regex> <command>...)
function(_expect name status regex)
  add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} "-DCMD=${ARGN}" -DEXIT=${status} "-DREGEX=${regex}"
    -P "${CMAKE_CURRENT_SOURCE_DIR}/tests/ExpectRun.cmake")
  # A safety net only (the assertions are on output and status): a hang must not stall CI.
  set_tests_properties(${name} PROPERTIES LABELS "wasm;tools" TIMEOUT 120)
endfunction()
set(_run "$<TARGET_FILE:proxy-wasm-run>")
set(_check "$<TARGET_FILE:proxy-wasm-check>")
set(_m "${_modules_dir}")
set(_inputs "${CMAKE_CURRENT_BINARY_DIR}/test_inputs")
file(MAKE_DIRECTORY "${_inputs}")
# Scenarios: a tick; 50 open streams then 50 ticks; 100000-deep JSON.
file(WRITE "${_inputs}/tick.json" [=[{"steps": [{"type": "tick"}]}]=])
file(WRITE "${_inputs}/request.json" [=[{"steps": [{"type": "request_headers", "headers": {":path": "/x"}}]}]=])
set(_steps "")
foreach(_i RANGE 1 50)
  string(APPEND _steps "{\"type\": \"request_headers\", \"stream\": \"s${_i}\", \"headers\": {\":path\": \"/\"}},\n")
endforeach()
foreach(_i RANGE 1 50)
  string(APPEND _steps "{\"type\": \"tick\"},\n")
endforeach()
file(WRITE "${_inputs}/streams.json" "{\"steps\": [\n${_steps}{\"type\": \"tick\"}]}\n")
string(REPEAT "[" 100000 _open)
string(REPEAT "]" 100000 _close)
file(WRITE "${_inputs}/deep.json" "${_open}${_close}\n")
string(REPEAT "{\"a\": " 100000 _open)
string(REPEAT "}" 100000 _close)
file(WRITE "${_inputs}/deep_config.json" "{\"plugin\": {\"configuration\": ${_open}1${_close}}}\n")

# The instruction budget: callbacks, the allocator, _initialize, the start function.
_expect(run_budget_tick 4 "trap in proxy_on_tick: execution budget of 1000000 instructions exhausted in proxy_on_tick"
  ${_run} ${_m}/loop_tick.wasm --fuel 1M --scenario ${_inputs}/tick.json)
_expect(run_budget_malloc 4 "trap in proxy_on_memory_allocate: execution budget of 1000000 instructions exhausted in proxy_on_memory_allocate"
  ${_run} ${_m}/loop_malloc.wasm --fuel 1M --scenario ${_inputs}/request.json)
_expect(run_budget_initialize 4 "_initialize failed: execution budget of 1000000 instructions exhausted in _initialize"
  ${_run} ${_m}/loop_initialize.wasm --fuel 1M)
_expect(run_budget_start_function 4 "execution budget of 1000000 instructions exhausted in the start function"
  ${_run} ${_m}/loop_start.wasm --fuel 1M)
_expect(run_bad_fuel 2 "--fuel lots: want a count" ${_run} ${_m}/loop_tick.wasm --fuel lots)
# The checker runs nothing: a start function that never returns does not stop it.
_expect(check_runs_no_code 0 "loop_start.wasm: ok" ${_check} ${_m}/loop_start.wasm ${_m}/loop_initialize.wasm)
# Memory and tables.
_expect(run_memory_grow_4g 0 "\\[info ctx=1\\] memory.grow failed" ${_run} ${_m}/grow_4g.wasm --scenario ${_inputs}/tick.json)
_expect(run_huge_table 1 "a table needs 4000000000 elements at least, over the table limit of 10000000"
  ${_run} ${_m}/huge_table.wasm)
_expect(check_huge_table 1 "error \\[table-limit\\]" ${_check} ${_m}/huge_table.wasm)
_expect(run_max_memory 1 "over the VM memory limit of 8388608 bytes \\(128 pages\\)"
  ${_run} ${_m}/big_log.wasm --max-memory 8M)
# Log output is capped per line.
_expect(run_big_log 0 "\\.\\.\\. \\(16777216 bytes, the first 4096 shown\\)"
  ${_run} ${_m}/big_log.wasm --scenario ${_inputs}/tick.json)
# Work per step: 50 streams stay open while 51 ticks run; only the streams' own steps
# look at them (the runner used to snapshot every stream at every tick: 2600).
_expect(run_streams_per_step 0 "stream snapshots: 50\n" ${_run} ${_m}/streams.wasm --stats --scenario ${_inputs}/streams.json)
# Bad files.
_expect(run_directory 1 "proxy-wasm-run: cannot read ${_m}: it is a directory" ${_run} ${_m})
_expect(run_missing 1 "cannot open ${_m}/none.wasm: No such file or directory" ${_run} ${_m}/none.wasm)
_expect(run_empty 1 "cannot read ${_m}/empty.wasm: the file is empty" ${_run} ${_m}/empty.wasm)
_expect(run_truncated 1 "cannot load ${_m}/truncated.wasm: Failed to parse Wasm module: " ${_run} ${_m}/truncated.wasm)
_expect(check_directory 1 "cannot read ${_m}: it is a directory" ${_check} ${_m})
_expect(check_truncated 1 "error \\[wasm-parse\\]: Failed to parse Wasm module" ${_check} ${_m}/truncated.wasm)
_expect(run_scenario_directory 2 "cannot read ${_m}: it is a directory" ${_run} ${_m}/streams.wasm --scenario ${_m})
_expect(run_config_directory 2 "cannot read ${_m}: it is a directory" ${_run} ${_m}/streams.wasm --config-file ${_m})
_expect(run_scenario_deep 2 "the scenario is not valid JSON: JSON nested deeper than 128 levels at line 1, column 129"
  ${_run} ${_m}/streams.wasm --scenario ${_inputs}/deep.json)
_expect(run_config_deep 2 "the scenario is not valid JSON: JSON nested deeper than 128 levels at line 1, column "
  ${_run} ${_m}/streams.wasm --scenario ${_inputs}/deep_config.json)
_expect(run_scenario_syntax 2 "parse error at line 3, column 21: syntax error while parsing object key"
  ${_run} ${_m}/streams.wasm --scenario ${CMAKE_CURRENT_SOURCE_DIR}/tests/modules/bad_syntax.json)
# Strictness: warnings pass, --strict fails them.
_expect(check_warnings_pass 0 "rust.wasm: ok \\(ABI 0.2.1.*warning \\[one-allocator\\]" ${_check} ${_m}/rust.wasm)
_expect(check_strict 1 "rust.wasm: FAIL \\(--strict\\).*error \\[one-allocator\\]" ${_check} --strict ${_m}/rust.wasm)
# The testing library takes the engine's limits from the environment.
_expect(engine_testing_budget_env 1 "execution budget of 2 instructions exhausted in _initialize"
  ${CMAKE_COMMAND} -E env PROXY_WASM_INSTRUCTION_BUDGET=2 PROXY_WASM_PLUGIN_WASM=${_m}/rust.wasm
  $<TARGET_FILE:sdk_shapes_test>)
_expect(engine_testing_bad_env 1 "proxy_wasm::testing: PROXY_WASM_INSTRUCTION_BUDGET=lots is not a count"
  ${CMAKE_COMMAND} -E env PROXY_WASM_INSTRUCTION_BUDGET=lots PROXY_WASM_PLUGIN_WASM=${_m}/rust.wasm
  $<TARGET_FILE:sdk_shapes_test>)
