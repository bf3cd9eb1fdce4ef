// ProxyWasm::engine_testing: plugins as .wasm for doctest suites. pluginUnderTest() is the
// module named by the environment variable PROXY_WASM_PLUGIN_WASM (the route
// proxy_wasm_add_plugin_test uses); loadWasm(WasmFile) takes any path. Each call is a
// fresh instance; each file is read once.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "proxy_wasm/engine/testing.h"
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

const engine::EngineOptions& engineOptions() {
  static const engine::EngineOptions options = [] {
    engine::EngineOptions o;
    std::string error;
    if (!engine::engineOptionsFromEnvironment(&o, &error)) die(error);
    return o;
  }();
  return options;
}

// Each module's bytes, read once; each instance is parsed and instantiated afresh.
const std::vector<uint8_t>& wasmBytes(const std::string& path) {
  static std::map<std::string, std::vector<uint8_t>> files;
  auto it = files.find(path);
  if (it == files.end()) {
    std::vector<uint8_t> bytes;
    std::string error;
    if (!engine::readFile(path, &bytes, &error)) die(error);
    it = files.emplace(path, std::move(bytes)).first;
  }
  return it->second;
}

std::unique_ptr<host::Guest> load(const std::string& path) {
  std::string error;
  auto guest = engine::loadWasmGuest(wasmBytes(path), &error, path, engineOptions());
  if (!guest) die("cannot load " + path + ": " + error);
  return guest;
}

}  // namespace

std::unique_ptr<host::Guest> pluginUnderTest() { return load(wasmPath()); }

std::string pluginUnderTestName() { return wasmPath(); }

std::unique_ptr<host::Guest> loadWasm(const WasmFile& wasm) { return load(wasm.path.string()); }

}  // namespace proxy_wasm::testing
