# proxy_wasm_add_plugin(<name> SOURCES <src>...
#   [LINK_LIBRARIES <lib>...]
#   [TOOLCHAIN clang|wasi-sdk|emscripten]
#   [STACK_SIZE <bytes>]
#   [JSON]
#   [ABI v0_2_1|vnext]
#   [ALLOCATOR sdk|libc]
#   [OUTPUT_NAME <file-stem>]
#   [NO_STRIP])
#
# One function turns C++ sources into a Proxy-Wasm plugin. It owns every flag a plugin
# needs, for each toolchain in this directory:
#   - when the compiler targets wasm32 (a wasm toolchain file) it creates <name>.wasm
#     (target <name>);
#   - in a native build it creates an OBJECT library <name> of the same sources, which
#     proxy_wasm_add_plugin_test links with the mock host, AND builds <name>.wasm with
#     TOOLCHAIN in a sub-build of this same project (one ExternalProject per toolchain,
#     rebuilt by every `cmake --build`: never a stale .wasm). The .wasm's path is the
#     target property PROXY_WASM_WASM_FILE; proxy_wasm_add_plugin_test(PLUGIN) uses it.
#     PROXY_WASM_WASM_SUBBUILD=OFF keeps a native build native (then no .wasm, and the
#     configure log says so). The sub-build configures the whole project again with the
#     toolchain file (PROXY_WASM_SUBBUILD_TOOLCHAIN is set there) and builds only the target
#     proxy_wasm_plugins: wrap native-only parts in if(NOT PROXY_WASM_SUBBUILD_TOOLCHAIN).
# Linking ProxyWasm::sdk is implied. Sources are C++17, without exceptions or RTTI in wasm,
# with -Wsuggest-override and -Woverloaded-virtual as errors (a misspelt or hidden override
# of an SDK callback would otherwise compile and never run).
#
# Options:
#   SOURCES          the plugin's C++ sources (required).
#   LINK_LIBRARIES   more libraries, e.g. header-only INTERFACE targets.
#   TOOLCHAIN        the toolchain of the .wasm a native build makes: clang (Debian clang +
#                    wasi-libc + libc++), wasi-sdk (WASI_SDK_PREFIX, or a prefix assembled
#                    from Debian packages) or emscripten. Default: PROXY_WASM_DEFAULT_TOOLCHAIN
#                    (clang). A build configured with a wasm toolchain file uses that file.
#   STACK_SIZE       the shadow stack in bytes (a multiple of 16; default 65536). The stack
#                    is placed first in linear memory, below the data, so an overflow traps
#                    in the callback that overflowed instead of overwriting globals.
#   JSON             links ProxyWasm::json (<proxy_wasm/json.h>, nlohmann-json without
#                    exceptions; only its own headers on a wasm include path).
#   ABI              the Proxy-Wasm ABI the plugin targets: v0_2_1 (the default: what every
#                    production host speaks) or vnext (the 2020 draft, docs/vnext.md). The
#                    same sources build for either; vnext defines PROXY_WASM_ABI_VNEXT=1.
#   ALLOCATOR        the allocator behind malloc and the plugin's malloc /
#                    proxy_on_memory_allocate exports: sdk (the default,
#                    PROXY_WASM_DEFAULT_ALLOCATOR: the SDK's size-class heap of
#                    proxy_wasm/detail/allocator.h, ~0.8 KB of code, defined by the runtime
#                    unit) or libc (wasi-libc's dlmalloc, ~8 KB; Emscripten's dlmalloc).
#   OUTPUT_NAME      the .wasm's file name without extension (default: <name>).
#   NO_STRIP         keeps the name section in release builds.
include_guard(GLOBAL)
include(ExternalProject)

set(PROXY_WASM_TOOLCHAINS clang wasi-sdk emscripten)

# The toolchain files: next to this file in the source tree; an installed package sets
# ProxyWasm_TOOLCHAIN_DIR (share/ProxyWasm/toolchain) before including it.
if(NOT ProxyWasm_TOOLCHAIN_DIR)
  set(ProxyWasm_TOOLCHAIN_DIR "${CMAKE_CURRENT_LIST_DIR}")
