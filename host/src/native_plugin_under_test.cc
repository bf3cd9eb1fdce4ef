// With ProxyWasm::mock, the plugin under test is the one linked into the binary.
#include "proxy_wasm/host/native.h"
#include "proxy_wasm/testing.h"

namespace proxy_wasm::testing {
std::unique_ptr<host::Guest> pluginUnderTest() { return host::nativeGuest(); }
std::string pluginUnderTestName() { return "native"; }
}  // namespace proxy_wasm::testing
