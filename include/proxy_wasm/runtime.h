// Lean C++ runtime hooks for a plugin module. Include in exactly ONE translation unit of
// a plugin (proxy_wasm_add_plugin does it for you; nothing happens on native builds).
//
// Without exceptions, allocation failure and libc++'s internal checks can only abort;
// the stock versions first format a message with printf into stderr, which links stdio
// (~13 KB) and imports WASI fd_write/fd_seek/fd_close. These versions trap instead —
// a host reports a trap with the callback it happened in and fails the VM, exactly as
// after abort(). Define PROXY_WASM_NO_RUNTIME to keep the stock behaviour.
//
// With PROXY_WASM_ALLOCATOR_SDK defined (proxy_wasm_add_plugin ALLOCATOR sdk, the default),
// this unit also defines the C allocator over the SDK's size-class heap
// (proxy_wasm/detail/allocator.h): malloc (the `malloc` export, and what
// proxy_on_memory_allocate returns), free, calloc, realloc, aligned_alloc, posix_memalign,
// malloc_usable_size. libc's own allocator is then not linked (wasi-libc: link with no
// other definition of these; Emscripten: -sMALLOC=none).
//
// With the Debian clang / wasi-sdk toolchains, this unit also defines memcpy, memmove and
// memset as the single bulk-memory instructions memory.copy and memory.fill. wasi-libc's
// versions are unrolled loops of about 3 KB in every module (a third of a small plugin);
// bulk memory is part of WebAssembly 2.0 and every Proxy-Wasm engine runs it (V8, the
// WAMR build of the host library Envoy embeds, Wasmtime, Wasmer, WasmEdge). Define
// PROXY_WASM_NO_BULK_MEMORY (target_compile_definitions on the plugin) for an engine
// without it; Emscripten keeps its own.
#pragma once

#if defined(__wasm__) && !defined(PROXY_WASM_NO_RUNTIME)
#include <cstddef>
#include <cstdlib>
#include <new>
#if defined(_LIBCPP_VERSION) && _LIBCPP_VERSION >= 150000
#include <__verbose_abort>
#endif
#if defined(PROXY_WASM_ALLOCATOR_SDK)
#include <cerrno>

#include "proxy_wasm/detail/allocator.h"

namespace proxy_wasm::detail {
// Zero-initialized: no constructor runs; the first allocation finds the heap's start.
inline Heap<WasmMemory> plugin_heap;
}  // namespace proxy_wasm::detail

// wasi-libc's dlmalloc.o defines these (and __libc_*), Emscripten's dlmalloc/emmalloc the
// first seven: each one is defined here, so that no reference pulls libc's allocator in.
extern "C" {
void* malloc(std::size_t size) { return proxy_wasm::detail::plugin_heap.allocate(size); }
void free(void* p) { proxy_wasm::detail::plugin_heap.release(p); }
void* calloc(std::size_t count, std::size_t size) {
  return proxy_wasm::detail::plugin_heap.allocateZeroed(count, size);
}
void* realloc(void* p, std::size_t size) { return proxy_wasm::detail::plugin_heap.reallocate(p, size); }
void* aligned_alloc(std::size_t alignment, std::size_t size) {
  return proxy_wasm::detail::plugin_heap.allocateAligned(alignment, size);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t size) {
  if (alignment < sizeof(void*) || (alignment & (alignment - 1))) return EINVAL;
  void* p = proxy_wasm::detail::plugin_heap.allocateAligned(alignment, size);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}
std::size_t malloc_usable_size(void* p) { return p ? proxy_wasm::detail::plugin_heap.usable(p) : 0; }
void* __libc_malloc(std::size_t size) { return malloc(size); }
void __libc_free(void* p) { free(p); }
void* __libc_calloc(std::size_t count, std::size_t size) { return calloc(count, size); }
}
#endif

#if !defined(__EMSCRIPTEN__) && !defined(PROXY_WASM_NO_BULK_MEMORY)
// wasi-libc defines each of these alone in its own object: defined here, none is linked.
// (The target attribute makes the builtins compile to memory.copy / memory.fill whatever
// the module's default features; a builtin never calls back into these functions.)
extern "C" {
__attribute__((target("bulk-memory"))) void* memcpy(void* __restrict dst, const void* __restrict src, std::size_t n) {
  __builtin_memcpy(dst, src, n);
  return dst;
}
__attribute__((target("bulk-memory"))) void* memmove(void* dst, const void* src, std::size_t n) {
  __builtin_memmove(dst, src, n);
  return dst;
}
__attribute__((target("bulk-memory"))) void* memset(void* dst, int value, std::size_t n) {
  __builtin_memset(dst, value, n);
  return dst;
}
}
#endif

void* operator new(std::size_t size) {
  if (void* p = std::malloc(size ? size : 1)) return p;
  __builtin_trap();
}
void* operator new[](std::size_t size) { return ::operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return std::malloc(size ? size : 1); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return std::malloc(size ? size : 1); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

// A pure virtual call, and libc++abi's fatal-error reporter (which type_info support links
// in, e.g. for std::exception-derived classes such as nlohmann::json's): trap, no stdio.
extern "C" void __cxa_pure_virtual() { __builtin_trap(); }
extern "C" void abort_message(const char*, ...) { __builtin_trap(); }

#if defined(_LIBCPP_VERSION) && _LIBCPP_VERSION >= 150000
/// libc++ lets a program replace its verbose abort (the hook behind its assertions).
_LIBCPP_BEGIN_NAMESPACE_STD
void __libcpp_verbose_abort(const char*, ...) { __builtin_trap(); }
_LIBCPP_END_NAMESPACE_STD
#endif
#endif