endif()
set(PROXY_WASM_TOOLCHAIN_clang "${ProxyWasm_TOOLCHAIN_DIR}/wasm32-wasi-clang.cmake")
set(PROXY_WASM_TOOLCHAIN_wasi-sdk "${ProxyWasm_TOOLCHAIN_DIR}/wasi-sdk.cmake")
set(PROXY_WASM_TOOLCHAIN_emscripten "${ProxyWasm_TOOLCHAIN_DIR}/emscripten.cmake")
# ProxyWasm_INCLUDE_DIR: the SDK's headers (for ProxyWasm::json's include path).
if(NOT ProxyWasm_INCLUDE_DIR)
  get_filename_component(ProxyWasm_INCLUDE_DIR "${CMAKE_CURRENT_LIST_DIR}/../include" ABSOLUTE)
endif()
# The functions below are called from other directory scopes: they read these.
set_property(GLOBAL PROPERTY _PROXY_WASM_TOOLCHAIN_DIR "${ProxyWasm_TOOLCHAIN_DIR}")
set_property(GLOBAL PROPERTY _PROXY_WASM_INCLUDE_DIR "${ProxyWasm_INCLUDE_DIR}")

# The toolchain file of <tc> (clang, wasi-sdk or emscripten).
function(_proxy_wasm_toolchain_file tc out)
  get_property(dir GLOBAL PROPERTY _PROXY_WASM_TOOLCHAIN_DIR)
  set(file_clang wasm32-wasi-clang.cmake)
  set(file_wasi-sdk wasi-sdk.cmake)
  set(file_emscripten emscripten.cmake)
  set(${out} "${dir}/${file_${tc}}" PARENT_SCOPE)
endfunction()

set(PROXY_WASM_DEFAULT_TOOLCHAIN "clang" CACHE STRING
    "Toolchain of the .wasm a native build makes for each plugin: clang, wasi-sdk or emscripten")
set_property(CACHE PROXY_WASM_DEFAULT_TOOLCHAIN PROPERTY STRINGS ${PROXY_WASM_TOOLCHAINS})
option(PROXY_WASM_WASM_SUBBUILD "Native builds also build each plugin as .wasm (a sub-build per toolchain)" ON)
set(PROXY_WASM_WASM_BUILD_TYPE "MinSizeRel" CACHE STRING "Build type of the .wasm sub-builds")
set(PROXY_WASM_FORWARD_VARIABLES "" CACHE STRING
    "Variables passed on to the .wasm sub-builds (cache variables of type PATH, CMAKE_PREFIX_PATH, "
    "ProxyWasm_DIR and FETCHCONTENT_SOURCE_DIR_* always are)")
set(PROXY_WASM_CLANG_VERSION "19" CACHE STRING "Debian clang major version for wasm builds")
set(PROXY_WASM_DEFAULT_ALLOCATOR "sdk" CACHE STRING
    "Allocator of plugins without ALLOCATOR: sdk (the SDK's size-class heap) or libc (wasi-libc's/Emscripten's dlmalloc)")
set_property(CACHE PROXY_WASM_DEFAULT_ALLOCATOR PROPERTY STRINGS sdk libc)


# ---- ProxyWasm::json: nlohmann-json for <proxy_wasm/json.h> ---------------------------------
# In a wasm build only nlohmann's own directory is put on the include path (through a
# symbolic link in the build tree): /usr/include would bring the build machine's glibc
# headers into a wasm32 compile ('bits/libc-header-start.h' file not found with wasi-sdk).
function(_proxy_wasm_json_target)
  if(TARGET ProxyWasm::json)
    return()
  endif()
  find_path(PROXY_WASM_NLOHMANN_DIR nlohmann/json.hpp PATHS /usr/include /usr/local/include NO_CMAKE_FIND_ROOT_PATH)
  add_library(proxy_wasm_json INTERFACE)
  add_library(ProxyWasm::json ALIAS proxy_wasm_json)
  get_property(sdk_include GLOBAL PROPERTY _PROXY_WASM_INCLUDE_DIR)
  target_include_directories(proxy_wasm_json INTERFACE "${sdk_include}")
  if(NOT PROXY_WASM_NLOHMANN_DIR)
    # Reported by proxy_wasm_add_plugin(JSON) and by any target linking it.
    set_property(GLOBAL PROPERTY _PROXY_WASM_JSON_MISSING ON)
    target_compile_definitions(proxy_wasm_json INTERFACE PROXY_WASM_JSON_MISSING_NLOHMANN)
    return()
  endif()
  set(inc "${CMAKE_BINARY_DIR}/proxy-wasm-json-include")
  file(MAKE_DIRECTORY "${inc}")
  if(NOT EXISTS "${inc}/nlohmann")
    file(CREATE_LINK "${PROXY_WASM_NLOHMANN_DIR}/nlohmann" "${inc}/nlohmann" SYMBOLIC)
  endif()
  target_include_directories(proxy_wasm_json SYSTEM INTERFACE "${inc}")
