# Configure-time behaviour of a plugin project (the SDK through add_subdirectory or
# FetchContent from SOURCE): every mistake is a clear message, nothing is silent.
#   cmake -DSOURCE=<sdk source> -DWORK=<scratch> -P Configure.cmake
cmake_minimum_required(VERSION 3.20)
file(REMOVE_RECURSE "${WORK}")

# configure(<case> <expect: ok|error> <regex> <plugin call> [cmake args...])
function(configure case expect regex call)
  set(dir "${WORK}/${case}")
  file(MAKE_DIRECTORY "${dir}")
  file(WRITE "${dir}/plugin.cc" "#include <proxy_wasm/proxy_wasm.h>\n")
  file(WRITE "${dir}/CMakeLists.txt" "cmake_minimum_required(VERSION 3.20)\nproject(${case} CXX)\n"
    "include(FetchContent)\nFetchContent_Declare(proxy_wasm_cpp SOURCE_DIR \"${SOURCE}\")\nFetchContent_MakeAvailable(proxy_wasm_cpp)\n"
    "${call}\n")
  execute_process(COMMAND ${CMAKE_COMMAND} -S "${dir}" -B "${dir}/build" ${ARGN}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(all "${out}\n${err}")
  string(REGEX REPLACE "\n *" " " flat "${all}")  # CMake wraps long messages
  if(expect STREQUAL "ok" AND rc)
    message(FATAL_ERROR "${case}: configuring failed:\n${all}")
  elseif(expect STREQUAL "error" AND NOT rc)
    message(FATAL_ERROR "${case}: configuring succeeded; expected an error matching '${regex}':\n${all}")
  endif()
  if(NOT flat MATCHES "${regex}")
    message(FATAL_ERROR "${case}: the output does not match '${regex}':\n${all}")
  endif()
  message(STATUS "${case}: ok")
endfunction()

# The toolchain files are known right after FetchContent_MakeAvailable (no fetch first).
configure(toolchain_vars ok "toolchain file: [^ ]+/toolchain/wasm32-wasi-clang.cmake exists"
  "if(EXISTS \"\${PROXY_WASM_TOOLCHAIN_clang}\" AND EXISTS \"\${ProxyWasm_TOOLCHAIN_DIR}/emscripten.cmake\")\n  message(STATUS \"toolchain file: \${PROXY_WASM_TOOLCHAIN_clang} exists\")\nendif()")
# A native build without a usable wasm toolchain stops and names the packages.
configure(no_wasm_toolchain error "the wasm toolchain 'clang' is missing, so no .wasm can be built: apt-get install clang-99"
  "proxy_wasm_add_plugin(p SOURCES plugin.cc)" -DPROXY_WASM_CLANG_VERSION=99)
# Native objects only: said, per plugin.
configure(subbuild_off ok "plugin p: native objects only, no .wasm \\(PROXY_WASM_WASM_SUBBUILD is OFF\\)"
  "proxy_wasm_add_plugin(p SOURCES plugin.cc)" -DPROXY_WASM_WASM_SUBBUILD=OFF)
# Options are validated, naming what is valid.
configure(bad_abi error "ABI 'v9' is not supported; valid: v0_2_1, vnext" "proxy_wasm_add_plugin(p SOURCES plugin.cc ABI v9)")
# ABI vnext: the draft's backend, selected by the macro its sources compile with.
configure(vnext_abi ok "abi=vnext definitions=PROXY_WASM_ABI_VNEXT=1"
  "proxy_wasm_add_plugin(p SOURCES plugin.cc ABI vnext)\nget_target_property(a p PROXY_WASM_ABI)\nget_target_property(d p INTERFACE_COMPILE_DEFINITIONS)\nmessage(STATUS \"abi=\${a} definitions=\${d}\")"
  -DPROXY_WASM_WASM_SUBBUILD=OFF)
configure(bad_allocator error "ALLOCATOR 'mimalloc' is not supported; valid: sdk, libc" "proxy_wasm_add_plugin(p SOURCES plugin.cc ALLOCATOR mimalloc)")
configure(bad_toolchain error "TOOLCHAIN 'gcc' is not one of: clang, wasi-sdk, emscripten" "proxy_wasm_add_plugin(p SOURCES plugin.cc TOOLCHAIN gcc)")
configure(bad_stack error "STACK_SIZE 65540 must be a multiple of 16" "proxy_wasm_add_plugin(p SOURCES plugin.cc STACK_SIZE 65540)")
configure(bad_argument error "SOURCES: no file .STACKSIZE. \\(a misspelt option\\? options: SOURCES" "proxy_wasm_add_plugin(p SOURCES plugin.cc STACKSIZE 4096)")
# A wasm toolchain file: only the plugin, no sub-build, no tests.
configure(wasm_toolchain_file ok "Generating done" "proxy_wasm_add_plugin(p SOURCES plugin.cc)\nproxy_wasm_add_plugin_test(p_test PLUGIN p SOURCES plugin.cc)\nif(TARGET p_test)\n  message(FATAL_ERROR \"a test in a wasm build\")\nendif()"
  -DCMAKE_TOOLCHAIN_FILE=${SOURCE}/toolchain/wasm32-wasi-clang.cmake)

# The SDK's sdk component alone installs with neither doctest nor wabt on the machine.
set(dir "${WORK}/sdk_only")
execute_process(COMMAND ${CMAKE_COMMAND} -S "${SOURCE}" -B "${dir}/build" -DPROXY_WASM_BUILD_HOST=OFF
  -DPROXY_WASM_BUILD_TESTS=OFF -DPROXY_WASM_BUILD_EXAMPLES=OFF -DPROXY_WASM_BUILD_BENCHMARKS=OFF
  -DCMAKE_DISABLE_FIND_PACKAGE_doctest=ON -DCMAKE_DISABLE_FIND_PACKAGE_wabt=ON
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc)
  message(FATAL_ERROR "sdk_only: configuring the SDK without doctest and wabt failed:\n${out}\n${err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --install "${dir}/build" --prefix "${dir}/prefix" RESULT_VARIABLE rc OUTPUT_QUIET)
if(rc OR NOT EXISTS "${dir}/prefix/include/proxy_wasm/proxy_wasm.h" OR NOT EXISTS "${dir}/prefix/lib/cmake/ProxyWasm/ProxyWasmConfig.cmake")
  message(FATAL_ERROR "sdk_only: installing the headers failed")
endif()
message(STATUS "sdk_only: ok")
