# Builds the example and test plugins as .wasm, from this native build, with every toolchain
# that is available (each a sub-build of this source tree: proxy_wasm_wasm_subbuild):
#   clang       Debian clang + wasi-libc + libc++   (required: the default toolchain)
#   wasi-sdk    WASI_SDK_PREFIX, or a wasi-sdk-shaped prefix assembled from Debian packages
#   emscripten  when emcc is installed
# Sets PROXY_WASM_WASM_TOOLCHAINS and, per toolchain T, PROXY_WASM_WASM_DIR_<T> (where
# examples/<name>.wasm land) and the target wasm_<T>. The plugins the examples declare
# natively find their .wasm here (proxy_wasm_add_plugin reuses these sub-builds).
include_guard(GLOBAL)

set(PROXY_WASM_WASM_TOOLCHAINS "")
set(_wasm_common_args
  -DCMAKE_BUILD_TYPE=MinSizeRel
  -DPROXY_WASM_BUILD_TESTS=OFF
  -DPROXY_WASM_INSTALL=OFF
  -DPROXY_WASM_BUILD_EXAMPLES=ON
  -DPROXY_WASM_BUILD_TEST_PLUGINS=ON
  -DPROXY_WASM_CLANG_VERSION=${PROXY_WASM_CLANG_VERSION}
  -DPROXY_WASM_DEFAULT_ALLOCATOR=${PROXY_WASM_DEFAULT_ALLOCATOR})

macro(_proxy_wasm_toolchain_build tc)
  # The examples' vNEXT draft builds: with the default toolchain only (docs/vnext.md).
  set(_vnext OFF)
  if("${tc}" STREQUAL "${PROXY_WASM_DEFAULT_TOOLCHAIN}")
    set(_vnext ON)
  endif()
  proxy_wasm_wasm_subbuild(${tc} TARGET wasm_${tc} BINARY_DIR "${CMAKE_BINARY_DIR}/wasm-${tc}"
    CMAKE_ARGS ${_wasm_common_args} -DPROXY_WASM_VNEXT_EXAMPLES=${_vnext})
  set(PROXY_WASM_WASM_DIR_${tc} "${PROXY_WASM_SUBBUILD_DIR}")
  list(APPEND PROXY_WASM_WASM_TOOLCHAINS ${tc})
endmacro()

_proxy_wasm_toolchain_build(clang)

option(PROXY_WASM_WITH_WASI_SDK "Also build the examples with wasi-sdk" ON)
if(PROXY_WASM_WITH_WASI_SDK)
  _proxy_wasm_toolchain_build(wasi-sdk)
endif()

option(PROXY_WASM_WITH_EMSCRIPTEN "Also build the examples with Emscripten when emcc is installed" ON)
find_program(PROXY_WASM_EMCC emcc)
if(PROXY_WASM_WITH_EMSCRIPTEN AND PROXY_WASM_EMCC)
  _proxy_wasm_toolchain_build(emscripten)
endif()
message(STATUS "proxy-wasm: building the examples as .wasm with: ${PROXY_WASM_WASM_TOOLCHAINS}")