endfunction()

function(_proxy_wasm_require_json who)
  _proxy_wasm_json_target()
  get_property(missing GLOBAL PROPERTY _PROXY_WASM_JSON_MISSING)
  if(missing)
    message(FATAL_ERROR "${who}: JSON needs nlohmann-json (nlohmann/json.hpp not found): "
                        "apt-get install nlohmann-json3-dev")
  endif()
endfunction()

# ---- The .wasm sub-builds of a native build -------------------------------------------------
# The default toolchain's Debian packages, named when missing.
function(_proxy_wasm_check_toolchain tc who)
  if(tc STREQUAL "clang")
    find_program(PROXY_WASM_HOST_CLANGXX clang++-${PROXY_WASM_CLANG_VERSION})
    if(NOT PROXY_WASM_HOST_CLANGXX OR NOT EXISTS /usr/lib/wasm32-wasi/libc++.a)
      message(FATAL_ERROR "${who}: the wasm toolchain 'clang' is missing, so no .wasm can be built: "
        "apt-get install clang-${PROXY_WASM_CLANG_VERSION} lld-${PROXY_WASM_CLANG_VERSION} wasi-libc "
        "libc++-${PROXY_WASM_CLANG_VERSION}-dev-wasm32 libc++abi-${PROXY_WASM_CLANG_VERSION}-dev-wasm32 "
        "libclang-rt-${PROXY_WASM_CLANG_VERSION}-dev-wasm32 (or -DPROXY_WASM_WASM_SUBBUILD=OFF for native objects only)")
    endif()
  elseif(tc STREQUAL "emscripten")
    find_program(PROXY_WASM_EMCC emcc)
    if(NOT PROXY_WASM_EMCC AND NOT EMSCRIPTEN_ROOT AND NOT DEFINED ENV{EMSCRIPTEN_ROOT})
      message(FATAL_ERROR "${who}: TOOLCHAIN emscripten needs emcc: apt-get install emscripten (or set EMSCRIPTEN_ROOT)")
    endif()
  endif()
endfunction()

