// The SDK shapes. Facts taken from each SDK's sources (upstream paths below); the WASI
// imports are the ones those runtimes typically bring in, declared with WASI's types.
//
// rust (proxy-wasm/proxy-wasm-rust-sdk, built for wasm32-wasip1 as a cdylib):
//   src/lib.rs        marker proxy_abi_version_0_2_1; the `main!` macro defines
//                     _initialize, which runs __wasm_call_ctors then the plugin's setup
//   src/allocator.rs  the allocator is exported as proxy_on_memory_allocate (malloc only on
//                     wasm32-unknown-unknown)
//   src/dispatcher.rs every v0.2.1 callback is exported
//   rustc also exports the __data_end and __heap_base globals.
// tinygo (proxy-wasm/proxy-wasm-go-sdk with TinyGo, -target=wasi -scheduler=none):
//   proxywasm/internal/abi_callback_version.go  marker proxy_abi_version_0_2_0
//   proxywasm/internal/abi_callback_alloc.go    proxy_on_memory_allocate
//   TinyGo's runtime adds malloc, free, calloc, realloc and a WASI command entry, _start.
// go-wasip1 (proxy-wasm/proxy-wasm-go-sdk with Go's own GOOS=wasip1, -buildmode=c-shared,
//   //go:wasmexport): the same marker and allocator (the files above); a reactor,
//   _initialize, in which Go's runtime reads args, environment, clocks, random bytes and
//   probes the preopened directories (fd_prestat_get until EBADF).
// cpp-emscripten (proxy-wasm/proxy-wasm-cpp-sdk, bazel/defs.bzl: emcc --no-entry
//   -sSTANDALONE_WASM -sEXPORTED_FUNCTIONS=_malloc): malloc only, _initialize, marker
//   proxy_abi_version_0_2_1 and every callback of proxy_wasm_intrinsics.cc, including
//   proxy_validate_configuration, proxy_on_request_metadata, proxy_on_response_metadata;
//   Emscripten adds __indirect_function_table, stack helpers and imports
//   env.emscripten_notify_memory_growth.
// cpp-clang (the same SDK built with clang/wasi-sdk as a reactor): the same exports, no
//   Emscripten extras.
// assemblyscript (solo-io/proxy-runtime, assembly/exports.ts, assembly/malloc.ts,
//   asconfig.json `use abort=abort_proc_exit`): marker proxy_abi_version_0_2_1, malloc,
//   the legacy proxy_validate_configuration, proxy_on_request_metadata,
//   proxy_on_response_metadata and proxy_on_grpc_trailing_metadata; no _initialize:
//   the module's top-level code is its wasm start function; abort becomes proc_exit.
#include "shapes.h"

#include <map>

#include "proxy_wasm/host/guest.h"

namespace proxy_wasm::engine::testing {
namespace {

struct Shape {
  std::string marker = "proxy_abi_version_0_2_1";
  std::vector<std::string> allocators;  // export names of the one allocator
  std::string entry;                    // "_initialize", "_start" or "start" (a start section)
  std::string entry_body;               // extra code run by the entry point
  std::string imports;                  // beyond the proxy_* ones every shape uses
  std::string extra;                    // extra exports and functions
};

const char* kWasiFdWrite =
    R"((import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32))))";
const char* kWasiProcExit = R"((import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32))))";
const char* kCppLegacy = R"(
  (func (export "proxy_validate_configuration") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_request_metadata") (param i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_response_metadata") (param i32 i32) (result i32) (i32.const 0)))";

std::map<std::string, Shape> buildShapes() {
  std::map<std::string, Shape> s;
  s["rust"] = Shape{"proxy_abi_version_0_2_1", {"proxy_on_memory_allocate"}, "_initialize", "(call $ctors)",
                    std::string(kWasiFdWrite) + "\n  " + kWasiProcExit + R"(
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32))))",
                    R"(
  (func $ctors)
  (global (export "__data_end") i32 (i32.const 1024))
  (global (export "__heap_base") i32 (i32.const 4096)))"};
  s["tinygo"] = Shape{"proxy_abi_version_0_2_0", {"proxy_on_memory_allocate", "malloc"}, "_start", "",
                      std::string(kWasiFdWrite) + "\n  " + kWasiProcExit + R"(
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32))))",
                      R"(
  (func (export "free") (param i32))
  (func (export "calloc") (param i32 i32) (result i32) (call $alloc (i32.mul (local.get 0) (local.get 1))))
  (func (export "realloc") (param i32 i32) (result i32) (call $alloc (local.get 1))))"};
  // Go's runtime start-up: args, environment, clocks, random, then the preopen probe,
  // which must end with EBADF (8) as proxy-wasm-cpp-host answers for fd 3.
  s["go-wasip1"] = Shape{"proxy_abi_version_0_2_0", {"proxy_on_memory_allocate"}, "_initialize", R"(
    (if (i32.ne (call $args_sizes_get (i32.const 500) (i32.const 504)) (i32.const 0)) (then unreachable))
    (if (i32.ne (call $environ_sizes_get (i32.const 500) (i32.const 504)) (i32.const 0)) (then unreachable))
    (if (i32.ne (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 512)) (i32.const 0)) (then unreachable))
    (if (i32.ne (call $random_get (i32.const 520) (i32.const 16)) (i32.const 0)) (then unreachable))
    (if (i32.ne (call $fd_prestat_get (i32.const 3) (i32.const 536)) (i32.const 8)) (then unreachable))
    (if (i32.ne (call $fd_fdstat_get (i32.const 1) (i32.const 544)) (i32.const 0)) (then unreachable)))",
                         std::string(kWasiFdWrite) + "\n  " + kWasiProcExit + R"(
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sched_yield" (func $sched_yield (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32))))",
                         ""};
  const std::string cpp_imports = std::string(kWasiFdWrite) + "\n  " + kWasiProcExit + R"(
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32))))";
  s["cpp-emscripten"] = Shape{"proxy_abi_version_0_2_1", {"malloc"}, "_initialize", "",
                              cpp_imports + R"(
  (import "env" "emscripten_notify_memory_growth" (func $notify_growth (param i32))))",
                              std::string(kCppLegacy) + R"(
  (table (export "__indirect_function_table") 1 funcref)
  (global $sp (mut i32) (i32.const 65536))
  (func (export "stackSave") (result i32) (global.get $sp))
  (func (export "stackRestore") (param i32) (global.set $sp (local.get 0)))
  (func (export "emscripten_stack_get_current") (result i32) (global.get $sp)))"};
  s["cpp-clang"] = Shape{"proxy_abi_version_0_2_1", {"malloc"}, "_initialize", "", cpp_imports, kCppLegacy};
  s["assemblyscript"] = Shape{"proxy_abi_version_0_2_1", {"malloc"}, "start", "",
                              std::string(kWasiFdWrite) + "\n  " + kWasiProcExit,
                              std::string(kCppLegacy) + R"(
  (func (export "free") (param i32))
  (func (export "proxy_on_grpc_trailing_metadata") (param i32 i32 i32)))"};
  return s;
}

