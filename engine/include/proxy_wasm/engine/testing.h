// Testing any plugin .wasm — built here or by another SDK (Rust, Go, AssemblyScript, the
// official C++ SDK) — with doctest and the mock host (link ProxyWasm::engine_testing):
//
//   auto host = proxy_wasm::testing::makeHost({}, proxy_wasm::testing::WasmFile{"filter.wasm"});
//   REQUIRE(host->startPlugin() != 0);
//
// Each call is a fresh instance of the module (the file is read once per path). A file
// that cannot be read or loaded ends the test program with a message and exit status 1.
// The engine's limits come from the environment (PROXY_WASM_INSTRUCTION_BUDGET,
// PROXY_WASM_MAX_MEMORY_BYTES, PROXY_WASM_MAX_TABLE_ELEMENTS; docs/engine.md).
#pragma once

#include <filesystem>
#include <memory>
#include <utility>

#include "proxy_wasm/engine/wasm_guest.h"
#include "proxy_wasm/testing.h"

namespace proxy_wasm::testing {

// A plugin module on disk.
struct WasmFile {
  std::filesystem::path path;
};

// A fresh instance of the module.
std::unique_ptr<host::Guest> loadWasm(const WasmFile& wasm);

// A new host driving a fresh instance of the module.
inline std::unique_ptr<Host> makeHost(HostOptions options, const WasmFile& wasm) {
  return std::make_unique<Host>(loadWasm(wasm), std::move(options));
}

}  // namespace proxy_wasm::testing
