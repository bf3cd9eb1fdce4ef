// Compiler and platform switches shared by every header. See docs/configuration.md.
#pragma once

// The ABI a plugin is built for: 0 (the default) for ABI v0.2.1, what every production host
// speaks; 1 for the vNEXT draft (docs/vnext.md). `proxy_wasm_add_plugin(... ABI vnext)`
// defines it; other builds pass -DPROXY_WASM_ABI_VNEXT=1. Every translation unit of a
// plugin must agree.
#if !defined(PROXY_WASM_ABI_VNEXT)
#define PROXY_WASM_ABI_VNEXT 0
#endif

#if defined(__wasm__)
// Exported under its exact name; `used` keeps an inline definition alive in every
// translation unit (the linker keeps one copy, so including the header twice is fine).
#define PROXY_WASM_EXPORT(name) __attribute__((export_name(#name), used))
#else
// Natively the mock host calls the exports as ordinary C functions.
#define PROXY_WASM_EXPORT(name) __attribute__((used))
#endif

#define PROXY_WASM_NODISCARD [[nodiscard]]

#if defined(__GNUC__)
#define PROXY_WASM_LIKELY(x) __builtin_expect(!!(x), 1)
#define PROXY_WASM_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define PROXY_WASM_LIKELY(x) (x)
#define PROXY_WASM_UNLIKELY(x) (x)
#endif

// Forces inlining of the few helpers on every callback's path (callback entry and exit, the
// context lookup, the effective-context check): plugins build with -Oz, which would
// otherwise keep them out of line, with a stack frame each.
#if defined(__GNUC__)
#define PROXY_WASM_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define PROXY_WASM_ALWAYS_INLINE inline
#endif

// Keeps a rare path (growth, errors, roots) out of the function on a callback's path, so
// that one stays small: fewer locals and registers to save on every call.
#if defined(__GNUC__)
#define PROXY_WASM_NOINLINE inline __attribute__((noinline))
#else
#define PROXY_WASM_NOINLINE inline
#endif

namespace proxy_wasm {
/// What the ABI a plugin is built for offers, known at compile time: test it with
/// `if constexpr` to build one source for both ABIs. A call into a feature the ABI lacks
/// returns Status::Unimplemented and logs why; it never traps.
namespace features {
/// Whether this build speaks the vNEXT draft (false: ABI v0.2.1).
inline constexpr bool kVnext = PROXY_WASM_ABI_VNEXT != 0;
/// Properties (getProperty, properties.h): v0.2.1 only.
inline constexpr bool kProperties = !kVnext;
/// The host clock (getCurrentTimeNanoseconds): v0.2.1 only.
inline constexpr bool kClock = !kVnext;
/// The host's log level (getLogLevelFromHost; on vNEXT every line is sent and the host filters).
inline constexpr bool kLogLevel = !kVnext;
/// A raw tick period per root (setTickPeriod) as the host's own timer: v0.2.1. On vNEXT
/// setTickPeriod() works too, on a native timer.
inline constexpr bool kTick = !kVnext;
/// Native timers (one host timer per addTimer): vNEXT. On v0.2.1 the SDK multiplexes them on the tick.
inline constexpr bool kNativeTimers = kVnext;
/// Foreign functions by name (callForeignFunction): v0.2.1 only.
inline constexpr bool kForeignFunctions = !kVnext;
/// Custom functions by id (callCustomFunction): vNEXT only.
inline constexpr bool kCustomFunctions = kVnext;
/// Key-value stores other than the VM's one store (KeyValueStore::open): vNEXT only.
inline constexpr bool kNamedKeyValueStores = kVnext;
/// Deleting metrics and queues: vNEXT only.
inline constexpr bool kDelete = kVnext;
/// The size of a buffer or header map without reading it (getBufferStatus, getHeadersSize:
/// on vNEXT they read the whole buffer or map and measure it): v0.2.1 only.
inline constexpr bool kSizeQueries = !kVnext;
/// A callout's failure status and message (HttpCallResponse::failure(), gRPC
/// statusMessage()): v0.2.1 only.
inline constexpr bool kCallStatus = !kVnext;
}  // namespace features
}  // namespace proxy_wasm
