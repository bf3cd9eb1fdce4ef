// The engine way in on hand-written modules (WAT, assembled at test time): load checks
// with their exact messages, restricted phases, traps, bounds checks, re-entrancy, WASI.
#include <doctest/doctest.h>

#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "abi_tables.h"
#include "proxy_wasm/engine/check.h"
#include "proxy_wasm/engine/wasm_guest.h"
#include "proxy_wasm/host/abi_adapter.h"
#include "proxy_wasm/host/host.h"
#include "wat.h"

using proxy_wasm::LogLevel;
using proxy_wasm::host::Host;
using proxy_wasm::host::HostOptions;
using Logs = std::vector<std::string>;

namespace {

// A module assembled from parts; every part defaults to what a valid plugin needs.
struct Wat {
  std::string imports;  // after env.proxy_log ($log)
  std::string funcs;    // extra functions and exports
  std::string marker = "proxy_abi_version_0_2_1";
  std::string allocator_exports = R"((export "malloc") (export "proxy_on_memory_allocate"))";
  std::string allocator_body = R"(
      (local $p i32)
      (local.set $p (global.get $heap))
      (global.set $heap (i32.add (global.get $heap) (local.get $n)))
      (local.get $p))";
  std::string memory = R"((memory (export "memory") 1))";
  std::string initialize;  // the body of _initialize

  std::string text() const {
    std::string t = R"((module
  (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
)" + imports + "\n  " + memory + R"(
  (data (i32.const 16) "hello")
  (global $heap (mut i32) (i32.const 4096))
)";
    if (!marker.empty()) t += "  (func (export \"" + marker + "\"))\n";
    t += "  (func $malloc " + allocator_exports + " (param $n i32) (result i32)" + allocator_body + ")\n";
    t += "  (func (export \"_initialize\") " + initialize + ")\n";
    // Logs a status as one character ('0' + status) at INFO.
    t += R"(  (func $logStatus (param $s i32)
    (i32.store8 (i32.const 200) (i32.add (i32.const 48) (local.get $s)))
    (drop (call $log (i32.const 2) (i32.const 200) (i32.const 1))))
)";
    return t + funcs + ")\n";
  }
};

std::vector<uint8_t> assemble(const std::string& wat) {
  std::vector<uint8_t> bytes;
  std::string error;
  INFO(wat);
  REQUIRE_MESSAGE(proxy_wasm::engine::testing::watToWasm(wat, &bytes, &error), error);
  return bytes;
}

std::string loadError(const Wat& wat) {
  std::string error;
  auto guest = proxy_wasm::engine::loadWasmGuest(assemble(wat.text()), &error, "test.wasm");
  CHECK(guest == nullptr);
  return error;
}

std::unique_ptr<Host> hostFor(const Wat& wat, HostOptions options = {},
                              const proxy_wasm::engine::EngineOptions& engine = {}) {
  std::string error;
  auto guest = proxy_wasm::engine::loadWasmGuest(assemble(wat.text()), &error, "test.wasm", engine);
  REQUIRE_MESSAGE(guest != nullptr, error);
  return std::make_unique<Host>(std::move(guest), std::move(options));
}

// proxy_on_tick running `body`; the root is the first started plugin.
Wat onTick(const std::string& body, Wat wat = {}) {
  wat.funcs += "  (func (export \"proxy_on_tick\") (param $root i32)\n" + body + ")\n";
  return wat;
}

}  // namespace

TEST_CASE("a minimal module loads, starts and logs") {
  Wat wat;
  wat.funcs = R"(  (func (export "proxy_on_vm_start") (param i32 i32) (result i32)
    (drop (call $log (i32.const 2) (i32.const 16) (i32.const 5)))
    (i32.const 1)))";
  auto host = hostFor(wat);
  CHECK(host->guest().describe() == "test.wasm");
  CHECK(host->startPlugin() != 0);
  CHECK(host->logs(LogLevel::Info) == Logs{"hello"});
  CHECK(host->violations().empty());
}

TEST_CASE("load checks: the ABI version marker") {
  Wat wat;
  wat.marker = "";
  CHECK(loadError(wat) ==
        "Missing or unknown Proxy-Wasm ABI version: no function export proxy_abi_version_0_2_1 (nor 0_2_0 or 0_1_0)");
  wat.marker = "proxy_abi_version_vnext";
  CHECK(loadError(wat) ==
        "Missing or unknown Proxy-Wasm ABI version: the module exports proxy_abi_version_vnext, the marker of the "
        "unreleased draft ABI, which proxy-wasm-cpp-host does not know; this tool speaks ABI 0.2.1 (export "
        "proxy_abi_version_0_2_1)");
  wat.marker = "proxy_abi_version_0_1_0";
  CHECK(loadError(wat) ==
        "this tool speaks ABI 0.2.1; the module declares proxy_abi_version_0_1_0 (ABI 0.1.0: other host functions, "
        "two-argument header callbacks), which it can neither check nor run");
}

TEST_CASE("ABI 0.2.0 (the Go SDK's marker) loads as the host library loads it: without proxy_get_log_level") {
  Wat wat = onTick("(call $logStatus (i32.const 0))");
  wat.marker = "proxy_abi_version_0_2_0";
  auto host = hostFor(wat);
  host->tick(host->startPlugin());
  CHECK(host->logs(LogLevel::Info) == Logs{"0"});
  wat.imports = R"((import "env" "proxy_get_log_level" (func (param i32) (result i32))))";
  CHECK(loadError(wat) == "Failed to load Wasm module due to a missing import: env.proxy_get_log_level");
}

