// Every export of an ABI v0.2.1 module, generated from the ABI's list of callbacks
// (abi.h) and emitted from this header exactly once per module however many translation
// units include it (inline + `used`; the linker keeps one). Each is a one-line forward to
// the dispatcher (detail/dispatch.h).
#pragma once

#include <cstdlib>

#include "proxy_wasm/abi.h"
#include "proxy_wasm/config.h"
#include "proxy_wasm/detail/dispatch.h"

extern "C" {

// The ABI version marker: its presence is the declaration, it is never called.
PROXY_WASM_EXPORT(proxy_abi_version_0_2_1) inline void proxy_abi_version_0_2_1() {}

// proxy_on_memory_allocate is backed by `malloc`, which the plugin link also exports
// (Envoy's host looks that name up first), so HostBuffer can free() what either returned.
#define PROXY_WASM_DEFINE_EXPORT(name, result, params, args) \
  PROXY_WASM_EXPORT(name) inline result name params { return ::proxy_wasm::detail::exports::name args; }
PROXY_WASM_ABI_V0_2_1_EXPORTS(PROXY_WASM_DEFINE_EXPORT)
#undef PROXY_WASM_DEFINE_EXPORT

#if !defined(__wasm__)
// Natively, the mock host starts each test's host with a fresh SDK state (the plugin's
// objects live in the test process for its whole run).
PROXY_WASM_EXPORT(proxy_wasm_native_reset) inline void proxy_wasm_native_reset() {
  ::proxy_wasm::detail::runtime().reset();
}
#endif

}  // extern "C"
