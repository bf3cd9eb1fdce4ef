# Toolchain: wasi-sdk, at WASI_SDK_PREFIX (cache variable or environment), in its standard
# layout: bin/clang++, share/wasi-sysroot, target wasm32-wasi (wasm32-wasip1 with
# -DPROXY_WASM_WASI_TARGET=wasm32-wasip1 on wasi-sdk >= 22).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR wasm32)
set(PROXY_WASM_TOOLCHAIN "wasi-sdk" CACHE INTERNAL "")

if(NOT WASI_SDK_PREFIX)
  set(WASI_SDK_PREFIX "$ENV{WASI_SDK_PREFIX}")
endif()
if(NOT WASI_SDK_PREFIX OR NOT EXISTS "${WASI_SDK_PREFIX}/bin/clang++")
  message(FATAL_ERROR "wasi-sdk not found: set WASI_SDK_PREFIX to the directory holding bin/clang++ "
                      "and share/wasi-sysroot (got '${WASI_SDK_PREFIX}')")
endif()
set(WASI_SDK_PREFIX "${WASI_SDK_PREFIX}" CACHE PATH "wasi-sdk installation")
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES WASI_SDK_PREFIX)  # try_compile projects need it too
set(PROXY_WASM_WASI_TARGET "wasm32-wasi" CACHE STRING "wasm32-wasi or wasm32-wasip1")

set(CMAKE_C_COMPILER "${WASI_SDK_PREFIX}/bin/clang")
set(CMAKE_CXX_COMPILER "${WASI_SDK_PREFIX}/bin/clang++")
set(CMAKE_AR "${WASI_SDK_PREFIX}/bin/llvm-ar" CACHE FILEPATH "")
set(CMAKE_RANLIB "${WASI_SDK_PREFIX}/bin/llvm-ranlib" CACHE FILEPATH "")
set(CMAKE_C_COMPILER_TARGET ${PROXY_WASM_WASI_TARGET})
set(CMAKE_CXX_COMPILER_TARGET ${PROXY_WASM_WASI_TARGET})
set(CMAKE_SYSROOT "${WASI_SDK_PREFIX}/share/wasi-sysroot")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_EXECUTABLE_SUFFIX ".wasm")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