TEST_CASE("load checks: the allocator") {
  Wat wat;
  wat.allocator_exports = "";
  CHECK(loadError(wat) == "Wasm module is missing malloc function (export proxy_on_memory_allocate or malloc)");
  // Either name is enough to load.
  wat.allocator_exports = R"((export "malloc"))";
  CHECK(hostFor(wat)->startPlugin() != 0);
  wat.allocator_exports = R"((export "proxy_on_memory_allocate"))";
  CHECK(hostFor(wat)->startPlugin() != 0);
}

TEST_CASE("load checks: a memory") {
  Wat wat;
  wat.memory = "(memory 1)";  // defined but not exported: the host cannot reach it
  CHECK(loadError(wat) == "Wasm module has no memory (export its linear memory)");
  wat.memory = R"((import "env" "memory" (memory 1)))";  // imported: the engine provides it
  CHECK(hostFor(wat)->startPlugin() != 0);
}

TEST_CASE("load checks: imports") {
  Wat wat;
  wat.imports = R"((import "env" "proxy_get_configuration" (func (param i32 i32) (result i32))))";
  CHECK(loadError(wat) == "Failed to load Wasm module due to a missing import: env.proxy_get_configuration");
  wat.imports = R"((import "env" "proxy_set_tick_period_milliseconds" (func (param i32 i32) (result i32))))";
  CHECK(loadError(wat) ==
        "Failed to load Wasm module due to an import type mismatch: env.proxy_set_tick_period_milliseconds "
        "(want (i32) -> (i32), got (i32, i32) -> (i32))");
  wat.imports = R"((import "env" "proxy_increment_metric" (func (param i32 i32) (result i32))))";
  CHECK(loadError(wat) ==
        "Failed to load Wasm module due to an import type mismatch: env.proxy_increment_metric "
        "(want (i32, i64) -> (i32), got (i32, i32) -> (i32))");
  wat.imports = R"((import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32) (result i32))))";
  CHECK(loadError(wat) ==
        "Failed to load Wasm module due to an import type mismatch: wasi_snapshot_preview1.fd_write "
        "(want (i32, i32, i32, i32) -> (i32), got (i32, i32, i32) -> (i32))");
  wat.imports = R"((import "env" "abort" (func)))";
  CHECK(loadError(wat) == "Failed to load Wasm module due to a missing import: env.abort");
  wat.imports = R"((import "env" "some_global" (global i32)))";
  CHECK(loadError(wat) ==
        "Failed to load Wasm module due to a missing import: env.some_global (hosts provide functions, a memory and "
        "a table, no globals or tags)");

  // What Envoy's host registers for 0.2.1 loads: WASI under both names and the extras.
  wat.imports = R"(
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "clock_time_get" (func (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
  (import "env" "emscripten_notify_memory_growth" (func (param i32)))
  (import "env" "pthread_equal" (func (param i32 i32) (result i32)))
  (import "env" "proxy_get_log_level" (func (param i32) (result i32))))";
  CHECK(hostFor(wat)->startPlugin() != 0);
}

TEST_CASE("load checks: callback signatures") {
  Wat wat;
  wat.funcs = R"(  (func (export "proxy_on_tick") (param i32 i32)))";
  CHECK(loadError(wat) == "Bad function signature for: proxy_on_tick (want (i32) -> (), got (i32, i32) -> ())");
  wat.funcs = R"(  (func (export "proxy_on_request_headers") (param i32 i32) (result i32) (i32.const 0)))";
  CHECK(loadError(wat) ==
        "Bad function signature for: proxy_on_request_headers (want (i32, i32, i32) -> (i32), got (i32, i32) -> "
        "(i32))");
  wat.funcs = R"(  (func (export "main") (result i32) (i32.const 0)))";
  CHECK(loadError(wat) == "Bad function signature for: main (want (i32, i32) -> (i32), got () -> (i32))");
  wat = Wat{};
  wat.allocator_exports = R"((export "proxy_on_memory_allocate"))";
  wat.funcs = R"(  (func (export "malloc") (param i64) (result i32) (i32.const 0)))";
  CHECK(loadError(wat) == "Bad function signature for: malloc (want (i32) -> (i32), got (i64) -> (i32))");
  // Unknown exports are not the host's business.
  wat = Wat{};
  wat.funcs = R"(  (func (export "proxy_on_something_else") (param i64)))";
  CHECK(hostFor(wat)->startPlugin() != 0);
}

TEST_CASE("load checks: not a module") {
  std::string error;
  CHECK(proxy_wasm::engine::loadWasmGuest(std::vector<uint8_t>{0, 'a', 's', 'n', 1, 0, 0}, &error) == nullptr);
  CHECK(error.rfind("Failed to parse Wasm module: ", 0) == 0);
  CHECK(proxy_wasm::engine::loadWasmGuest(std::filesystem::path("/nonexistent/plugin.wasm"), &error) == nullptr);
  CHECK(error == "cannot open /nonexistent/plugin.wasm: No such file or directory");
}

TEST_CASE("only proxy_log is allowed during _initialize: anything else traps with restricted_callback") {
  Wat wat;
  wat.imports = R"((import "env" "proxy_get_property" (func $get_property (param i32 i32 i32 i32) (result i32))))";
  wat.initialize = R"(
    (drop (call $log (i32.const 2) (i32.const 16) (i32.const 5)))
    (drop (call $get_property (i32.const 16) (i32.const 5) (i32.const 100) (i32.const 104)))
    (drop (call $log (i32.const 2) (i32.const 16) (i32.const 5))))";
  auto host = hostFor(wat);
  CHECK(host->startPlugin() == 0);
  CHECK(host->failed());
  CHECK(host->failure() ==
        "_initialize failed: restricted_callback: env.proxy_get_property called during module start-up "
        "(_initialize)");
  CHECK(host->logs(LogLevel::Info) == Logs{"hello"});  // the module did not go on
  CHECK(host->violations().size() == 1);
}

