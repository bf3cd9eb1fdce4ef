// The wasm2c-translated modules as C++ types with static functions, so the request loop
// (a template) calls every export directly, as an AOT-compiled host would.
#pragma once

#include <type_traits>

#include "bench_host.h"
#include "modules_list.h"

// The WASI imports some modules keep (bench_host.cc): one instance serves them all.
Z_wasi_snapshot_preview1_instance_t* benchWasi();

// A module exports only the callbacks it uses (the SDK omits proxy_on_done when no context
// type overrides onDone; the raw plugins export only what they handle); a host skips an
// absent one, and so does the driver. These fallbacks lose overload resolution to wasm2c's
// declaration when the export exists.
struct BenchAbsentExport {};
#define BENCH_OPTIONAL_EXPORTS(mod)                                                                  \
  template <class I, class... A>                                                                     \
  BenchAbsentExport Z_##mod##Z_proxy_on_done(I*, A...);                                              \
  template <class I, class... A>                                                                     \
  BenchAbsentExport Z_##mod##Z_proxy_on_request_headers(I*, A...);                                   \
  template <class I, class... A>                                                                     \
  BenchAbsentExport Z_##mod##Z_proxy_on_request_body(I*, A...);                                      \
  template <class I, class... A>                                                                     \
  BenchAbsentExport Z_##mod##Z_proxy_on_response_headers(I*, A...);                                  \
  template <class I, class... A>                                                                     \
  BenchAbsentExport Z_##mod##Z_proxy_on_log(I*, A...);                                               \
  template <class I, class... A>                                                                     \
  BenchAbsentExport Z_##mod##Z_proxy_on_delete(I*, A...);

// Calls export `call` when the module has it; `absent` otherwise.
#define BENCH_CALL_OPTIONAL(call, absent)                                          \
  do {                                                                             \
    if constexpr (!std::is_same_v<decltype(call), BenchAbsentExport>) return call; \
    else return absent;                                                            \
  } while (0)

// Z_<mod>_* are wasm2c 1.0.32's names for module <mod> (wasm2c -n <mod>).
#define BENCH_MODULE(Traits, mod)                                                                          \
  BENCH_OPTIONAL_EXPORTS(mod)                                                                               \
  struct Traits {                                                                                           \
    using Instance = Z_##mod##_instance_t;                                                                  \
    static constexpr const char* kName = #mod;                                                              \
    static void initModule() { Z_##mod##_init_module(); }                                                   \
    template <class I = Instance>                                                                           \
    static void instantiate(I* i, Z_env_instance_t* env) {                                                  \
      if constexpr (std::is_invocable_v<decltype(&Z_##mod##_instantiate), I*, Z_env_instance_t*>)           \
        Z_##mod##_instantiate(i, env);                                                                      \
      else                                                                                                  \
        Z_##mod##_instantiate(i, env, benchWasi());                                                         \
    }                                                                                                       \
    static void free(Instance* i) { Z_##mod##_free(i); }                                                    \
    static wasm_rt_memory_t* memory(Instance* i) { return Z_##mod##Z_memory(i); }                           \
    static u32 malloc(void* i, u32 size) { return Z_##mod##Z_malloc(static_cast<Instance*>(i), size); }     \
    static void initialize(Instance* i) { Z_##mod##Z__initialize(i); }                                      \
    static void onContextCreate(Instance* i, u32 id, u32 parent) {                                          \
      Z_##mod##Z_proxy_on_context_create(i, id, parent);                                                    \
    }                                                                                                       \
    static u32 onVmStart(Instance* i, u32 root, u32 size) { return Z_##mod##Z_proxy_on_vm_start(i, root, size); } \
    static u32 onConfigure(Instance* i, u32 root, u32 size) {                                               \
      return Z_##mod##Z_proxy_on_configure(i, root, size);                                                  \
    }                                                                                                       \
    template <class I = Instance>                                                                           \
    static u32 onRequestHeaders(I* i, u32 id, u32 n, u32 eos) {                                      \
      BENCH_CALL_OPTIONAL(Z_##mod##Z_proxy_on_request_headers(i, id, n, eos), 0u);                          \
    }                                                                                                       \
    template <class I = Instance>                                                                           \
    static u32 onRequestBody(I* i, u32 id, u32 size, u32 eos) {                                      \
      BENCH_CALL_OPTIONAL(Z_##mod##Z_proxy_on_request_body(i, id, size, eos), 0u);                          \
    }                                                                                                       \
    template <class I = Instance>                                                                           \
    static u32 onResponseHeaders(I* i, u32 id, u32 n, u32 eos) {                                     \
      BENCH_CALL_OPTIONAL(Z_##mod##Z_proxy_on_response_headers(i, id, n, eos), 0u);                         \
    }                                                                                                       \
    template <class I = Instance>                                                                           \
    static void onLog(I* i, u32 id) {                                                                \
      if constexpr (!std::is_same_v<decltype(Z_##mod##Z_proxy_on_log(i, id)), BenchAbsentExport>)          \
        Z_##mod##Z_proxy_on_log(i, id);                                                                     \
    }                                                                                                       \
    template <class I = Instance>                                                                           \
    static void onDone(I* i, u32 id) {                                                               \
      if constexpr (!std::is_same_v<decltype(Z_##mod##Z_proxy_on_done(i, id)), BenchAbsentExport>)         \
        (void)Z_##mod##Z_proxy_on_done(i, id);                                                              \
    }                                                                                                       \
    template <class I = Instance>                                                                           \
    static void onDelete(I* i, u32 id) {                                                             \
      if constexpr (!std::is_same_v<decltype(Z_##mod##Z_proxy_on_delete(i, id)), BenchAbsentExport>)       \
        Z_##mod##Z_proxy_on_delete(i, id);                                                                  \
    }                                                                                                       \
  };

// The twins and the filtered-logging variant (bench/plugins).
BENCH_MODULE(SdkPlugin, sdk_plugin)
BENCH_MODULE(RawPlugin, raw_plugin)
BENCH_MODULE(SdkBody, sdk_body)
BENCH_MODULE(RawBody, raw_body)
BENCH_MODULE(SdkLog, sdk_log)
BENCH_MODULE(RawLog, raw_log)
BENCH_MODULE(SdkLogDebug, sdk_logdebug)
// Examples, for their start-up cost (the shipped .wasm of the clang build).
BENCH_MODULE(HelloWorld, hello_world)
BENCH_MODULE(HttpHeaders, http_headers)
