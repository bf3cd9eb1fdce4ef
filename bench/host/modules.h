// The wasm2c-translated plugins as C++ types with static functions, so the request loop
// (a template) calls every export directly, as an AOT-compiled host would.
#pragma once

#include <type_traits>

#include "raw_plugin.h"
#include "sdk_plugin.h"

// A module exports only the callbacks it uses (the SDK omits proxy_on_done when no context
// type overrides onDone); a host skips an absent one, and so does the driver. These
// fallbacks lose overload resolution to wasm2c's declaration when the export exists.
struct BenchAbsentExport {};
#define BENCH_OPTIONAL_EXPORT(fn) \
  template <class I, class... A>  \
  BenchAbsentExport fn(I*, A...);
BENCH_OPTIONAL_EXPORT(Z_sdk_pluginZ_proxy_on_done)
BENCH_OPTIONAL_EXPORT(Z_raw_pluginZ_proxy_on_done)
#undef BENCH_OPTIONAL_EXPORT

// Z_<mod>_* are wasm2c 1.0.32's names for module <mod> (wasm2c -n <mod>).
#define BENCH_MODULE(Traits, mod, label)                                                                   \
  struct Traits {                                                                                           \
    using Instance = Z_##mod##_instance_t;                                                                  \
    static constexpr const char* kName = label;                                                             \
    static void initModule() { Z_##mod##_init_module(); }                                                   \
    static void instantiate(Instance* i, Z_env_instance_t* env) { Z_##mod##_instantiate(i, env); }          \
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
    static u32 onRequestHeaders(Instance* i, u32 id, u32 n, u32 eos) {                                      \
      return Z_##mod##Z_proxy_on_request_headers(i, id, n, eos);                                            \
    }                                                                                                       \
    static u32 onResponseHeaders(Instance* i, u32 id, u32 n, u32 eos) {                                     \
      return Z_##mod##Z_proxy_on_response_headers(i, id, n, eos);                                           \
    }                                                                                                       \
    static void onDone(Instance* i, u32 id) {                                                               \
      if constexpr (!std::is_same_v<decltype(Z_##mod##Z_proxy_on_done(i, id)), BenchAbsentExport>)          \
        (void)Z_##mod##Z_proxy_on_done(i, id);                                                              \
    }                                                                                                       \
    static void onDelete(Instance* i, u32 id) { Z_##mod##Z_proxy_on_delete(i, id); }                        \
  };

BENCH_MODULE(SdkPlugin, sdk_plugin, "sdk")
BENCH_MODULE(RawPlugin, raw_plugin, "raw")