TEST_CASE("WASI calls Envoy refuses during _initialize trap too") {
  Wat wat;
  wat.imports = R"((import "wasi_snapshot_preview1" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32))))";
  wat.initialize = "(drop (call $seek (i32.const 1) (i64.const 0) (i32.const 0) (i32.const 100)))";
  auto host = hostFor(wat);
  CHECK(host->startPlugin() == 0);
  CHECK(host->failure() ==
        "_initialize failed: restricted_callback: wasi_snapshot_preview1.fd_seek called during module start-up "
        "(_initialize)");
  CHECK(host->violations().size() == 1);
}

TEST_CASE("a trap in a callback fails the VM, names the callback, and refuses later calls") {
  Wat wat = onTick("(unreachable)");
  wat.funcs += R"(  (func (export "proxy_on_configure") (param i32 i32) (result i32)
    (drop (call $log (i32.const 2) (i32.const 16) (i32.const 5)))
    (i32.const 1)))";
  auto host = hostFor(wat);
  const uint32_t root = host->startPlugin();
  REQUIRE(root != 0);
  CHECK(host->logs(LogLevel::Info) == Logs{"hello"});
  host->tick(root);
  CHECK(host->failed());
  CHECK(host->failure() == "trap in proxy_on_tick: unreachable executed");
  CHECK_FALSE(host->configure(root, "again"));
  host->tick(root);
  CHECK(host->logs(LogLevel::Info) == Logs{"hello"});
  CHECK(host->failure() == "trap in proxy_on_tick: unreachable executed");
}

