// Conformance checks for a plugin module, beyond what a host needs to load it: what
// proxy-wasm-check reports.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace proxy_wasm::engine {

struct CheckReport {
  // Why a host would refuse the module (the load checks, then instantiation); empty when
  // it loads.
  std::string load_error;
  // What an SDK-built plugin should also satisfy: both allocator names, _initialize, a
  // memory exported as "memory", the marker's shape, only v0.2.1 proxy_* exports.
  std::vector<std::string> problems;
  size_t imports = 0;
  size_t exports = 0;

  bool ok() const { return load_error.empty() && problems.empty(); }
};

CheckReport checkWasmModule(const std::vector<uint8_t>& bytes, const std::string& name);

}  // namespace proxy_wasm::engine
