// Every export of a module, generated from the list of callbacks of the ABI it is built for
// (abi/v0_2_1.h, or abi/vnext.h with PROXY_WASM_ABI_VNEXT) and emitted from this header
// exactly once per module however many translation units include it (inline + `used`; the
// linker keeps one). Each is a one-line forward to the dispatcher (detail/dispatch.h). In
// wasm, only the callbacks the module can use are exported (detail/export_use.h says which
// and why).
#pragma once

#include <cstdlib>

#include "proxy_wasm/abi.h"
#include "proxy_wasm/config.h"
#include "proxy_wasm/detail/dispatch.h"
#include "proxy_wasm/detail/export_use.h"

#define PROXY_WASM_FORWARD_EXPORT(fn_name, name, result, params, args) \
  result fn_name params { return ::proxy_wasm::detail::exports::name args; }

#if PROXY_WASM_ABI_VNEXT
#define PROXY_WASM_ABI_EXPORTS PROXY_WASM_ABI_VNEXT_EXPORTS
#else
#define PROXY_WASM_ABI_EXPORTS PROXY_WASM_ABI_V0_2_1_EXPORTS
#endif

#if defined(__wasm__)
namespace proxy_wasm::detail {
// The optional exports: emitted when a PROXY_WASM_USE_EXPORT names them (export_use.h).
#define PROXY_WASM_DEFINE_EXPORT_TEMPLATE(name, result, params, args) \
  template <int Zero>                                                 \
  struct Export_##name {                                              \
    PROXY_WASM_EXPORT(name) static PROXY_WASM_FORWARD_EXPORT(fn, name, result, params, args) \
  };
PROXY_WASM_ABI_EXPORTS(PROXY_WASM_DEFINE_EXPORT_TEMPLATE)
#undef PROXY_WASM_DEFINE_EXPORT_TEMPLATE

// The exports every module has. v0.2.1: the allocator, context creation and deletion,
// start and configuration. vNEXT: the allocator, context creation and finalization, VM and
// plugin start (ngx_wasm_module refuses a module without context_create, vm_start and
// plugin_start). Naming them here instantiates them (never called).
inline void requiredExports() {
  (void)&Export_proxy_on_memory_allocate<0>::fn;
  (void)&Export_proxy_on_context_create<0>::fn;
  (void)&Export_proxy_on_vm_start<0>::fn;
#if PROXY_WASM_ABI_VNEXT
  (void)&Export_proxy_on_plugin_start<0>::fn;
  (void)&Export_proxy_on_context_finalize<0>::fn;
#else
  (void)&Export_proxy_on_configure<0>::fn;
  (void)&Export_proxy_on_delete<0>::fn;
#endif
}
}  // namespace proxy_wasm::detail
#endif

extern "C" {

// The ABI version marker: its presence is the declaration, it is never called.
#if PROXY_WASM_ABI_VNEXT
PROXY_WASM_EXPORT(proxy_abi_version_vnext) inline void proxy_abi_version_vnext() {}
#else
PROXY_WASM_EXPORT(proxy_abi_version_0_2_1) inline void proxy_abi_version_0_2_1() {}
#endif

#if !defined(__wasm__)
// Natively every export exists: the mock host calls them as C functions.
// proxy_on_memory_allocate is backed by `malloc`, which the plugin link also exports
// (Envoy's host looks that name up first), so HostBuffer can free() what either returned.
// The draft's carry a `vnext_` prefix (abi/vnext.h), so that both ABIs' plugins can live in
// one test process.
#if PROXY_WASM_ABI_VNEXT
#define PROXY_WASM_DEFINE_EXPORT(name, result, params, args) \
  PROXY_WASM_EXPORT(vnext_##name) inline PROXY_WASM_FORWARD_EXPORT(vnext_##name, name, result, params, args)
#else
#define PROXY_WASM_DEFINE_EXPORT(name, result, params, args) \
  PROXY_WASM_EXPORT(name) inline PROXY_WASM_FORWARD_EXPORT(name, name, result, params, args)
#endif
PROXY_WASM_ABI_EXPORTS(PROXY_WASM_DEFINE_EXPORT)
#undef PROXY_WASM_DEFINE_EXPORT

// The mock host starts each test's host with a fresh SDK state (the plugin's objects live
// in the test process for its whole run).
PROXY_WASM_EXPORT(proxy_wasm_native_reset) inline void proxy_wasm_native_reset() {
  ::proxy_wasm::detail::runtime().reset();
}
#endif

}  // extern "C"