# wasi-sdk: WASI_SDK_PREFIX, or a wasi-sdk-shaped prefix assembled from Debian packages.
function(_proxy_wasm_wasi_sdk_prefix out)
  set(prefix "${WASI_SDK_PREFIX}")
  if(NOT prefix)
    set(prefix "$ENV{WASI_SDK_PREFIX}")
  endif()
  if(NOT prefix)
    set(prefix "${CMAKE_BINARY_DIR}/wasi-sdk")
    if(NOT EXISTS "${prefix}/bin/clang++")
      get_property(tc_dir GLOBAL PROPERTY _PROXY_WASM_TOOLCHAIN_DIR)
      execute_process(COMMAND bash "${tc_dir}/assemble-wasi-sdk.sh" "${prefix}" ${PROXY_WASM_CLANG_VERSION}
        RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
      if(NOT rc EQUAL 0)
        message(FATAL_ERROR "could not assemble a wasi-sdk-shaped prefix at ${prefix} (set WASI_SDK_PREFIX): ${err}")
      endif()
    endif()
  endif()
  set(${out} "${prefix}" PARENT_SCOPE)
endfunction()

# The variables a sub-build needs to find what this configuration found (the SDK above all).
function(_proxy_wasm_forward_args out)
  set(args "")
  get_cmake_property(cache_vars CACHE_VARIABLES)
  foreach(v ${cache_vars})
    get_property(type CACHE "${v}" PROPERTY TYPE)
    if(v MATCHES "^FETCHCONTENT_(SOURCE_DIR_|FULLY_DISCONNECTED|UPDATES_DISCONNECTED)"
       OR (type STREQUAL "PATH" AND NOT v MATCHES "^(CMAKE_|FETCHCONTENT_BASE_DIR|PROXY_WASM_HOST_|_)"))
      list(APPEND fwd "${v}")
    endif()
  endforeach()
  foreach(v CMAKE_PREFIX_PATH CMAKE_MODULE_PATH ProxyWasm_DIR PROXY_WASM_CLANG_VERSION PROXY_WASM_DEFAULT_ALLOCATOR
            ${PROXY_WASM_FORWARD_VARIABLES})
    if(DEFINED ${v})
      list(APPEND fwd "${v}")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES fwd)
  foreach(v ${fwd})
    string(REPLACE ";" "\\;" value "${${v}}")
    list(APPEND args "-D${v}:STRING=${value}")
  endforeach()
  # The SDK itself when it came through FetchContent: reuse its sources (no second download).
  get_property(fc_name GLOBAL PROPERTY PROXY_WASM_FETCHCONTENT_NAME)
  get_property(sdk_src GLOBAL PROPERTY PROXY_WASM_SOURCE_DIR)
  if(fc_name AND sdk_src)
    string(TOUPPER "${fc_name}" fc_upper)
    list(APPEND args "-DFETCHCONTENT_SOURCE_DIR_${fc_upper}:PATH=${sdk_src}")
  endif()
  set(${out} ${args} PARENT_SCOPE)
endfunction()

# proxy_wasm_wasm_subbuild(<toolchain> [TARGET <target>] [BINARY_DIR <dir>] [CMAKE_ARGS <arg>...])
# The sub-build of this project (CMAKE_SOURCE_DIR) with <toolchain>'s toolchain file, made
# once per toolchain; later calls return it. Sets PROXY_WASM_SUBBUILD_DIR and
# PROXY_WASM_SUBBUILD_TARGET in the caller.
function(proxy_wasm_wasm_subbuild tc)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "TARGET;BINARY_DIR" "CMAKE_ARGS")
  get_property(target GLOBAL PROPERTY PROXY_WASM_SUBBUILD_TARGET_${tc})
  get_property(dir GLOBAL PROPERTY PROXY_WASM_SUBBUILD_DIR_${tc})
  if(NOT target)
    _proxy_wasm_check_toolchain(${tc} "proxy-wasm")
    set(target "${ARG_TARGET}")
    if(NOT target)
      set(target "proxy_wasm_wasm_${tc}")
    endif()
    set(dir "${ARG_BINARY_DIR}")
    if(NOT dir)
      set(dir "${CMAKE_BINARY_DIR}/proxy-wasm-${tc}")
    endif()
    set(tc_args "")
    if(tc STREQUAL "wasi-sdk")
      _proxy_wasm_wasi_sdk_prefix(prefix)
      set(tc_args "-DWASI_SDK_PREFIX=${prefix}")
    endif()
    set(cmake_args ${ARG_CMAKE_ARGS})
    set(build_command "")
    if(NOT ARG_CMAKE_ARGS)
      _proxy_wasm_forward_args(cmake_args)
      list(APPEND cmake_args "-DCMAKE_BUILD_TYPE=${PROXY_WASM_WASM_BUILD_TYPE}" "-DPROXY_WASM_SUBBUILD_TOOLCHAIN=${tc}")
      # Only the plugins (the project's native-only targets are not built for wasm).
      set(build_command BUILD_COMMAND ${CMAKE_COMMAND} --build <BINARY_DIR> --target proxy_wasm_plugins)
    endif()
    _proxy_wasm_toolchain_file(${tc} toolchain_file)
    ExternalProject_Add(${target}
      SOURCE_DIR "${CMAKE_SOURCE_DIR}"
      BINARY_DIR "${dir}"
      CMAKE_ARGS "-DCMAKE_TOOLCHAIN_FILE=${toolchain_file}" ${tc_args} ${cmake_args}
      ${build_command}
      BUILD_ALWAYS ON        # the sub-build's own build system knows what changed
      INSTALL_COMMAND ""
      USES_TERMINAL_BUILD ON)
    set_property(GLOBAL PROPERTY PROXY_WASM_SUBBUILD_TARGET_${tc} "${target}")
    set_property(GLOBAL PROPERTY PROXY_WASM_SUBBUILD_DIR_${tc} "${dir}")
    set_property(GLOBAL APPEND PROPERTY PROXY_WASM_SUBBUILDS ${tc})
    message(STATUS "proxy-wasm: plugins with TOOLCHAIN ${tc} are built as .wasm in ${dir}")
  endif()
  set(PROXY_WASM_SUBBUILD_DIR "${dir}" PARENT_SCOPE)
  set(PROXY_WASM_SUBBUILD_TARGET "${target}" PARENT_SCOPE)
