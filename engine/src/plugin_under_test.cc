// With ProxyWasm::engine_testing, the plugin under test is the .wasm named by the
// environment variable PROXY_WASM_PLUGIN_WASM, in the engine: a fresh instance per call.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "proxy_wasm/engine/wasm_guest.h"
#include "proxy_wasm/testing.h"

namespace proxy_wasm::testing {
namespace {

constexpr const char* kVariable = "PROXY_WASM_PLUGIN_WASM";

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "proxy_wasm::testing: %s\n", message.c_str());
  std::fflush(stderr);
  std::exit(1);
}

std::string wasmPath() {
  const char* path = std::getenv(kVariable);
  if (!path || !*path)
    die(std::string(kVariable) + " is not set: it must name the plugin's .wasm (CTest sets it for <test>_wasm)");
  return path;
}

// The module's bytes, read once; each instance is parsed and instantiated afresh.
const std::vector<uint8_t>& wasmBytes() {
  static const std::vector<uint8_t> bytes = [] {
    std::vector<uint8_t> out;
    std::string error;
    if (!engine::readFile(wasmPath(), &out, &error)) die(error);
    return out;
  }();
  return bytes;
}

}  // namespace

std::unique_ptr<host::Guest> pluginUnderTest() {
  std::string error;
  auto guest = engine::loadWasmGuest(wasmBytes(), &error, wasmPath());
  if (!guest) die("cannot load " + wasmPath() + ": " + error);
  return guest;
}

std::string pluginUnderTestName() { return wasmPath(); }

}  // namespace proxy_wasm::testing
