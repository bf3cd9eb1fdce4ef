// The WebAssembly way in: a .wasm plugin run by wabt's interpreter, its imports bound to
// the same host model the native way in uses (proxy_wasm/host/model.h), driven by a Host
// (proxy_wasm/host/host.h).
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
#include <optional>
#include <string>
#include <vector>

#include "proxy_wasm/host/guest.h"

namespace proxy_wasm::engine {

// Resource limits of one module instance (docs/engine.md, "Limits").
struct EngineOptions {
  // Instructions one call from the host may execute: a callback, the allocator, the start
  // function, _initialize, main or _start. Nested calls (the allocator called by a host
  // function the callback called) count toward the call they run in. Past it the call
  // traps: "execution budget of N instructions exhausted in <export>". 0: no limit.
  static constexpr uint64_t kDefaultInstructionBudget = 100'000'000;
  uint64_t instruction_budget = kDefaultInstructionBudget;
  // Linear memory cap, as proxy-wasm-cpp-host's PROXY_WASM_HOST_MAX_WASM_MEMORY_SIZE_BYTES
  // (1 GiB): memory.grow past it returns -1; a module whose minimum exceeds it is refused.
  static constexpr uint64_t kDefaultMaxMemoryBytes = uint64_t(1) << 30;
  uint64_t max_memory_bytes = kDefaultMaxMemoryBytes;
  // Table cap in elements (V8's default limit): table.grow past it returns -1; a larger
  // minimum is refused at load.
  static constexpr uint64_t kDefaultMaxTableElements = 10'000'000;
  uint64_t max_table_elements = kDefaultMaxTableElements;
};

// Options from the environment, for test executables: PROXY_WASM_INSTRUCTION_BUDGET,
// PROXY_WASM_MAX_MEMORY_BYTES, PROXY_WASM_MAX_TABLE_ELEMENTS (decimal; unset: defaults).
// False with a message when a variable is not a number.
bool engineOptionsFromEnvironment(EngineOptions* options, std::string* error);

// Parses a decimal count with an optional K/M/G suffix (powers of 1024 for bytes, of
// 1000 otherwise); nullopt when malformed.
std::optional<uint64_t> parseCount(const std::string& text, bool bytes);

// Loads, checks (the load checks of docs/engine.md) and instantiates a module. Nothing of
// the module runs until the Host calls into it (its start function runs with
// _initialize). Returns null with a message in *error on failure.
std::unique_ptr<host::Guest> loadWasmGuest(const std::filesystem::path& path, std::string* error,
                                           const EngineOptions& options = {});
std::unique_ptr<host::Guest> loadWasmGuest(const std::vector<uint8_t>& bytes, std::string* error,
                                           const std::string& name = "module.wasm",
                                           const EngineOptions& options = {});

// For tools that report what each step changed without scanning every context: once
// enabled on a guest loaded by loadWasmGuest, it records the context ids the module was
// called on (every callback's first argument) and switched to (proxy_set_effective_context);
// takeTouchedContexts returns them (sorted, each once) and forgets them. False / empty for
// any other guest.
bool trackTouchedContexts(host::Guest& guest);
std::vector<uint32_t> takeTouchedContexts(host::Guest& guest);

// Reads a whole regular file; false with a message on failure (missing, unreadable, a
// directory, empty, larger than max_bytes).
inline constexpr uint64_t kMaxModuleBytes = uint64_t(1) << 30;
bool readFile(const std::filesystem::path& path, std::vector<uint8_t>* bytes, std::string* error,
              uint64_t max_bytes = kMaxModuleBytes);

}  // namespace proxy_wasm::engine