endfunction()

# ---- proxy_wasm_add_plugin -------------------------------------------------------------------
function(proxy_wasm_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "NO_STRIP;JSON" "TOOLCHAIN;STACK_SIZE;ABI;ALLOCATOR;OUTPUT_NAME"
                        "SOURCES;LINK_LIBRARIES")
  set(who "proxy_wasm_add_plugin(${name})")
  set(toolchains clang wasi-sdk emscripten)
  set(abis v0_2_1 vnext)
  set(allocators sdk libc)
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "${who}: unknown arguments: ${ARG_UNPARSED_ARGUMENTS} (options: SOURCES LINK_LIBRARIES "
                        "TOOLCHAIN STACK_SIZE JSON ABI ALLOCATOR OUTPUT_NAME NO_STRIP)")
  endif()
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "${who}: SOURCES is required")
  endif()
  # A misspelt option after SOURCES would be taken for a source file.
  foreach(src ${ARG_SOURCES})
    get_filename_component(abs "${src}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${abs}" AND NOT src MATCHES "\\$<")
      get_source_file_property(generated "${abs}" GENERATED)
      if(NOT generated)
        message(FATAL_ERROR "${who}: SOURCES: no file '${src}' (a misspelt option? options: SOURCES LINK_LIBRARIES "
                            "TOOLCHAIN STACK_SIZE JSON ABI ALLOCATOR OUTPUT_NAME NO_STRIP)")
      endif()
    endif()
  endforeach()
  if(NOT ARG_TOOLCHAIN)
    set(ARG_TOOLCHAIN "${PROXY_WASM_DEFAULT_TOOLCHAIN}")
  endif()
  if(NOT ARG_TOOLCHAIN IN_LIST toolchains)
    string(REPLACE ";" ", " valid "${toolchains}")
    message(FATAL_ERROR "${who}: TOOLCHAIN '${ARG_TOOLCHAIN}' is not one of: ${valid}")
  endif()
  if(NOT ARG_ABI)
    set(ARG_ABI v0_2_1)
  endif()
  if(NOT ARG_ABI IN_LIST abis)
    string(REPLACE ";" ", " valid "${abis}")
    message(FATAL_ERROR "${who}: ABI '${ARG_ABI}' is not supported; valid: ${valid}")
  endif()
  if(NOT ARG_ALLOCATOR)
    set(ARG_ALLOCATOR "${PROXY_WASM_DEFAULT_ALLOCATOR}")
  endif()
  if(NOT ARG_ALLOCATOR IN_LIST allocators)
    string(REPLACE ";" ", " valid "${allocators}")
    message(FATAL_ERROR "${who}: ALLOCATOR '${ARG_ALLOCATOR}' is not supported; valid: ${valid}")
  endif()
  if(NOT DEFINED ARG_STACK_SIZE)
    set(ARG_STACK_SIZE 65536)
  endif()
  if(NOT ARG_STACK_SIZE MATCHES "^[0-9]+$" OR ARG_STACK_SIZE LESS 4096)
    message(FATAL_ERROR "${who}: STACK_SIZE '${ARG_STACK_SIZE}' must be a number of bytes, at least 4096")
  endif()
  math(EXPR rem "${ARG_STACK_SIZE} % 16")
  if(NOT rem EQUAL 0)
    message(FATAL_ERROR "${who}: STACK_SIZE ${ARG_STACK_SIZE} must be a multiple of 16")
  endif()
  if(NOT ARG_OUTPUT_NAME)
    set(ARG_OUTPUT_NAME "${name}")
  endif()
  set(libs ProxyWasm::sdk ${ARG_LINK_LIBRARIES})
  set(abi_definitions "")
  if(ARG_ABI STREQUAL "vnext")
    set(abi_definitions PROXY_WASM_ABI_VNEXT=1)
  endif()
  if(ARG_JSON)
    _proxy_wasm_require_json("${who}")
    list(APPEND libs ProxyWasm::json)
  endif()
  # A misspelt override of an SDK callback compiles and never runs; a hidden one too.
  set(guard_rails -Wsuggest-override -Woverloaded-virtual -Werror=suggest-override -Werror=overloaded-virtual)

  if(CMAKE_SYSTEM_PROCESSOR STREQUAL "wasm32" OR EMSCRIPTEN)
    # A sub-build of a native build makes only the plugins of its toolchain (target
    # proxy_wasm_plugins, what the native build asks it to build).
    if(PROXY_WASM_SUBBUILD_TOOLCHAIN AND NOT ARG_TOOLCHAIN STREQUAL PROXY_WASM_SUBBUILD_TOOLCHAIN)
      return()
    endif()
    if(NOT TARGET proxy_wasm_plugins)
      add_custom_target(proxy_wasm_plugins)
    endif()
    # One extra unit with the SDK's lean runtime hooks (proxy_wasm/runtime.h): trapping
    # operator new and libc++ abort, so no stdio/printf is linked and no WASI imported.
    set(runtime_source "${CMAKE_CURRENT_BINARY_DIR}/${name}_proxy_wasm_runtime.cc")
    file(CONFIGURE OUTPUT "${runtime_source}" CONTENT "#include <proxy_wasm/runtime.h>\n")
    if(ARG_ALLOCATOR STREQUAL "sdk")
      # The SDK's allocator: the runtime unit defines malloc, free and the rest, so libc's
      # is never linked (proxy_wasm/detail/allocator.h).
      set_source_files_properties("${runtime_source}" PROPERTIES COMPILE_DEFINITIONS PROXY_WASM_ALLOCATOR_SDK)
    endif()
    add_executable(${name} ${ARG_SOURCES} "${runtime_source}")
    add_dependencies(proxy_wasm_plugins ${name})
    target_link_libraries(${name} PRIVATE ${libs})
    target_compile_definitions(${name} PRIVATE ${abi_definitions})
    set_target_properties(${name} PROPERTIES SUFFIX ".wasm" CXX_EXTENSIONS OFF OUTPUT_NAME "${ARG_OUTPUT_NAME}"
      PROXY_WASM_WASM_FILE "${CMAKE_CURRENT_BINARY_DIR}/${ARG_OUTPUT_NAME}.wasm")
    target_compile_features(${name} PRIVATE cxx_std_17)
    # Link-time optimization in release builds: smaller and faster. (Not with Emscripten,
    # whose LTO would rebuild its system libraries as bitcode.)
    set(lto "")
    if(NOT EMSCRIPTEN)
      set(lto "$<$<CONFIG:Release,MinSizeRel>:-flto>")
    endif()
    target_compile_options(${name} PRIVATE
      ${lto}
      $<$<CONFIG:MinSizeRel>:-Oz>  # smallest code (MinSizeRel's default is -Os)
      -fno-exceptions            # wasm32 libc++ here has no exception support
      -fno-rtti                  # the SDK needs no RTTI; saves type_info tables
      -ffunction-sections -fdata-sections  # let --gc-sections drop what is unused
      ${guard_rails}
    )
    target_link_options(${name} PRIVATE
      ${lto}
      -Wl,--gc-sections          # drop unreferenced code and data
      # The shadow stack first, at addresses [0, STACK_SIZE), the data after it: an
      # overflow runs below 0 and traps in the offending callback (out-of-bounds access)
      # instead of silently overwriting the globals below a stack placed after the data.
      -Wl,--stack-first
    )
    if(NOT ARG_NO_STRIP)
      target_link_options(${name} PRIVATE
        $<$<CONFIG:Release,MinSizeRel>:-Wl,--strip-all>)  # no name/producers sections
    endif()
    if(EMSCRIPTEN)
      target_link_options(${name} PRIVATE
        -sSTANDALONE_WASM          # a WASI-style module: no JavaScript glue, no JS imports
        --no-entry                 # a reactor: exports _initialize instead of _start/main
        -sERROR_ON_UNDEFINED_SYMBOLS=0  # proxy_* are imports from "env", resolved by the host
        -sWARN_ON_UNDEFINED_SYMBOLS=0
        "-sEXPORTED_FUNCTIONS=['_malloc']"  # Envoy's host looks up `malloc` first
        -sALLOW_MEMORY_GROWTH=1    # grows memory; imports env.emscripten_notify_memory_growth, which hosts provide
        -sFILESYSTEM=0             # no JS file system layer
        # The stack size (Emscripten 3.1.6's name; later ones call it STACK_SIZE). Its
        # default is 5 MiB; emcc passes it to wasm-ld as -z stack-size, and -Wl,--stack-first
        # above moves the stack below its --global-base data (checked by
        # stack_layout_emscripten).
        -sTOTAL_STACK=${ARG_STACK_SIZE}
      )
      if(ARG_ALLOCATOR STREQUAL "sdk")
        # No Emscripten malloc (dlmalloc or emmalloc): the runtime unit defines it. Growth
        # then no longer calls (nor imports) env.emscripten_notify_memory_growth.
        target_link_options(${name} PRIVATE -sMALLOC=none)
      endif()
    else()
      target_link_options(${name} PRIVATE
        -mexec-model=reactor       # WASI reactor: _initialize runs constructors, no main
        -Wl,--export=malloc        # Envoy's host looks up `malloc` before proxy_on_memory_allocate
        -Wl,-z,stack-size=${ARG_STACK_SIZE}
      )
    endif()
    # The module's sha256, printed by every build: Envoy's remote code source checks it.
    add_custom_command(TARGET ${name} POST_BUILD COMMAND ${CMAKE_COMMAND} -E sha256sum $<TARGET_FILE:${name}> VERBATIM)
    return()
  endif()

  # Native: the plugin's objects, linked into its tests with the mock host.
  add_library(${name} OBJECT ${ARG_SOURCES})
  target_link_libraries(${name} PUBLIC ${libs})
  target_compile_definitions(${name} PUBLIC ${abi_definitions})
  target_compile_features(${name} PUBLIC cxx_std_17)
  set_target_properties(${name} PROPERTIES CXX_EXTENSIONS OFF POSITION_INDEPENDENT_CODE ON)
  # -fno-exceptions as in wasm; the mock host's trap unwinds through these frames.
  target_compile_options(${name} PRIVATE
    $<$<CXX_COMPILER_ID:GNU,Clang,AppleClang>:-fno-exceptions ${guard_rails}>)
  set_target_properties(${name} PROPERTIES PROXY_WASM_TOOLCHAIN "${ARG_TOOLCHAIN}" PROXY_WASM_ALLOCATOR "${ARG_ALLOCATOR}"
    PROXY_WASM_ABI "${ARG_ABI}")
  if(NOT PROXY_WASM_WASM_SUBBUILD)
    message(STATUS "proxy-wasm: plugin ${name}: native objects only, no .wasm (PROXY_WASM_WASM_SUBBUILD is OFF)")
    return()
  endif()
  # The same plugin as .wasm, from the same sources, in this project's sub-build.
  proxy_wasm_wasm_subbuild(${ARG_TOOLCHAIN})
  file(RELATIVE_PATH rel "${CMAKE_BINARY_DIR}" "${CMAKE_CURRENT_BINARY_DIR}")
  set(wasm "${PROXY_WASM_SUBBUILD_DIR}/${rel}/${ARG_OUTPUT_NAME}.wasm")
  cmake_path(NORMAL_PATH wasm)
  set_target_properties(${name} PROPERTIES PROXY_WASM_WASM_FILE "${wasm}"
    PROXY_WASM_WASM_TARGET "${PROXY_WASM_SUBBUILD_TARGET}")
endfunction()
