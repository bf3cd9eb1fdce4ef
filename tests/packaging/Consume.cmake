# A plugin project consuming the SDK one way, end to end, in one native build tree:
#   cmake -DSOURCE=<sdk source> -DBUILD=<sdk native build> -DWORK=<scratch dir>
#         -DHOW=<find_package|add_subdirectory|fetch_content> -P Consume.cmake
# find_package: the SDK is installed from BUILD into WORK/prefix (both components); the
# starter comes from the prefix (bin/proxy-wasm-new). Also: the sdk component alone installs
# and builds a plugin with doctest and wabt hidden, and docs/testing.md's CMake snippet builds
# and passes. add_subdirectory, fetch_content: the starter from the source tree, with
# -DPROXY_WASM_SDK_DIR=SOURCE (FetchContent from a local path: no network).
# Each way: proxy-wasm-new demo; cmake -B build; cmake --build build; ctest (demo_test natively,
# demo_test_wasm in the engine, demo_scenario with proxy-wasm-run); then plugin.cc is edited
# and one `cmake --build` + ctest must show the edit in BOTH runs (no stale .wasm).
cmake_minimum_required(VERSION 3.20)
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
  set(rc "${rc}" PARENT_SCOPE)
  if(NOT rc EQUAL 0 AND NOT expect_failure)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  message(STATUS "${what}: ok")
endfunction()

set(new "${SOURCE}/scripts/proxy-wasm-new")
set(args "")
if(HOW STREQUAL "find_package")
  run("install the SDK (both components)" ${CMAKE_COMMAND} --install "${BUILD}" --prefix "${WORK}/prefix")
  foreach(f bin/proxy-wasm-new bin/proxy-wasm-run bin/proxy-wasm-check include/proxy_wasm/proxy_wasm.h
            include/proxy_wasm/json.h include/proxy_wasm/testing.h include/proxy_wasm/testing_doctest.h
            include/proxy_wasm/host/host.h share/ProxyWasm/toolchain/wasm32-wasi-clang.cmake
            share/ProxyWasm/starter/plugin.cc.in lib/cmake/ProxyWasm/ProxyWasmConfig.cmake
            lib/cmake/ProxyWasm/ProxyWasmTestingTargets.cmake)
    if(NOT EXISTS "${WORK}/prefix/${f}")
      message(FATAL_ERROR "the install has no ${f}")
    endif()
  endforeach()
  set(new "${WORK}/prefix/bin/proxy-wasm-new")
  list(APPEND args "-DCMAKE_PREFIX_PATH=${WORK}/prefix")

  # The sdk component alone: a plugin builds with neither doctest nor wabt to be found.
  run("install the sdk component alone" ${CMAKE_COMMAND} --install "${BUILD}" --component sdk --prefix "${WORK}/sdk-only")
  if(EXISTS "${WORK}/sdk-only/lib/cmake/ProxyWasm/ProxyWasmTestingTargets.cmake" OR EXISTS "${WORK}/sdk-only/bin/proxy-wasm-run")
    message(FATAL_ERROR "the sdk component installed testing files")
  endif()
  file(MAKE_DIRECTORY "${WORK}/headers-only")
  file(WRITE "${WORK}/headers-only/CMakeLists.txt" "cmake_minimum_required(VERSION 3.20)\nproject(headers_only CXX)\n"
    "find_package(ProxyWasm REQUIRED)\nproxy_wasm_add_plugin(headers_only SOURCES plugin.cc)\n")
  file(COPY "${SOURCE}/tests/docs/add_header.cc" DESTINATION "${WORK}/headers-only")
  file(RENAME "${WORK}/headers-only/add_header.cc" "${WORK}/headers-only/plugin.cc")
  run("configure a plugin against the sdk component alone (wasm toolchain, doctest and wabt hidden)"
    ${CMAKE_COMMAND} -S "${WORK}/headers-only" -B "${WORK}/headers-only/build" -DCMAKE_PREFIX_PATH=${WORK}/sdk-only
    -DCMAKE_TOOLCHAIN_FILE=${WORK}/sdk-only/share/ProxyWasm/toolchain/wasm32-wasi-clang.cmake
    -DCMAKE_BUILD_TYPE=MinSizeRel -DCMAKE_DISABLE_FIND_PACKAGE_doctest=ON -DCMAKE_DISABLE_FIND_PACKAGE_wabt=ON)
  run("build it" ${CMAKE_COMMAND} --build "${WORK}/headers-only/build")
  if(NOT EXISTS "${WORK}/headers-only/build/headers_only.wasm")
    message(FATAL_ERROR "no headers_only.wasm")
  endif()

  # docs/testing.md's CMake snippet, as printed, with the page's plugin and tests.
  file(READ "${SOURCE}/docs/testing.md" page)
  string(REGEX MATCH "```cmake\n([^`]*)```" block "${page}")
  set(snippet "${CMAKE_MATCH_1}")
  if(NOT snippet MATCHES "enable_testing\\(\\)")
    message(FATAL_ERROR "docs/testing.md's CMake snippet has no enable_testing()")
  endif()
  file(MAKE_DIRECTORY "${WORK}/testing-md")
  file(WRITE "${WORK}/testing-md/CMakeLists.txt" "${snippet}")
  file(COPY "${SOURCE}/tests/docs/add_header.cc" "${SOURCE}/tests/docs/add_header_test.cc" DESTINATION "${WORK}/testing-md")
  run("docs/testing.md: configure" ${CMAKE_COMMAND} -S "${WORK}/testing-md" -B "${WORK}/testing-md/build" ${args})
  run("docs/testing.md: build" ${CMAKE_COMMAND} --build "${WORK}/testing-md/build")
  run("docs/testing.md: ctest" ${CMAKE_CTEST_COMMAND} --test-dir "${WORK}/testing-md/build" --output-on-failure)
  if(NOT out MATCHES "add_header_test_wasm [.]+ +Passed" OR NOT out MATCHES "add_header_test [.]+ +Passed")
    message(FATAL_ERROR "docs/testing.md: both runs must pass:\n${out}")
  endif()
