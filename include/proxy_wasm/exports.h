// Every export of an ABI v0.2.1 module, generated from the ABI's list of callbacks
// (abi.h) and emitted from this header exactly once per module however many translation
// units include it (inline + `used`; the linker keeps one). Each is a one-line forward to
// the dispatcher (detail/dispatch.h). In wasm, only the callbacks the module can use are
// exported (detail/export_use.h says which and why).
#pragma once

#include <cstdlib>

#include "proxy_wasm/abi/v0_2_1.h"
#include "proxy_wasm/config.h"
#include "proxy_wasm/detail/dispatch.h"
#include "proxy_wasm/detail/export_use.h"

#define PROXY_WASM_FORWARD_EXPORT(name, result, params, args) \
  result name params { return ::proxy_wasm::detail::exports::name args; }

#if defined(__wasm__)
namespace proxy_wasm::detail {
// The optional exports: emitted when a PROXY_WASM_USE_EXPORT names them (export_use.h).
#define PROXY_WASM_DEFINE_EXPORT_TEMPLATE(name, result, params, args) \
  template <int Zero>                                                 \
  struct Export_##name {                                              \
    PROXY_WASM_EXPORT(name) static PROXY_WASM_FORWARD_EXPORT(name, result, params, args) \
  };
PROXY_WASM_ABI_V0_2_1_EXPORTS(PROXY_WASM_DEFINE_EXPORT_TEMPLATE)
#undef PROXY_WASM_DEFINE_EXPORT_TEMPLATE

// The exports every module has: the allocator, context creation and deletion, start and
// configuration. Naming them here instantiates them (never called).
inline void requiredExports() {
  (void)&Export_proxy_on_memory_allocate<0>::proxy_on_memory_allocate;
  (void)&Export_proxy_on_context_create<0>::proxy_on_context_create;
  (void)&Export_proxy_on_vm_start<0>::proxy_on_vm_start;
  (void)&Export_proxy_on_configure<0>::proxy_on_configure;
  (void)&Export_proxy_on_delete<0>::proxy_on_delete;
}
}  // namespace proxy_wasm::detail
#endif

extern "C" {

// The ABI version marker: its presence is the declaration, it is never called.
PROXY_WASM_EXPORT(proxy_abi_version_0_2_1) inline void proxy_abi_version_0_2_1() {}

#if !defined(__wasm__)
// Natively every export exists: the mock host calls them as C functions.
// proxy_on_memory_allocate is backed by `malloc`, which the plugin link also exports
// (Envoy's host looks that name up first), so HostBuffer can free() what either returned.
#define PROXY_WASM_DEFINE_EXPORT(name, result, params, args) \
  PROXY_WASM_EXPORT(name) inline PROXY_WASM_FORWARD_EXPORT(name, result, params, args)
PROXY_WASM_ABI_V0_2_1_EXPORTS(PROXY_WASM_DEFINE_EXPORT)
#undef PROXY_WASM_DEFINE_EXPORT

// The mock host starts each test's host with a fresh SDK state (the plugin's objects live
// in the test process for its whole run).
PROXY_WASM_EXPORT(proxy_wasm_native_reset) inline void proxy_wasm_native_reset() {
  ::proxy_wasm::detail::runtime().reset();
}
#endif

}  // extern "C"
