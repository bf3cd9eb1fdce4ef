# Builds the example plugins as .wasm, from this native build, with every toolchain that is
# available (each its own ExternalProject of this source tree):
#   clang       Debian clang + wasi-libc + libc++   (required: the default toolchain)
#   wasi-sdk    WASI_SDK_PREFIX, or a wasi-sdk-shaped prefix assembled from Debian packages
#   emscripten  when emcc is installed
# Sets PROXY_WASM_WASM_TOOLCHAINS and, per toolchain T, PROXY_WASM_WASM_DIR_<T> (where
# examples/<name>/<name>.wasm land) and the target wasm_<T>.
include_guard(GLOBAL)
include(ExternalProject)

set(PROXY_WASM_WASM_TOOLCHAINS "")
set(PROXY_WASM_CLANG_VERSION "19" CACHE STRING "Debian clang major version for wasm builds")

find_program(PROXY_WASM_HOST_CLANGXX clang++-${PROXY_WASM_CLANG_VERSION})
if(NOT PROXY_WASM_HOST_CLANGXX OR NOT EXISTS /usr/lib/wasm32-wasi/libc++.a)
  message(FATAL_ERROR "The wasm toolchain is missing: apt-get install clang-${PROXY_WASM_CLANG_VERSION} "
                      "lld-${PROXY_WASM_CLANG_VERSION} wasi-libc libc++-${PROXY_WASM_CLANG_VERSION}-dev-wasm32 "
                      "libc++abi-${PROXY_WASM_CLANG_VERSION}-dev-wasm32 libclang-rt-${PROXY_WASM_CLANG_VERSION}-dev-wasm32")
endif()

set(_wasm_common_args
  -DCMAKE_BUILD_TYPE=MinSizeRel
  -DPROXY_WASM_BUILD_TESTS=OFF
  -DPROXY_WASM_INSTALL=OFF
  -DPROXY_WASM_BUILD_EXAMPLES=ON
  -DPROXY_WASM_BUILD_TEST_PLUGINS=ON)

function(_proxy_wasm_toolchain_build tc toolchain_file)
  set(dir "${CMAKE_BINARY_DIR}/wasm-${tc}")
  ExternalProject_Add(wasm_${tc}
    SOURCE_DIR "${PROJECT_SOURCE_DIR}"
    BINARY_DIR "${dir}"
    CMAKE_ARGS -DCMAKE_TOOLCHAIN_FILE=${toolchain_file} ${_wasm_common_args} ${ARGN}
    BUILD_ALWAYS ON
    INSTALL_COMMAND ""
    USES_TERMINAL_BUILD ON)
  set(PROXY_WASM_WASM_DIR_${tc} "${dir}" PARENT_SCOPE)
  list(APPEND PROXY_WASM_WASM_TOOLCHAINS ${tc})
  set(PROXY_WASM_WASM_TOOLCHAINS ${PROXY_WASM_WASM_TOOLCHAINS} PARENT_SCOPE)
endfunction()

_proxy_wasm_toolchain_build(clang "${PROJECT_SOURCE_DIR}/toolchain/wasm32-wasi-clang.cmake"
  -DPROXY_WASM_CLANG_VERSION=${PROXY_WASM_CLANG_VERSION})

option(PROXY_WASM_WITH_WASI_SDK "Also build the examples with wasi-sdk" ON)
if(PROXY_WASM_WITH_WASI_SDK)
  set(_wasi_sdk "$ENV{WASI_SDK_PREFIX}")
  if(NOT _wasi_sdk)
    set(_wasi_sdk "${CMAKE_BINARY_DIR}/wasi-sdk")
    execute_process(COMMAND "${PROJECT_SOURCE_DIR}/toolchain/assemble-wasi-sdk.sh" "${_wasi_sdk}" ${PROXY_WASM_CLANG_VERSION}
      RESULT_VARIABLE _rc OUTPUT_QUIET)
    if(NOT _rc EQUAL 0)
      message(FATAL_ERROR "could not assemble a wasi-sdk-shaped prefix at ${_wasi_sdk}")
    endif()
  endif()
  _proxy_wasm_toolchain_build(wasi-sdk "${PROJECT_SOURCE_DIR}/toolchain/wasi-sdk.cmake" -DWASI_SDK_PREFIX=${_wasi_sdk})
endif()

option(PROXY_WASM_WITH_EMSCRIPTEN "Also build the examples with Emscripten when emcc is installed" ON)
find_program(PROXY_WASM_EMCC emcc)
if(PROXY_WASM_WITH_EMSCRIPTEN AND PROXY_WASM_EMCC)
  _proxy_wasm_toolchain_build(emscripten "${PROJECT_SOURCE_DIR}/toolchain/emscripten.cmake")
endif()
message(STATUS "proxy-wasm: building the examples as .wasm with: ${PROXY_WASM_WASM_TOOLCHAINS}")
