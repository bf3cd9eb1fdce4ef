// The WebAssembly way in: a .wasm plugin run by wabt's interpreter, its imports bound to
// the same host model the native way in uses (proxy_wasm/host/host.h).
//
//   std::string error;
//   auto guest = proxy_wasm::engine::loadWasmGuest("plugin.wasm", &error);
//   if (!guest) { ... error ... }
//   proxy_wasm::host::Host host(std::move(guest));
//   host.startPlugin({"my_root", "config"});
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "proxy_wasm/host/guest.h"

namespace proxy_wasm::engine {

// Loads, checks (ABI.md §1.1) and instantiates a module. Nothing of the module runs
// until the Host calls into it. Returns null with a message in *error on failure.
std::unique_ptr<host::Guest> loadWasmGuest(const std::filesystem::path& path, std::string* error);
std::unique_ptr<host::Guest> loadWasmGuest(const std::vector<uint8_t>& bytes, std::string* error,
                                           const std::string& name = "module.wasm");

// Reads a whole file; false with a message on failure.
bool readFile(const std::filesystem::path& path, std::vector<uint8_t>* bytes, std::string* error);

}  // namespace proxy_wasm::engine
