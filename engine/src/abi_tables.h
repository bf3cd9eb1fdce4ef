// The one place that says what a v0.2.1 module may import and which exports the host
// recognises, with their wasm signatures. Shared by the loader (binding, load checks)
// and by proxy-wasm-check.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxy_wasm/engine/wasm_guest.h"
#include "proxy_wasm/host/guest.h"
#include "proxy_wasm/host/model.h"
#include "wabt/interp/interp.h"
#include "wasm_memory.h"

namespace proxy_wasm::engine {

enum class ImportKind {
  Proxy,  // env.proxy_*: the host model's ABI adapters (abi_adapter.h)
  Wasi,   // wasi_snapshot_preview1.* / wasi_unstable.*
  Extra,  // env.emscripten_notify_memory_growth, env.pthread_equal
};

// Calls the C++ implementation `fn` (type-erased) with arguments unpacked from wabt
// values. Returns the i32 result (0 for a function without result), or abi::kTrap.
using Invoker = uint32_t (*)(void (*fn)(), host::Model&, WasmMemory&, const wabt::interp::Values&);

struct ImportSpec {
  std::string module;
  std::string name;
  wabt::interp::FuncType type;
  ImportKind kind;
  // For WASI and the extras: allowed while _initialize runs / inside the allocator (the
  // host library's restricted phases). The proxy_* functions ask the host model instead.
  bool allowed_in_startup;
  bool allowed_in_allocator;
  void (*fn)();
  Invoker invoke;

  std::string qualifiedName() const { return module + "." + name; }
};

// Every function a module may import, in a fixed order.
const std::vector<ImportSpec>& importTable();
const ImportSpec* findImport(std::string_view module, std::string_view name);

// Exports the host recognises and checks: the callbacks (guest.h callbackInfo), the
// allocator under both names, and the start-up functions.
struct ExportSpec {
  std::string name;
  wabt::interp::FuncType type;
  std::optional<host::Callback> callback;  // the Guest callback it implements, if any
};
const std::vector<ExportSpec>& exportTable();
const ExportSpec* findExport(std::string_view name);

inline constexpr const char* kAbiMarker = "proxy_abi_version_0_2_1";
inline constexpr const char* kAbiMarkerPrefix = "proxy_abi_version_";

// The ABI versions proxy-wasm-cpp-host knows (its export scan picks the first function
// export named like one of them). This engine serves 0.2.1 and 0.2.0 (the same callbacks;
// 0.2.0 lacks proxy_get_log_level), not 0.1.0.
// Vnext: the 2020 draft (abi/vnext.h), which proxy-wasm-check checks (never runs: no host
// speaks it).
enum class AbiVersion { Unknown, V0_1_0, V0_2_0, V0_2_1, Vnext };

// The vNEXT draft's interface, from its lists (abi/vnext.h): every import under env with
// its wasm32 type, every callback. For checking only (no host function behind them).
struct VnextFunction {
  std::string name;
  wabt::interp::FuncType type;
};
const std::vector<VnextFunction>& vnextImports();
const std::vector<VnextFunction>& vnextExports();
inline constexpr const char* kVnextMarker = "proxy_abi_version_vnext";
// What ngx_wasm_module (the one host that names the draft) requires of a vNEXT module.
inline constexpr const char* kVnextRequiredExports[] = {"proxy_on_context_create", "proxy_on_vm_start",
                                                         "proxy_on_plugin_start"};

// "(i32, i64) -> (i32)"
std::string describe(const wabt::interp::FuncType& type);

// One reason a host would refuse the module, with the rule it breaks (docs/engine.md,
// "proxy-wasm-check").
struct LoadProblem {
  std::string rule;
  std::string message;
};
struct LoadCheck {
  AbiVersion abi = AbiVersion::Unknown;
  std::string marker;                 // the marker export that decided, if any
  std::vector<LoadProblem> problems;  // in the order a host meets them
};

// The load checks, before anything runs, with the host library's messages: ABI marker,
// imports, memory, recognised export signatures, allocator, memory and table minimums
// against `limits`.
// With `vnext`, a vNEXT draft module is checked against the draft's interface instead of
// refused (proxy-wasm-check; the loader refuses it, as every host does).
LoadCheck loadChecks(const wabt::interp::ModuleDesc& module, const EngineOptions& limits = {}, bool vnext = false);
// The first problem's message, or an empty string when the module may be loaded.
std::string checkModule(const wabt::interp::ModuleDesc& module, const EngineOptions& limits = {});

// Parses a binary module. False with a message on a malformed module.
bool parseModule(const uint8_t* data, size_t size, std::string_view name, wabt::interp::ModuleDesc* out,
                 std::string* error);

}  // namespace proxy_wasm::engine