const std::map<std::string, Shape>& shapes() {
  static const std::map<std::string, Shape> s = buildShapes();
  return s;
}

// The filter, as callback bodies; the others get a neutral default.
const std::map<std::string, std::string>& bodies() {
  static const std::map<std::string, std::string> b = {
      // Fails the start (returns 0) unless the entry point ran.
      {"proxy_on_vm_start", R"(
    (drop (call $set_tick (i32.const 1000)))
    (global.get $initialized))"},
      {"proxy_on_configure", "(i32.const 1)"},
      {"proxy_on_tick", R"(
    (drop (call $log (i32.const 2) (i32.const 300) (global.get $tick_len))))"},
      // :path, copied into the plugin through its allocator.
      {"proxy_on_request_headers", R"(
    (if (i32.eqz (call $get_header (i32.const 0) (i32.const 100) (i32.const 5) (i32.const 400) (i32.const 404)))
      (then
        (global.set $path_ptr (i32.load (i32.const 400)))
        (global.set $path_len (i32.load (i32.const 404)))))
    (i32.const 0))"},
      {"proxy_on_response_headers", R"(
    (drop (call $add_header (i32.const 2) (i32.const 120) (i32.const 11) (global.get $path_ptr) (global.get $path_len)))
    (drop (call $add_header (i32.const 2) (i32.const 140) (i32.const 11) (i32.const 160) (global.get $name_len)))
    (i32.const 0))"},
      {"proxy_on_done", "(i32.const 1)"},
  };
  return b;
}

}  // namespace

const std::vector<std::string>& sdkShapes() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& [name, shape] : shapes()) out.push_back(name);
    return out;
  }();
  return names;
}

std::string sdkShapeWat(const std::string& name) {
  const Shape& shape = shapes().at(name);
  const std::string tick = "tick from " + name;
  std::string t = "(module\n";
  t += R"(  (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
  (import "env" "proxy_set_tick_period_milliseconds" (func $set_tick (param i32) (result i32)))
  (import "env" "proxy_get_header_map_value" (func $get_header (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_add_header_map_value" (func $add_header (param i32 i32 i32 i32 i32) (result i32)))
  )" + shape.imports + "\n";
  t += R"(  (memory (export "memory") 4)
  (data (i32.const 100) ":path")
  (data (i32.const 120) "x-wasm-path")
  (data (i32.const 140) "x-sdk-shape")
  (data (i32.const 160) ")" + name + R"(")
  (data (i32.const 300) ")" + tick + R"(")
  (global $name_len i32 (i32.const )" + std::to_string(name.size()) + R"())
  (global $tick_len i32 (i32.const )" + std::to_string(tick.size()) + R"())
  (global $heap (mut i32) (i32.const 4096))
  (global $initialized (mut i32) (i32.const 0))
  (global $path_ptr (mut i32) (i32.const 0))
  (global $path_len (mut i32) (i32.const 0))
  (func (export ")" + shape.marker + R"("))
  (func $alloc)";
  for (const std::string& a : shape.allocators) t += " (export \"" + a + "\")";
  t += R"( (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.and (i32.add (i32.add (global.get $heap) (local.get $n)) (i32.const 7)) (i32.const -8)))
    (local.get $p))
)";
  const std::string entry_body = shape.entry_body + "\n    (global.set $initialized (i32.const 1))";
  if (shape.entry == "start") {
    t += "  (func $start " + entry_body + ")\n  (start $start)\n";
  } else {
    t += "  (func (export \"" + shape.entry + "\") " + entry_body + ")\n";
  }
  for (uint32_t i = 0; i < uint32_t(host::Callback::Count_); ++i) {
    const auto cb = host::Callback(i);
    if (cb == host::Callback::Initialize || cb == host::Callback::MemoryAllocate) continue;
    const host::CallbackInfo& info = host::callbackInfo(cb);
    t += "  (func (export \"" + std::string(info.export_name) + "\")";
    for (int p = 0; p < info.params; ++p) t += " (param i32)";
    if (info.has_result) t += " (result i32)";
    auto body = bodies().find(info.export_name);
    t += body != bodies().end() ? body->second : std::string(info.has_result ? " (i32.const 0)" : "");
    t += ")\n";
  }
  return t + shape.extra + ")\n";
}

}  // namespace proxy_wasm::engine::testing