TEST_CASE("out-of-bounds pointers are refused with InvalidMemoryAccess") {
  // One page: 65536 bytes.
  auto host = hostFor(onTick(R"(
    (call $logStatus (call $log (i32.const 2) (i32.const 65536) (i32.const 5)))
    (call $logStatus (call $log (i32.const 2) (i32.const 65534) (i32.const 5)))
    (call $logStatus (call $log (i32.const 2) (i32.const -1) (i32.const 2)))
    (call $logStatus (call $log (i32.const 2) (i32.const 16) (i32.const -1)))
    (call $logStatus (call $log (i32.const 9) (i32.const 65536) (i32.const 5))))"));
  const uint32_t root = host->startPlugin();
  host->tick(root);
  CHECK_FALSE(host->failed());
  CHECK(host->logs(LogLevel::Info) == Logs{"6", "6", "6", "6", "2"});  // enum range is checked first
}

TEST_CASE("address 0 with a size is in bounds, and so is an empty range at the end") {
  auto host = hostFor(onTick(R"(
    (call $logStatus (call $log (i32.const 4) (i32.const 0) (i32.const 3)))
    (call $logStatus (call $log (i32.const 4) (i32.const 65536) (i32.const 0))))"));
  host->tick(host->startPlugin());
  CHECK(host->logs(LogLevel::Error) == Logs{std::string(3, '\0'), ""});
  CHECK(host->logs(LogLevel::Info) == Logs{"0", "0"});
}

TEST_CASE("out-params outside memory are refused") {
  Wat wat = onTick(R"(
    (call $logStatus (call $level (i32.const 65533)))
    (call $logStatus (call $level (i32.const 65532))))");
  wat.imports = R"((import "env" "proxy_get_log_level" (func $level (param i32) (result i32))))";
  auto host = hostFor(wat);
  host->tick(host->startPlugin());
  CHECK(host->logs(LogLevel::Info) == Logs{"6", "0"});
}

TEST_CASE("host-to-module data goes through the allocator, re-entering the module") {
  Wat wat = onTick(R"(
    (call $logStatus (call $get_buffer (i32.const 6) (i32.const 0) (i32.const -1) (i32.const 100) (i32.const 104)))
    (drop (call $log (i32.const 2) (i32.load (i32.const 100)) (i32.load (i32.const 104))))
    (call $logStatus (call $get_buffer (i32.const 6) (i32.const 0) (i32.const -1) (i32.const 100) (i32.const 104)))
    (drop (call $log (i32.const 2) (i32.load (i32.const 100)) (i32.load (i32.const 104)))))");
  wat.imports =
      R"((import "env" "proxy_get_buffer_bytes" (func $get_buffer (param i32 i32 i32 i32 i32) (result i32))))";
  HostOptions options;
  options.vm_configuration = "vm config";
  auto host = hostFor(wat, options);
  host->tick(host->startPlugin());
  CHECK_FALSE(host->failed());
  CHECK(host->logs(LogLevel::Info) == Logs{"0", "vm config", "0", "vm config"});
}

TEST_CASE("only malloc is enough: the allocator falls back to it") {
  Wat wat = onTick(R"(
    (call $logStatus (call $get_buffer (i32.const 6) (i32.const 0) (i32.const -1) (i32.const 100) (i32.const 104)))
    (drop (call $log (i32.const 2) (i32.load (i32.const 100)) (i32.load (i32.const 104)))))");
  wat.allocator_exports = R"((export "malloc"))";
  wat.imports =
      R"((import "env" "proxy_get_buffer_bytes" (func $get_buffer (param i32 i32 i32 i32 i32) (result i32))))";
  HostOptions options;
  options.vm_configuration = "cfg";
  auto host = hostFor(wat, options);
  host->tick(host->startPlugin());
  CHECK(host->logs(LogLevel::Info) == Logs{"0", "cfg"});
}

TEST_CASE("an allocator returning 0 makes the host function return InvalidMemoryAccess") {
  Wat wat = onTick(R"(
    (call $logStatus (call $get_buffer (i32.const 6) (i32.const 0) (i32.const -1) (i32.const 100) (i32.const 104))))");
  wat.allocator_body = "(i32.const 0)";
  wat.imports =
      R"((import "env" "proxy_get_buffer_bytes" (func $get_buffer (param i32 i32 i32 i32 i32) (result i32))))";
  HostOptions options;
  options.vm_configuration = "cfg";
  auto host = hostFor(wat, options);
  host->tick(host->startPlugin());
  CHECK_FALSE(host->failed());
  CHECK(host->logs(LogLevel::Info) == Logs{"6"});
}

TEST_CASE("an allocation that does not fit in memory is refused with InvalidMemoryAccess") {
  Wat wat = onTick(R"(
    (call $logStatus (call $get_buffer (i32.const 6) (i32.const 0) (i32.const -1) (i32.const 100) (i32.const 104))))");
  wat.allocator_body = "(i32.const 65534)";
  wat.imports =
      R"((import "env" "proxy_get_buffer_bytes" (func $get_buffer (param i32 i32 i32 i32 i32) (result i32))))";
  HostOptions options;
  options.vm_configuration = "cfg";
  auto host = hostFor(wat, options);
  host->tick(host->startPlugin());
  CHECK(host->logs(LogLevel::Info) == Logs{"6"});
}

TEST_CASE("a trap in the allocator under a host function traps the module, which does not resume") {
  Wat wat = onTick(R"(
    (drop (call $get_buffer (i32.const 6) (i32.const 0) (i32.const -1) (i32.const 100) (i32.const 104)))
    (call $logStatus (i32.const 0)))");
  wat.allocator_body = "(unreachable)";
  wat.imports =
      R"((import "env" "proxy_get_buffer_bytes" (func $get_buffer (param i32 i32 i32 i32 i32) (result i32))))";
  HostOptions options;
  options.vm_configuration = "cfg";
  auto host = hostFor(wat, options);
  const uint32_t root = host->startPlugin();
  host->tick(root);
  CHECK(host->failed());
  CHECK(host->failure() == "trap in proxy_on_memory_allocate: unreachable executed");
  CHECK(host->logs(LogLevel::Info).empty());
  host->tick(root);
  CHECK(host->logs(LogLevel::Info).empty());
}

TEST_CASE("inside the allocator only logging is allowed") {
  Wat wat = onTick(R"(
    (drop (call $get_buffer (i32.const 6) (i32.const 0) (i32.const -1) (i32.const 100) (i32.const 104))))");
  wat.allocator_body = R"(
    (drop (call $log (i32.const 2) (i32.const 16) (i32.const 5)))
    (drop (call $level (i32.const 100)))
    (i32.const 1024))";
  wat.imports = R"(
  (import "env" "proxy_get_buffer_bytes" (func $get_buffer (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_get_log_level" (func $level (param i32) (result i32))))";
  HostOptions options;
  options.vm_configuration = "cfg";
  auto host = hostFor(wat, options);
  host->tick(host->startPlugin());
  CHECK(host->failure() ==
        "trap in proxy_on_memory_allocate: restricted_callback: env.proxy_get_log_level called inside the "
        "allocator");
  CHECK(host->logs(LogLevel::Info) == Logs{"hello"});
  CHECK(host->violations().size() == 1);
}

TEST_CASE("WASI: stdout and stderr become logs, clocks follow the host") {
  Wat wat = onTick(R"(
    ;; iovecs at 300: "hel" + "lo\n"
    (i32.store (i32.const 300) (i32.const 400)) (i32.store (i32.const 304) (i32.const 3))
    (i32.store (i32.const 308) (i32.const 403)) (i32.store (i32.const 312) (i32.const 3))
    (i64.store (i32.const 400) (i64.const 0x0a6f6c6c6568))
    (call $logStatus (call $fd_write (i32.const 1) (i32.const 300) (i32.const 2) (i32.const 320)))
    (call $logStatus (i32.load (i32.const 320)))
    (call $logStatus (call $fd_write (i32.const 2) (i32.const 300) (i32.const 1) (i32.const 320)))
    (call $logStatus (call $fd_write (i32.const 3) (i32.const 300) (i32.const 1) (i32.const 320)))
    (call $logStatus (call $fd_write (i32.const 1) (i32.const 65530) (i32.const 1) (i32.const 320)))
    (call $logStatus (call $clock (i32.const 0) (i64.const 1) (i32.const 500)))
    (if (i64.ne (i64.load (i32.const 500)) (i64.const 1000000000000)) (then unreachable))
    (call $logStatus (call $clock (i32.const 1) (i64.const 1) (i32.const 500)))
    (call $logStatus (i32.sub (call $clock (i32.const 7) (i64.const 1) (i32.const 500)) (i32.const 50)))
    (call $logStatus (call $random (i32.const 600) (i32.const 16)))
    (call $logStatus (call $env_sizes (i32.const 600) (i32.const 604)))
    (call $proc_exit (i32.const 3)))");
  wat.imports = R"(
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32))))";
  HostOptions options;
  options.start_time_ns = 1000000000000;
  auto host = hostFor(wat, options);
  host->tick(host->startPlugin());
  CHECK_FALSE(host->failed());
  // '0' + 21 = 'E' (FAULT), '0' + 8 (BADF), '0' + 58 - 50 (NOTSUP).
  CHECK(host->logs(LogLevel::Info) == Logs{"hello", "0", "6", "0", "8", "E", "0", "0", "8", "0", "0"});
  CHECK(host->logs(LogLevel::Error) == Logs{"hel", "wasi proc_exit(3) ignored"});
}