else()
  list(APPEND args "-DPROXY_WASM_SDK_DIR=${SOURCE}" "-DPROXY_WASM_SDK_VIA=${HOW}")
endif()

# ---- The starter, as a user runs it -------------------------------------------------------
run("proxy-wasm-new demo" "${new}" demo "${WORK}/demo")
foreach(f plugin.cc test.cc CMakeLists.txt scenario.json envoy.yaml wasmplugin.yaml README.md)
  if(NOT EXISTS "${WORK}/demo/${f}")
    message(FATAL_ERROR "proxy-wasm-new wrote no ${f}")
  endif()
endforeach()
if(NODE)
  run("the starter's WasmPlugin validates against Istio's schema" "${NODE}" "${VALIDATE}" "${WORK}/demo/wasmplugin.yaml")
endif()
run("configure (native, no toolchain file)" ${CMAKE_COMMAND} -S "${WORK}/demo" -B "${WORK}/demo/build" ${args})
run("build" ${CMAKE_COMMAND} --build "${WORK}/demo/build")
if(NOT EXISTS "${WORK}/demo/build/proxy-wasm-clang/demo.wasm")
  message(FATAL_ERROR "no demo.wasm in the sub-build")
endif()
run("ctest" ${CMAKE_CTEST_COMMAND} --test-dir "${WORK}/demo/build" --output-on-failure)
foreach(t demo_test demo_test_wasm demo_scenario)
  if(NOT out MATCHES "${t} [.]+ +Passed")
    message(FATAL_ERROR "${t} did not pass:\n${out}")
  endif()
endforeach()
if(NOT out MATCHES "100% tests passed, 0 tests failed out of 3")
  message(FATAL_ERROR "expected 3 passing tests:\n${out}")
endif()
foreach(f demo.oci/index.json demo.oci.tar demo.artifact.oci/index.json demo.artifact.oci.tar demo.wasm.sha256)
  if(NOT EXISTS "${WORK}/demo/build/${f}")
    message(FATAL_ERROR "the build wrote no ${f}")
  endif()
endforeach()

# ---- An edit reaches both runs after one `cmake --build` ----------------------------------
file(READ "${WORK}/demo/plugin.cc" plugin)
string(REPLACE "\"world\"" "\"edited\"" plugin "${plugin}")
file(WRITE "${WORK}/demo/plugin.cc" "${plugin}")
run("rebuild after editing plugin.cc" ${CMAKE_COMMAND} --build "${WORK}/demo/build")
set(expect_failure ON)
run("ctest after the edit (the tests still expect 'world')" ${CMAKE_CTEST_COMMAND} --test-dir "${WORK}/demo/build")
set(expect_failure OFF)
if(NOT out MATCHES "demo_test [.]+[*]+Failed" OR NOT out MATCHES "demo_test_wasm [.]+[*]+Failed"
   OR NOT out MATCHES "demo_scenario [.]+[*]+Failed")
  message(FATAL_ERROR "after the edit, the native, engine and scenario runs must all see it (and fail):\n${out}")
endif()
# And the module itself says so.
if(HOW STREQUAL "find_package")
  set(runner "${WORK}/prefix/bin/proxy-wasm-run")
else()
  set(runner "${BUILD}/engine/proxy-wasm-run")
endif()
run("proxy-wasm-run the edited module" "${runner}" "${WORK}/demo/build/proxy-wasm-clang/demo.wasm"
  --scenario "${WORK}/demo/scenario.json")
if(NOT out MATCHES "x-hello: edited")
  message(FATAL_ERROR "the rebuilt demo.wasm does not have the edit:\n${out}")
endif()
message(STATUS "packaging (${HOW}): the starter builds and passes both ways; an edit reaches both")
