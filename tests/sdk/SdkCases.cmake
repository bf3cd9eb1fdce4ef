# The SDK's case suites (tests/sdk/sdk_case.h), read by tests/CMakeLists.txt (the test
# executables <suite> and <suite>_wasm) and tests/wasm_plugins/CMakeLists.txt (sdk_cases.wasm):
# the plugin sdk_cases is sdk_case_plugin.cc plus every suite compiled with SDK_CASE_PLUGIN.
set(PROXY_WASM_SDK_CASE_SUITES sdk_test sdk_features_test context_test fault_test)
set(PROXY_WASM_SDK_CASE_PLUGIN_SOURCES "${CMAKE_CURRENT_LIST_DIR}/sdk_case_plugin.cc")
foreach(suite ${PROXY_WASM_SDK_CASE_SUITES})
  list(APPEND PROXY_WASM_SDK_CASE_PLUGIN_SOURCES "${CMAKE_CURRENT_LIST_DIR}/${suite}.cc")
endforeach()