TEST_CASE("every proxy_* host function is bound through the adapters, with its wasm type") {
  size_t adapters = 0;
  proxy_wasm::host::abi::forEachHostFunction<proxy_wasm::engine::WasmMemory>([&](const char* name, auto) {
    ++adapters;
    const auto* spec = proxy_wasm::engine::findImport("env", name);
    REQUIRE(spec != nullptr);
    CHECK(spec->kind == proxy_wasm::engine::ImportKind::Proxy);
  });
  CHECK(adapters == 39);
  CHECK(proxy_wasm::engine::describe(proxy_wasm::engine::findImport("env", "proxy_record_metric")->type) ==
        "(i32, i64) -> (i32)");
  CHECK(proxy_wasm::engine::describe(proxy_wasm::engine::findImport("env", "proxy_send_local_response")->type) ==
        "(i32, i32, i32, i32, i32, i32, i32, i32) -> (i32)");
  CHECK(proxy_wasm::engine::findImport("env", "proxy_get_configuration") == nullptr);  // v0.1.0 only
}

// ---- proxy-wasm-check: one case per rule ---------------------------------------------

namespace {

using proxy_wasm::engine::CheckReport;

CheckReport check(const Wat& wat) { return proxy_wasm::engine::checkWasmModule(assemble(wat.text()), "test.wasm"); }

// "rule: message" of each error / warning.
std::vector<std::string> errors(const CheckReport& r) {
  std::vector<std::string> out;
  for (const auto& f : r.errors) out.push_back(f.rule + ": " + f.message);
  return out;
}
std::vector<std::string> warnings(const CheckReport& r) {
  std::vector<std::string> out;
  for (const auto& f : r.warnings) out.push_back(f.rule + ": " + f.message);
  return out;
}

}  // namespace

TEST_CASE("check: a module as this SDK builds it has neither errors nor warnings") {
  const auto r = check(Wat{});
  CHECK(errors(r).empty());
  CHECK(warnings(r).empty());
  CHECK(r.ok(/*strict=*/true));
  CHECK(r.abi == "0.2.1");
}

TEST_CASE("check rule wasm-parse") {
  const auto r = proxy_wasm::engine::checkWasmModule({0, 'a', 's', 'm', 1, 0, 0}, "t.wasm");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].rule == "wasm-parse");
  CHECK(r.errors[0].message.rfind("Failed to parse Wasm module: ", 0) == 0);
}

TEST_CASE("check rule abi-marker and abi-version") {
  Wat wat;
  wat.marker = "";
  CHECK(errors(check(wat)) == std::vector<std::string>{
                                  "abi-marker: Missing or unknown Proxy-Wasm ABI version: no function export "
                                  "proxy_abi_version_0_2_1 (nor 0_2_0 or 0_1_0)"});
  wat.marker = "proxy_abi_version_0_1_0";
  CHECK(check(wat).errors.at(0).rule == "abi-version");
  CHECK_FALSE(check(wat).ok());
  // 0.2.0: loads in the host library; a warning only.
  wat.marker = "proxy_abi_version_0_2_0";
  const auto r = check(wat);
  CHECK(r.ok());
  CHECK_FALSE(r.ok(/*strict=*/true));
  CHECK(r.abi == "0.2.0");
  CHECK(warnings(r) == std::vector<std::string>{
                           "abi-version: this tool speaks ABI 0.2.1; the module declares proxy_abi_version_0_2_0: "
                           "the host library loads it as ABI 0.2.0 (the callbacks of 0.2.1, its host functions but "
                           "proxy_get_log_level), and so does this tool"});
}

// The vNEXT draft's interface, written here from the draft (fc772fa + f1b5253 + cc53262):
// a module that has it passes; each departure is named.
TEST_CASE("check: a vNEXT draft module is checked against the draft's interface") {
  Wat wat;
  wat.marker = "proxy_abi_version_vnext";
  // proxy_log is the draft's too, with the same wasm type (i32, i32, i32) -> i32.
  wat.imports = R"((import "env" "proxy_get_map_values" (func (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_set_metric_value" (func (param i32 i64) (result i32))))";
  const std::string required = R"(
  (func (export "proxy_on_context_create") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_plugin_start") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_context_finalize") (param i32) (result i32) (i32.const 1))
  (func (export "proxy_on_timer_ready") (param i32))
  (func (export "proxy_on_http_request_trailers") (param i32 i32 i32) (result i32) (i32.const 1)))";
  wat.funcs = required;
  auto r = check(wat);
  CHECK(r.abi == "vNEXT");
  CHECK(errors(r).empty());
  CHECK(warnings(r).empty());

  // A v0.2.1 host function, a wrong type, a v0.2.1 callback shape and a missing required
  // callback are each an error.
  wat.imports = R"((import "env" "proxy_get_header_map_value" (func (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_set_metric_value" (func (param i32 i32) (result i32))))";
  wat.funcs = R"(
  (func (export "proxy_on_context_create") (param i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (i32.const 0)))";
  r = check(wat);
  CHECK(r.abi == "vNEXT");
  CHECK(errors(r) ==
        std::vector<std::string>{
            "import-missing: the vNEXT draft has no host function env.proxy_get_header_map_value (it is ABI 0.2.1's)",
            "import-type: import type mismatch: env.proxy_set_metric_value (the draft's is (i32, i64) -> (i32), got "
            "(i32, i32) -> (i32))",
            "export-signature: Bad function signature for: proxy_on_context_create (the draft's is (i32, i32, i32) "
            "-> (i32), got (i32, i32) -> (i32))",
            "export-signature: a vNEXT module must export proxy_on_plugin_start (ngx_wasm_module refuses one "
            "without it)"});
  CHECK(warnings(r) == std::vector<std::string>{
                           "export-not-called: exports proxy_on_request_headers, which is no callback of the vNEXT "
                           "draft"});

  // The loader (a host) still refuses it: no host speaks the draft.
  wat.imports.clear();
  wat.funcs = required;
  CHECK(loadError(wat).rfind("Missing or unknown Proxy-Wasm ABI version: the module exports proxy_abi_version_vnext", 0) == 0);
}

