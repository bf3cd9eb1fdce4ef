# cmake --install: two components.
#   sdk      the headers, ProxyWasm::sdk, the CMake modules (proxy_wasm_add_plugin,
#            proxy_wasm_add_plugin_test, proxy_wasm_add_oci_image), the toolchain files and
#            the starter (proxy-wasm-new). Needs nothing at configure time.
#   testing  the mock host and proxy_wasm/testing.h (ProxyWasm::mock), the doctest glue
#            (proxy_wasm/testing_doctest.h, ProxyWasm::doctest_main), the engine
#            (ProxyWasm::engine, ProxyWasm::engine_testing), proxy-wasm-run and
#            proxy-wasm-check (ProxyWasm::run, ProxyWasm::check). Native builds only; its
#            users need doctest and wabt (find_package(ProxyWasm) looks for them).
# `cpack` (CPackConfig.cmake in the build tree) makes a Debian package of both components
# with the Debian packages they need declared as dependencies.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/ProxyWasm)
set(PROXY_WASM_INSTALL_TOOLCHAIN_DIR ${CMAKE_INSTALL_DATADIR}/ProxyWasm/toolchain)
set(PROXY_WASM_INSTALL_STARTER_DIR ${CMAKE_INSTALL_DATADIR}/ProxyWasm/starter)

# ---- sdk ---------------------------------------------------------------------------------------
install(DIRECTORY include/proxy_wasm DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT sdk)
install(TARGETS proxy_wasm_sdk EXPORT ProxyWasmTargets COMPONENT sdk)
install(EXPORT ProxyWasmTargets NAMESPACE ProxyWasm:: DESTINATION ${_cmake_dir} COMPONENT sdk)
configure_package_config_file(cmake/ProxyWasmConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/ProxyWasmConfig.cmake
  INSTALL_DESTINATION ${_cmake_dir}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR PROXY_WASM_INSTALL_TOOLCHAIN_DIR CMAKE_INSTALL_BINDIR)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/ProxyWasmConfigVersion.cmake
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES
  ${CMAKE_CURRENT_BINARY_DIR}/ProxyWasmConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/ProxyWasmConfigVersion.cmake
  toolchain/ProxyWasmPlugin.cmake
  cmake/ProxyWasmTesting.cmake
  cmake/ProxyWasmOci.cmake
  cmake/ProxyWasmOciImage.cmake
  cmake/RunScenario.cmake
  DESTINATION ${_cmake_dir} COMPONENT sdk)
install(FILES toolchain/wasm32-wasi-clang.cmake toolchain/wasi-sdk.cmake toolchain/emscripten.cmake
  DESTINATION ${PROXY_WASM_INSTALL_TOOLCHAIN_DIR} COMPONENT sdk)
install(PROGRAMS toolchain/assemble-wasi-sdk.sh DESTINATION ${PROXY_WASM_INSTALL_TOOLCHAIN_DIR} COMPONENT sdk)
install(PROGRAMS scripts/proxy-wasm-new DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT sdk)
install(DIRECTORY scripts/starter/ DESTINATION ${PROXY_WASM_INSTALL_STARTER_DIR} COMPONENT sdk)

# ---- testing (native builds: the libraries are built here) ------------------------------------
if(TARGET proxy_wasm_host)  # native builds with PROXY_WASM_BUILD_HOST
  install(DIRECTORY host/include/proxy_wasm engine/include/proxy_wasm
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT testing)
  set_target_properties(proxy_wasm_host PROPERTIES EXPORT_NAME host)
  set_target_properties(proxy_wasm_mock PROPERTIES EXPORT_NAME mock)
  set_target_properties(proxy_wasm_doctest_main PROPERTIES EXPORT_NAME doctest_main)
  set_target_properties(proxy_wasm_engine PROPERTIES EXPORT_NAME engine)
  set_target_properties(proxy_wasm_engine_testing PROPERTIES EXPORT_NAME engine_testing)
  set_target_properties(proxy-wasm-run PROPERTIES EXPORT_NAME run)
  set_target_properties(proxy-wasm-check PROPERTIES EXPORT_NAME check)
  install(TARGETS proxy_wasm_host proxy_wasm_mock proxy_wasm_doctest_main proxy_wasm_engine
                  proxy_wasm_engine_testing proxy-wasm-run proxy-wasm-check
    EXPORT ProxyWasmTestingTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT testing
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT testing
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT ProxyWasmTestingTargets NAMESPACE ProxyWasm:: DESTINATION ${_cmake_dir} COMPONENT testing)
endif()

# ---- The Debian package: the same install, dependencies declared -------------------------------
set(CPACK_PACKAGE_NAME "proxy-wasm-cpp")
set(CPACK_PACKAGE_VENDOR "proxy-wasm-cpp")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Header-only C++17 SDK for Proxy-Wasm plugins, with a mock host and a WebAssembly test engine")
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "proxy-wasm-cpp maintainers <proxy-wasm-cpp@invalid>")
set(CPACK_DEBIAN_PACKAGE_SECTION "devel")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_COMPONENTS_ALL sdk testing)
set(CPACK_DEB_COMPONENT_INSTALL OFF)  # one package with both components
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
# What a plugin project needs: cmake and a native compiler, the default wasm toolchain,
# nlohmann-json (ProxyWasm::json), doctest and wabt (the testing component's link
# dependencies). skopeo is for checking images by hand.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "cmake (>= 3.20), make | ninja-build, g++, clang-${PROXY_WASM_CLANG_VERSION}, lld-${PROXY_WASM_CLANG_VERSION}, wasi-libc, libc++-${PROXY_WASM_CLANG_VERSION}-dev-wasm32, libc++abi-${PROXY_WASM_CLANG_VERSION}-dev-wasm32, libclang-rt-${PROXY_WASM_CLANG_VERSION}-dev-wasm32, nlohmann-json3-dev (>= 3), doctest-dev, wabt (>= 1.0.32), tar, gzip")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "emscripten, skopeo")
set(CPACK_PACKAGE_FILE_NAME "${CPACK_PACKAGE_NAME}_${PROJECT_VERSION}")
set(CPACK_OUTPUT_FILE_PREFIX "${CMAKE_BINARY_DIR}/package")
include(CPack)
