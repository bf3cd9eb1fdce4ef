# proxy_wasm_add_plugin(<name> SOURCES <src>... [LINK_LIBRARIES <lib>...] [NO_STRIP])
#
# One function turns C++ sources into a Proxy-Wasm plugin. It owns every flag a plugin
# needs, for each toolchain in this directory:
#   - when the compiler targets wasm32 it creates <name>.wasm (target <name>);
#   - on a native build it creates an OBJECT library <name> of the same sources, which
#     tests link together with ProxyWasm::mock (see docs/testing.md).
# Link ProxyWasm::sdk is implied. Sources are compiled as C++17 without exceptions.
include_guard(GLOBAL)

function(proxy_wasm_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "NO_STRIP" "" "SOURCES;LINK_LIBRARIES")
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "proxy_wasm_add_plugin(${name}): SOURCES is required")
  endif()

  if(CMAKE_SYSTEM_PROCESSOR STREQUAL "wasm32" OR EMSCRIPTEN)
    # One extra unit with the SDK's lean runtime hooks (proxy_wasm/runtime.h): trapping
    # operator new and libc++ abort, so no stdio/printf is linked and no WASI imported.
    set(runtime_source "${CMAKE_CURRENT_BINARY_DIR}/${name}_proxy_wasm_runtime.cc")
    file(CONFIGURE OUTPUT "${runtime_source}" CONTENT "#include <proxy_wasm/runtime.h>\n")
    add_executable(${name} ${ARG_SOURCES} "${runtime_source}")
    target_link_libraries(${name} PRIVATE ProxyWasm::sdk ${ARG_LINK_LIBRARIES})
    set_target_properties(${name} PROPERTIES SUFFIX ".wasm" CXX_EXTENSIONS OFF)
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
    )
    target_link_options(${name} PRIVATE
      ${lto}
      -Wl,--gc-sections          # drop unreferenced code and data
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
      )
    else()
      target_link_options(${name} PRIVATE
        -mexec-model=reactor       # WASI reactor: _initialize runs constructors, no main
        -Wl,--export=malloc        # Envoy's host looks up `malloc` before proxy_on_memory_allocate
      )
    endif()
  else()
    # Native: the plugin's objects, linked into its tests with the mock host.
    add_library(${name} OBJECT ${ARG_SOURCES})
    target_link_libraries(${name} PUBLIC ProxyWasm::sdk ${ARG_LINK_LIBRARIES})
    target_compile_features(${name} PUBLIC cxx_std_17)
    set_target_properties(${name} PROPERTIES CXX_EXTENSIONS OFF POSITION_INDEPENDENT_CODE ON)
    target_compile_options(${name} PRIVATE $<$<CXX_COMPILER_ID:GNU,Clang,AppleClang>:-fno-exceptions>)
  endif()
endfunction()