TEST_CASE("check rules import-missing and import-type") {
  Wat wat;
  wat.imports = R"((import "env" "proxy_get_configuration" (func (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32) (result i32))))";
  CHECK(errors(check(wat)) ==
        std::vector<std::string>{
            "import-missing: Failed to load Wasm module due to a missing import: env.proxy_get_configuration",
            "import-type: Failed to load Wasm module due to an import type mismatch: wasi_snapshot_preview1.fd_write "
            "(want (i32, i32, i32, i32) -> (i32), got (i32, i32, i32) -> (i32))"});
}

TEST_CASE("check rule memory") {
  Wat wat;
  wat.memory = "(memory 1)";
  CHECK(errors(check(wat)) ==
        std::vector<std::string>{"memory: Wasm module has no memory (export its linear memory)"});
}

TEST_CASE("check rule export-signature") {
  Wat wat;
  wat.funcs = R"(  (func (export "proxy_on_tick") (param i32 i32)))";
  CHECK(errors(check(wat)) == std::vector<std::string>{"export-signature: Bad function signature for: proxy_on_tick "
                                                       "(want (i32) -> (), got (i32, i32) -> ())"});
}

TEST_CASE("check rule allocator, and one-allocator") {
  Wat wat;
  wat.allocator_exports = "";
  CHECK(errors(check(wat)) == std::vector<std::string>{"allocator: Wasm module is missing malloc function (export "
                                                       "proxy_on_memory_allocate or malloc)"});
  wat.allocator_exports = R"((export "malloc"))";
  auto r = check(wat);
  CHECK(r.ok());
  CHECK(warnings(r) == std::vector<std::string>{"one-allocator: exports only malloc (the host accepts it; this SDK "
                                                "exports both names)"});
  wat.allocator_exports = R"((export "proxy_on_memory_allocate"))";
  CHECK(check(wat).warnings.at(0).rule == "one-allocator");
}

TEST_CASE("check rules memory-limit and table-limit") {
  Wat wat;
  wat.memory = R"((memory (export "memory") 16385))";
  wat.funcs = "  (table 10000001 funcref)\n";
  CHECK(errors(check(wat)) ==
        std::vector<std::string>{
            "memory-limit: Failed to load Wasm module: its memory needs 16385 pages (1073807360 bytes) at least, over "
            "the VM memory limit of 1073741824 bytes (16384 pages)",
            "table-limit: Failed to load Wasm module: a table needs 10000001 elements at least, over the table limit "
            "of 10000000"});
}

TEST_CASE("check rule start-calls-host: read, not run (the start function never ends)") {
  Wat wat;
  wat.funcs = R"(  (func $start (call $helper) (loop $l (br $l)))
  (func $helper (call $logStatus (i32.const 1)))
  (start $start)
)";
  const auto r = check(wat);  // returns: the endless start function is not run
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].rule == "start-calls-host");
  CHECK(r.errors[0].message.find("calls the host: env.proxy_log;") != std::string::npos);
  // A start function that only computes is fine (AssemblyScript's top-level code).
  Wat ok;
  ok.funcs = "  (global $g (mut i32) (i32.const 0))\n  (func $start (global.set $g (i32.const 1)))\n  (start $start)\n";
  CHECK(check(ok).ok(/*strict=*/true));
}

TEST_CASE("check rule instantiate") {
  Wat wat;
  wat.funcs = R"(  (data (i32.const 70000) "x"))";
  const auto r = check(wat);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].rule == "instantiate");
  CHECK(r.errors[0].message.rfind("Failed to instantiate Wasm module: ", 0) == 0);
}

TEST_CASE("check warnings: marker-shape, extra-marker, entry-point, memory-name, export-not-called") {
  Wat wat;
  wat.marker = "";
  wat.memory = R"((memory (export "mem") 1))";
  wat.funcs = R"(  (func (export "proxy_abi_version_0_2_1") (param i32))
  (func (export "proxy_abi_version_0_2_0"))
  (func (export "proxy_validate_configuration") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_request_metadata") (param i32 i32) (result i32) (i32.const 0))
)";
  std::string text = wat.text();
  text.replace(text.find(R"((func (export "_initialize") ))"), 30, R"((func (export "_start") ))");
  const auto r = proxy_wasm::engine::checkWasmModule(assemble(text), "t.wasm");
  CHECK(errors(r).empty());
  CHECK(warnings(r) ==
        std::vector<std::string>{
            "marker-shape: proxy_abi_version_0_2_1 should be () -> (), is (i32) -> ()",
            "extra-marker: exports proxy_abi_version_0_2_0 besides proxy_abi_version_0_2_1 (the host takes the first "
            "it finds: proxy_abi_version_0_2_1)",
            "entry-point: no _initialize: a WASI command (_start), which the host runs once at start-up",
            "memory-name: the memory is not exported as \"memory\"",
            "export-not-called: exports proxy_validate_configuration, which a v0.2.1 host never calls (from an older "
            "interface)",
            "export-not-called: exports proxy_on_request_metadata, which a v0.2.1 host never calls (from an older "
            "interface)"});
}

TEST_CASE("every rule has a test above and a line in checkRules()") {
  std::set<std::string> ids;
  for (const auto& r : proxy_wasm::engine::checkRules()) ids.insert(r.id);
  CHECK(ids == std::set<std::string>{"wasm-parse", "abi-marker", "abi-version", "import-missing", "import-type",
                                     "memory", "export-signature", "allocator", "memory-limit", "table-limit",
                                     "start-calls-host", "instantiate", "marker-shape", "extra-marker",
                                     "one-allocator", "entry-point", "memory-name", "export-not-called"});
}

// ---- Limits: instruction budget, memory and table caps -------------------------------

