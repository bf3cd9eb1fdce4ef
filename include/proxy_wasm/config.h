// Compiler and platform switches shared by every header. See docs/configuration.md.
#pragma once

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
