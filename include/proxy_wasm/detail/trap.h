// The SDK's one mechanism for fatal plugin errors (the public entry is proxy_wasm::fatal()
// in log.h): a `critical` log line with the message, then a trap.
//
// In wasm the trap is `unreachable`: the host reports it with the callback it happened in
// and fails the VM (Envoy: the stream gets a 503 or is reset, later callbacks are refused),
// exactly as after abort(). Natively (tests against the mock host) the mock host records a
// trap in the running callback and unwinds to it, so a test sees what the engine run shows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proxy_wasm/abi.h"
#include "proxy_wasm/types.h"

#if !defined(__wasm__)
extern "C" {
// Provided by the mock host (ProxyWasm::mock): records a trap in the running callback and
// unwinds to the host. Never returns.
[[noreturn]] void proxy_wasm_native_trap(const char* message, size_t size);
}
#endif

namespace proxy_wasm {
namespace detail {

// Logs `message` at critical level (straight to the host: no level check, the plugin is
// going down) and traps.
[[noreturn]] inline void trap(std::string_view message) {
#if PROXY_WASM_ABI_VNEXT
  (void)vnext_proxy_log(vnext::wire::kError, message.data(), message.size());  // the draft has no critical
#else
  (void)proxy_log(static_cast<uint32_t>(LogLevel::Critical), message.data(), message.size());
#endif
#if defined(__wasm__)
  __builtin_trap();
#else
  proxy_wasm_native_trap(message.data(), message.size());
#endif
}

}  // namespace detail
}  // namespace proxy_wasm