namespace {

proxy_wasm::engine::EngineOptions budget(uint64_t instructions) {
  proxy_wasm::engine::EngineOptions o;
  o.instruction_budget = instructions;
  return o;
}

// A loop of `n` iterations (about 8 instructions each), then a log of "0".
std::string countedLoop(const std::string& n) {
  return R"(
    (local $i i32)
    (local.set $i (i32.const )" + n + R"())
    (block $done (loop $again
      (br_if $done (i32.eqz (local.get $i)))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (br $again)))
    (call $logStatus (i32.const 0)))";
}

const char* kForever = "(loop $l (br $l))";

}  // namespace

TEST_CASE("an endless loop in a callback exhausts the budget: a trap naming the callback, no hang") {
  auto host = hostFor(onTick(kForever), {}, budget(10000));
  const uint32_t root = host->startPlugin();
  REQUIRE(root != 0);
  host->tick(root);
  CHECK(host->failed());
  CHECK(host->failure() ==
        "trap in proxy_on_tick: execution budget of 10000 instructions exhausted in proxy_on_tick");
  host->tick(root);  // refused afterwards, as after any trap
  CHECK(host->logs(LogLevel::Info).empty());
}

TEST_CASE("the budget is per call and counts instructions") {
  // 1000 iterations take about 8000 instructions: within 20000, twice (each tick starts
  // afresh), but not within 2000.
  auto host = hostFor(onTick(countedLoop("1000")), {}, budget(20000));
  const uint32_t root = host->startPlugin();
  host->tick(root);
  host->tick(root);
  CHECK_FALSE(host->failed());
  CHECK(host->logs(LogLevel::Info) == Logs{"0", "0"});

  auto tight = hostFor(onTick(countedLoop("1000")), {}, budget(2000));
  tight->tick(tight->startPlugin());
  CHECK(tight->failed());
  CHECK(tight->logs(LogLevel::Info).empty());

  // 0 = no limit.
  auto unlimited = hostFor(onTick(countedLoop("100000")), {}, budget(0));
  unlimited->tick(unlimited->startPlugin());
  CHECK(unlimited->logs(LogLevel::Info) == Logs{"0"});
}

TEST_CASE("an endless allocator under a host function exhausts the callback's budget") {
  Wat wat = onTick(R"(
    (drop (call $get_buffer (i32.const 6) (i32.const 0) (i32.const -1) (i32.const 100) (i32.const 104)))
    (call $logStatus (i32.const 0)))");
  wat.allocator_body = std::string(kForever) + "(i32.const 0)";
  wat.imports =
      R"((import "env" "proxy_get_buffer_bytes" (func $get_buffer (param i32 i32 i32 i32 i32) (result i32))))";
  HostOptions options;
  options.vm_configuration = "cfg";
  auto host = hostFor(wat, options, budget(5000));
  host->tick(host->startPlugin());
  CHECK(host->failed());
  CHECK(host->failure() ==
        "trap in proxy_on_memory_allocate: execution budget of 5000 instructions exhausted in "
        "proxy_on_memory_allocate");
  CHECK(host->logs(LogLevel::Info).empty());
}

TEST_CASE("allocations made for a callback count toward the callback's budget") {
  // Ten copies of the VM configuration into the plugin; each allocation runs a loop of
  // 500 iterations (about 4000 instructions).
  Wat wat = onTick(R"(
    (local $i i32)
    (local.set $i (i32.const 10))
    (block $done (loop $again
      (br_if $done (i32.eqz (local.get $i)))
      (drop (call $get_buffer (i32.const 6) (i32.const 0) (i32.const -1) (i32.const 100) (i32.const 104)))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (br $again)))
    (call $logStatus (i32.const 0)))");
  wat.imports =
      R"((import "env" "proxy_get_buffer_bytes" (func $get_buffer (param i32 i32 i32 i32 i32) (result i32))))";
  wat.allocator_body = R"(
      (local $p i32)
      (local $k i32)
      (local.set $k (i32.const 500))
      (block $done (loop $again
        (br_if $done (i32.eqz (local.get $k)))
        (local.set $k (i32.sub (local.get $k) (i32.const 1)))
        (br $again)))
      (local.set $p (global.get $heap))
      (global.set $heap (i32.add (global.get $heap) (local.get $n)))
      (local.get $p))";
  HostOptions options;
  options.vm_configuration = "cfg";
  // Each allocation alone fits in 20000 instructions; ten of them do not.
  auto tight = hostFor(wat, options, budget(20000));
  tight->tick(tight->startPlugin());
  CHECK(tight->failed());
  CHECK(tight->failure().find("execution budget of 20000 instructions exhausted") != std::string::npos);
  auto roomy = hostFor(wat, options, budget(200000));
  roomy->tick(roomy->startPlugin());
  CHECK_FALSE(roomy->failed());
  CHECK(roomy->logs(LogLevel::Info) == Logs{"0"});
}

TEST_CASE("an endless _initialize exhausts its budget: the plugin does not start") {
  Wat wat;
  wat.initialize = kForever;
  auto host = hostFor(wat, {}, budget(5000));
  CHECK(host->startPlugin() == 0);
  CHECK(host->failure() == "_initialize failed: execution budget of 5000 instructions exhausted in _initialize");
}

