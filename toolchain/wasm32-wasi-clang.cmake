# Toolchain: the clang + wasi-libc + libc++ that Debian/Ubuntu package (the default).
#   apt-get install clang-19 lld-19 wasi-libc libc++-19-dev-wasm32 libc++abi-19-dev-wasm32 \
#                   libclang-rt-19-dev-wasm32
# Pick another clang with -DPROXY_WASM_CLANG_VERSION=NN.
set(CMAKE_SYSTEM_NAME Generic)  # CMake < 3.31 does not know "WASI"
set(CMAKE_SYSTEM_PROCESSOR wasm32)
set(PROXY_WASM_TOOLCHAIN "clang" CACHE INTERNAL "")  # the name TOOLCHAIN uses

set(PROXY_WASM_CLANG_VERSION "19" CACHE STRING "Debian clang major version for wasm32-wasi")
find_program(PROXY_WASM_CLANGXX NAMES clang++-${PROXY_WASM_CLANG_VERSION} REQUIRED)
find_program(PROXY_WASM_CLANG NAMES clang-${PROXY_WASM_CLANG_VERSION} REQUIRED)
find_program(PROXY_WASM_LLVM_AR NAMES llvm-ar-${PROXY_WASM_CLANG_VERSION} llvm-ar)
find_program(PROXY_WASM_LLVM_RANLIB NAMES llvm-ranlib-${PROXY_WASM_CLANG_VERSION} llvm-ranlib)

set(CMAKE_C_COMPILER "${PROXY_WASM_CLANG}")
set(CMAKE_CXX_COMPILER "${PROXY_WASM_CLANGXX}")
set(CMAKE_C_COMPILER_TARGET wasm32-wasi)
set(CMAKE_CXX_COMPILER_TARGET wasm32-wasi)
if(PROXY_WASM_LLVM_AR)
  set(CMAKE_AR "${PROXY_WASM_LLVM_AR}")
  set(CMAKE_RANLIB "${PROXY_WASM_LLVM_RANLIB}")
endif()
# Debian's clang finds wasi-libc (/usr/include/wasm32-wasi, /usr/lib/wasm32-wasi) and
# libc++ (/usr/lib/llvm-NN/include/wasm32-wasi/c++/v1) for this target by itself.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)  # no plain executables for a reactor
set(CMAKE_EXECUTABLE_SUFFIX ".wasm")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