TEST_CASE("a wasm start function runs at start-up (not at load), under the budget") {
  Wat wat;
  wat.funcs = std::string("  (func $start ") + kForever + ")\n  (start $start)\n";
  std::string error;
  // Loading runs nothing (before, instantiation ran the start function and never returned).
  auto guest = proxy_wasm::engine::loadWasmGuest(assemble(wat.text()), &error, "test.wasm", budget(5000));
  REQUIRE(guest != nullptr);
  Host host(std::move(guest));
  CHECK(host.startPlugin() == 0);
  CHECK(host.failure() ==
        "_initialize failed: execution budget of 5000 instructions exhausted in the start function");

  // A start function that ends runs once, before _initialize (which sees what it did).
  Wat ok;
  ok.funcs = "  (global $ran (mut i32) (i32.const 0))\n"
             "  (func $start (global.set $ran (i32.add (global.get $ran) (i32.const 1))))\n  (start $start)\n";
  ok.initialize = "(call $logStatus (global.get $ran))";
  auto h = hostFor(ok);
  CHECK(h->startPlugin() != 0);
  CHECK(h->startPlugin() != 0);
  CHECK(h->logs(LogLevel::Info) == Logs{"1"});
}

TEST_CASE("a start function that calls the host traps: real hosts run it while linking, with no context") {
  Wat wat;
  wat.funcs = "  (func $start (call $logStatus (i32.const 1)))\n  (start $start)\n";
  auto host = hostFor(wat);
  CHECK(host->startPlugin() == 0);
  CHECK(host->failure() ==
        "_initialize failed: restricted_callback: env.proxy_log called from the module's start function (a host "
        "runs it while linking the module, before any context exists; do start-up work in _initialize)");
}

TEST_CASE("memory is capped at 1 GiB by default: memory.grow past it returns -1, no allocation") {
  // 16384 more pages would make 1 GiB + 64 KiB.
  auto host = hostFor(onTick(R"(
    (call $logStatus (i32.add (i32.const 1) (memory.grow (i32.const 16384))))
    (call $logStatus (i32.add (i32.const 1) (memory.grow (i32.const 65535))))
    (call $logStatus (memory.size)))"));
  host->tick(host->startPlugin());
  CHECK(host->logs(LogLevel::Info) == Logs{"0", "0", "1"});  // -1 + 1, -1 + 1, still one page

  // A smaller cap: grows up to it, then -1.
  proxy_wasm::engine::EngineOptions small;
  small.max_memory_bytes = 4 * 64 * 1024;
  auto capped = hostFor(onTick(R"(
    (call $logStatus (memory.grow (i32.const 3)))
    (call $logStatus (i32.add (i32.const 1) (memory.grow (i32.const 1))))
    (call $logStatus (memory.size)))"), {}, small);
  capped->tick(capped->startPlugin());
  CHECK(capped->logs(LogLevel::Info) == Logs{"1", "0", "4"});
}

TEST_CASE("a module whose minimum memory exceeds the cap is refused at load") {
  Wat wat;
  wat.memory = R"((memory (export "memory") 65536))";  // 4 GiB
  CHECK(loadError(wat) ==
        "Failed to load Wasm module: its memory needs 65536 pages (4294967296 bytes) at least, over the VM memory "
        "limit of 1073741824 bytes (16384 pages)");
  Wat imported;
  imported.memory = R"((import "env" "memory" (memory 20000)))";
  CHECK(loadError(imported) ==
        "Failed to load Wasm module: the imported env.memory memory needs 20000 pages (1310720000 bytes) at least, "
        "over the VM memory limit of 1073741824 bytes (16384 pages)");
}

TEST_CASE("tables are capped: a huge minimum is refused, table.grow past the cap returns -1") {
  Wat huge;
  huge.funcs = "  (table 4000000000 funcref)\n";
  CHECK(loadError(huge) ==
        "Failed to load Wasm module: a table needs 4000000000 elements at least, over the table limit of 10000000");
  proxy_wasm::engine::EngineOptions small;
  small.max_table_elements = 10;
  Wat wat = onTick(R"(
    (call $logStatus (table.grow $t (ref.null func) (i32.const 5)))
    (call $logStatus (i32.add (i32.const 1) (table.grow $t (ref.null func) (i32.const 6))))
    (call $logStatus (table.size $t)))");
  wat.funcs += "  (table $t 5 funcref)\n";
  auto host = hostFor(wat, {}, small);
  host->tick(host->startPlugin());
  CHECK(host->logs(LogLevel::Info) == Logs{"5", "0", ":"});  // ':' = '0' + 10
}

TEST_CASE("engine options from the environment") {
  proxy_wasm::engine::EngineOptions o;
  std::string error;
  ::setenv("PROXY_WASM_INSTRUCTION_BUDGET", "5M", 1);
  ::setenv("PROXY_WASM_MAX_MEMORY_BYTES", "64M", 1);
  CHECK(proxy_wasm::engine::engineOptionsFromEnvironment(&o, &error));
  CHECK(o.instruction_budget == 5000000);
  CHECK(o.max_memory_bytes == 64ull * 1024 * 1024);
  ::setenv("PROXY_WASM_INSTRUCTION_BUDGET", "lots", 1);
  CHECK_FALSE(proxy_wasm::engine::engineOptionsFromEnvironment(&o, &error));
  CHECK(error == "PROXY_WASM_INSTRUCTION_BUDGET=lots is not a count (digits, optionally K, M or G)");
  ::unsetenv("PROXY_WASM_INSTRUCTION_BUDGET");
  ::unsetenv("PROXY_WASM_MAX_MEMORY_BYTES");
}

TEST_CASE("readFile: a directory, a missing file and an empty file are refused with a message") {
  std::vector<uint8_t> bytes;
  std::string error;
  CHECK_FALSE(proxy_wasm::engine::readFile("/", &bytes, &error));
  CHECK(error == "cannot read /: it is a directory");
  CHECK_FALSE(proxy_wasm::engine::readFile("/nonexistent.wasm", &bytes, &error));
  CHECK(error == "cannot open /nonexistent.wasm: No such file or directory");
  CHECK_FALSE(proxy_wasm::engine::readFile("/dev/null", &bytes, &error));
  CHECK(error == "cannot read /dev/null: not a regular file");
}
